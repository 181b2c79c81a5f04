// Exact k-nearest neighbours (largest dot product) by screening with int16 products, then
// rescoring the few survivors in float64.
//
// Why: the 10,000 x 50,000 x 128 similarity product is ~128 GFLOP; XNNPACK's float32 GEMM on
// WebAssembly SIMD (no FMA) runs it at ~18 GFLOP/s a core, ~2x slower than PyTorch's native
// GEMM on the same 2 cores. WebAssembly's i32x4.dot_i16x8_s does 8 multiply-adds in one
// instruction (4 for f32x4.mul + f32x4.add), ~30 G/s a core here. The features are rounded to
// int16 (train: one scale S/max‖t‖, queries: S/‖q‖ each, S = 32000), the int32 products
// screen, and only rows that may be among the k best are rescored exactly.
//
// Exactness: with Q = round(s_q·q), T = round(s_T·t), |s_q s_T q·t − Q·T| ≤ E_q =
// ½(‖Q‖₁ + max‖T‖₁) + ¼·dim (rounding errors of at most ½ per coordinate). If a_k is the k-th
// largest Q·T seen so far, the true k-th best similarity is ≥ (a_k − E_q)/(s_q s_T), so any row
// of the exact top k has Q·T ≥ a_k − 2E_q: the kernel keeps rows above that threshold (it only
// rises), and the survivors are ranked by their float64 dot product, ties to the smaller row.
// |Q·T| ≤ ‖Q‖‖T‖ ≤ (S + ½√dim)² < 2³¹: no int32 overflow for any row norms.
//
// The kernel: a tile of 4 queries against panels of 12 train rows; the train matrix is packed by
// panel (for each pair of coordinates, 12 rows x 2 int16), so one i32 splat of a query's pair
// times one v128 of 4 rows' pairs is one dot_i16x8. A chunk of ~256 KB of panels stays in cache
// while every query tile of a block passes over it. After a panel, each 4-row vector of each
// query is compared with that query's threshold; vectors with a lane above it are written out
// as records (rare after the first few chunks).
import {
  add,
  anyTrue,
  type Code,
  type Fn,
  get,
  i32,
  i32store,
  i32x4,
  instantiate,
  load,
  load32Splat,
  loop,
  mul,
  set,
  simdAvailable,
  store,
  v128or,
  v128zero,
  when,
} from '../backend/kernels/wasm_asm.js';

/** Queries per tile, 4-row vectors per panel, pairs per unrolled step. */
const QA = 4;
const RV = 3;
const PANEL = RV * 4;
const UNROLL = 4;
const SCALE = 32000;
/** Bytes of train panels a chunk holds (kept in L2 while the block's query tiles pass). */
const CHUNK_BYTES = 256 * 1024;
/** Rows of the first chunk: small, because every row passes while fewer than k are known (then doubling). */
const FIRST_CHUNK_ROWS = 48;
const RECORD = 32;

/** Coordinate pairs of a row, padded to the kernel's unroll. */
export function paddedPairs(dim: number): number {
  return Math.ceil(Math.ceil(dim / 2) / UNROLL) * UNROLL;
}

/**
 * scan(q, t, np, thr, rec, row0) → records: queries q (QA x pairs i32), panels t (np of them),
 * thresholds thr (QA i32), records at rec (32 bytes: 4 products, the first of their rows, the query).
 */
function scanKernel(pairs: number): Fn {
  const [q, t, np, thr, rec, row0] = [0, 1, 2, 3, 4, 5];
  const [pan, p, pt, pq, count] = [6, 7, 8, 9, 10];
  const acc0 = 11;
  const tv0 = acc0 + QA * RV;
  const sp = tv0 + RV;
  const accOf = (a: number, v: number) => acc0 + a * RV + v;
  const step = (u: number): Code => [
    ...Array.from({ length: RV }, (_, v) => [...get(pt), ...load((u * RV + v) * 16), ...set(tv0 + v)]).flat(),
    ...Array.from({ length: QA }, (_, a) => [
      ...get(pq),
      ...load32Splat(a * pairs * 4 + u * 4),
      ...set(sp),
      ...Array.from({ length: RV }, (_, v) => [
        ...get(accOf(a, v)),
        ...get(sp),
        ...get(tv0 + v),
        ...i32x4.dotI16x8,
        ...i32x4.add,
        ...set(accOf(a, v)),
      ]).flat(),
    ]).flat(),
  ];
  // Record (a, v) when any lane ≥ thr[a]: rec[count] = products, row0 + pan·PANEL + 4v, a.
  const emit = (a: number, v: number): Code =>
    when(
      [...get(accOf(a, v)), ...get(sp), ...i32x4.geS, ...anyTrue],
      [
        ...get(rec),
        ...get(count),
        ...i32(RECORD),
        ...mul,
        ...add,
        ...set(p), // p is free here: the record's address
        ...get(p),
        ...get(accOf(a, v)),
        ...store(0),
        ...get(p),
        ...get(row0),
        ...get(pan),
        ...i32(PANEL),
        ...mul,
        ...add,
        ...i32(4 * v),
        ...add,
        ...i32store(16),
        ...get(p),
        ...i32(a),
        ...i32store(20),
        ...get(count),
        ...i32(1),
        ...add,
        ...set(count),
      ],
    );
  // One test per query (its vectors' lanes against its threshold, or-ed), the rare detail inside.
  const epilogue = (a: number): Code => [
    ...get(thr),
    ...load32Splat(4 * a),
    ...set(sp),
    ...when(
      [
        ...get(accOf(a, 0)),
        ...get(sp),
        ...i32x4.geS,
        ...Array.from({ length: RV - 1 }, (_, v) => [...get(accOf(a, v + 1)), ...get(sp), ...i32x4.geS, ...v128or]).flat(),
        ...anyTrue,
      ],
      Array.from({ length: RV }, (_, v) => emit(a, v)).flat(),
    ),
  ];
  const body: Code = [
    ...get(t),
    ...set(pt),
    ...i32(0),
    ...set(count),
    ...loop(pan, i32(0), get(np), i32(1), [
      ...Array.from({ length: QA * RV }, (_, i) => [...v128zero, ...set(acc0 + i)]).flat(),
      ...get(q),
      ...set(pq),
      ...loop(p, i32(0), i32(pairs), i32(UNROLL), [
        ...Array.from({ length: UNROLL }, (_, u) => step(u)).flat(),
        ...get(pt),
        ...i32(UNROLL * RV * 16),
        ...add,
        ...set(pt),
        ...get(pq),
        ...i32(UNROLL * 4),
        ...add,
        ...set(pq),
      ]),
      ...Array.from({ length: QA }, (_, a) => epilogue(a)).flat(),
    ]),
    ...get(count),
  ];
  return { name: 'scan', params: 6, i32s: 5, v128s: QA * RV + RV + 1, result: true, body };
}

/** The kernel's module bytes for rows of `dim` (for the tests: WebAssembly.validate). */
export function scanModuleFns(dim: number): Fn[] {
  return [scanKernel(paddedPairs(dim))];
}

/** Whether the screening kernel can run here (WebAssembly SIMD; MCR2_SIMD_KERNELS=0 turns it off). */
export function screeningAvailable(): boolean {
  return simdAvailable();
}

/** The train rows rounded to int16 and packed by panel, with what the bound needs. */
export interface PackedTrain {
  /** Panels: ⌈n/PANEL⌉ x pairs x PANEL rows x 2 int16, as bytes. */
  panels: Uint8Array;
  n: number;
  dim: number;
  /** max over rows of ‖T‖₁ (int units). */
  maxL1: number;
}

/** Whether every value is finite (the screening's bound needs finite rows). */
export function allFinite(x: Float32Array): boolean {
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) return false;
  return true;
}

/** Math.round for |v| ≤ 32768 (floor(v + ½) by truncation of a positive number: much faster). */
const round16 = (v: number): number => ((v + 32768.5) | 0) - 32768;

/** `trainX` (n x dim) rounded and packed (undefined when a value is not finite: the caller's float path runs). */
export function packTrain(trainX: Float32Array, dim: number): PackedTrain | undefined {
  if (!allFinite(trainX)) return undefined;
  const n = trainX.length / dim;
  const pairs = paddedPairs(dim);
  let maxNorm = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += trainX[i * dim + j] * trainX[i * dim + j];
    if (s > maxNorm) maxNorm = s;
  }
  const scale = maxNorm > 0 ? SCALE / Math.sqrt(maxNorm) : 1;
  const panels = Math.ceil(n / PANEL);
  const out = new Int16Array(panels * pairs * PANEL * 2);
  let maxL1 = 0;
  for (let i = 0; i < n; i++) {
    // Row i: panel ⌊i/PANEL⌋, vector (i mod PANEL)/4, lane i mod 4; pair p at panel + p·2·PANEL + vector·8 + lane·2.
    let at = Math.floor(i / PANEL) * pairs * PANEL * 2 + Math.floor((i % PANEL) / 4) * 8 + (i % 4) * 2;
    let l1 = 0;
    for (let j = 0; j < dim; j += 2, at += PANEL * 2) {
      const v0 = round16(trainX[i * dim + j] * scale);
      const v1 = j + 1 < dim ? round16(trainX[i * dim + j + 1] * scale) : 0;
      out[at] = v0;
      out[at + 1] = v1;
      l1 += Math.abs(v0) + Math.abs(v1);
    }
    if (l1 > maxL1) maxL1 = l1;
  }
  return { panels: new Uint8Array(out.buffer), n, dim, maxL1 };
}

/** What the rescoring and the vote need besides the packed rows. */
export interface ScreenProblem {
  k: number;
  numClasses: number;
  /** Test rows per block (the candidate lists of a block are held at once). */
  block: number;
}

/** What a screening worker gets (knn_screen_worker.ts): shared features, labels, packed rows, its test rows. */
export interface KnnScreenJob {
  trainX: SharedArrayBuffer;
  trainY: SharedArrayBuffer;
  testX: SharedArrayBuffer;
  pred: SharedArrayBuffer;
  panels: SharedArrayBuffer;
  maxL1: number;
  dim: number;
  problem: ScreenProblem;
  from: number;
  to: number;
}

interface Kernel {
  scan(q: number, t: number, np: number, thr: number, rec: number, row0: number): number;
}

/**
 * Predictions (majority vote of the exact k nearest by dot product, ties to the smaller label;
 * neighbours tied on similarity: the smaller train row) for test rows [from, to) into `pred`.
 */
export function screenRange(
  packed: PackedTrain,
  trainX: Float32Array,
  trainY: Int32Array,
  testX: Float32Array,
  p: ScreenProblem,
  from: number,
  to: number,
  pred: Int32Array,
): void {
  const { n, dim, maxL1 } = packed;
  const { k, numClasses } = p;
  const pairs = paddedPairs(dim);
  const panelBytes = pairs * PANEL * 4;
  const chunkPanels = Math.max(1, Math.floor(CHUNK_BYTES / panelBytes));
  const nPanels = Math.ceil(n / PANEL);
  const block = Math.max(QA, Math.ceil(Math.min(p.block, to - from) / QA) * QA);
  const tiles = block / QA;
  const tileBytes = QA * pairs * 4;
  // Memory: panels | query tiles of a block | thresholds | records of one call.
  const qAt = packed.panels.length;
  const thrAt = qAt + tiles * tileBytes;
  const recAt = thrAt + block * 4;
  const maxRecords = Math.max(chunkPanels, Math.ceil(FIRST_CHUNK_ROWS / PANEL)) * QA * RV;
  const { exports: kern, memory } = instantiate<Kernel>(scanModuleFns(dim), recAt + maxRecords * RECORD);
  const heap = memory.buffer;
  new Uint8Array(heap).set(packed.panels, 0);
  const q16 = new Int16Array(heap, qAt, (tiles * tileBytes) / 2);
  const thr = new Int32Array(heap, thrAt, block);
  const rec = new Int32Array(heap, recAt, (maxRecords * RECORD) / 4);
  // Chunks of panels: a small first one, doubling up to ~256 KB.
  const chunks: Array<[number, number]> = [];
  for (let s = 0, size = Math.ceil(FIRST_CHUNK_ROWS / PANEL); s < nPanels; size = Math.min(chunkPanels, 2 * size)) {
    const e = Math.min(nPanels, s + size);
    chunks.push([s, e]);
    s = e;
  }

  // Per query of the block: the k largest products so far (descending), the bound, the candidates.
  const top = new Int32Array(block * k);
  const topN = new Int32Array(block);
  const bound = new Float64Array(block);
  const candRows: number[][] = Array.from({ length: block }, () => []);
  const compactAt = new Int32Array(block); // compact a list when it reaches this length
  const candVals: number[][] = Array.from({ length: block }, () => []);
  const votes = new Float64Array(numClasses);
  const bestV = new Float64Array(k);
  const bestR = new Int32Array(k);
  const INT_MIN = -(2 ** 31);

  for (let s = from; s < to; s += block) {
    const b = Math.min(block, to - s);
    q16.fill(0);
    topN.fill(0);
    thr.fill(INT_MIN);
    for (let r = 0; r < block; r++) {
      candRows[r].length = 0;
      candVals[r].length = 0;
    }
    compactAt.fill(4 * k + 64);
    // Queries: tile ⌊r/4⌋, query r mod 4, pair p at tile + (a·pairs + p)·2 int16.
    for (let r = 0; r < b; r++) {
      const o = (s + r) * dim;
      let nn = 0;
      for (let j = 0; j < dim; j++) nn += testX[o + j] * testX[o + j];
      const scale = nn > 0 ? SCALE / Math.sqrt(nn) : 1;
      const base = Math.floor(r / QA) * (tileBytes / 2) + (r % QA) * pairs * 2;
      let l1 = 0;
      for (let j = 0; j < dim; j++) {
        const v = round16(testX[o + j] * scale);
        q16[base + j] = v;
        l1 += Math.abs(v);
      }
      // 2E_q, rounded up, one unit to spare for the float64 rescoring's own rounding.
      bound[r] = Math.ceil(l1 + maxL1 + 0.5 * dim) + 2;
    }
    // Rows past b are padding: they never pass (threshold above any product).
    for (let r = b; r < block; r++) thr[r] = 2 ** 31 - 1;
    const tilesHere = Math.ceil(b / QA);
    for (const [c0, c1] of chunks) {
      for (let tile = 0; tile < tilesHere; tile++) {
        const count = kern.scan(qAt + tile * tileBytes, c0 * panelBytes, c1 - c0, thrAt + tile * QA * 4, recAt, c0 * PANEL);
        for (let e = 0; e < count; e++) {
          const row0 = rec[e * 8 + 4];
          const r = tile * QA + rec[e * 8 + 5];
          const t = thr[r];
          for (let l = 0; l < 4; l++) {
            const v = rec[e * 8 + l];
            const row = row0 + l;
            if (v < t || row >= n) continue;
            candRows[r].push(row);
            candVals[r].push(v);
            // Insert into the k largest (descending).
            const tk = r * k;
            let m = topN[r];
            if (m < k) topN[r] = m + 1;
            else if (v <= top[tk + k - 1]) continue;
            else m = k - 1;
            while (m > 0 && top[tk + m - 1] < v) {
              top[tk + m] = top[tk + m - 1];
              m--;
            }
            top[tk + m] = v;
          }
        }
        for (let a = 0; a < QA; a++) {
          const r = tile * QA + a;
          if (r >= b || topN[r] < k) continue;
          thr[r] = Math.max(INT_MIN, top[r * k + k - 1] - bound[r]);
          // Drop candidates the threshold has passed, when the list has doubled since.
          const cr = candRows[r];
          if (cr.length >= compactAt[r]) {
            const cv = candVals[r];
            let w = 0;
            for (let i = 0; i < cr.length; i++) {
              if (cv[i] >= thr[r]) {
                cr[w] = cr[i];
                cv[w++] = cv[i];
              }
            }
            cr.length = w;
            cv.length = w;
            compactAt[r] = Math.max(4 * k + 64, 2 * w);
          }
        }
      }
    }
    // Rescoring: float64 products of the survivors, the k best (ties to the smaller row), the vote.
    for (let r = 0; r < b; r++) {
      const o = (s + r) * dim;
      const cr = candRows[r];
      const cv = candVals[r];
      const t = thr[r];
      let m = 0;
      for (let i = 0; i < cr.length; i++) {
        if (cv[i] < t) continue;
        const row = cr[i];
        const to2 = row * dim;
        let d0 = 0;
        let d1 = 0;
        let j = 0;
        for (; j + 1 < dim; j += 2) {
          d0 += testX[o + j] * trainX[to2 + j];
          d1 += testX[o + j + 1] * trainX[to2 + j + 1];
        }
        if (j < dim) d0 += testX[o + j] * trainX[to2 + j];
        const d = d0 + d1;
        // Insert (d, row) into the k best, ordered by similarity desc, then row asc.
        let at = m < k ? m : k;
        if (m === k && !(d > bestV[k - 1] || (d === bestV[k - 1] && row < bestR[k - 1]))) continue;
        if (m < k) m++;
        else at = k - 1;
        while (at > 0 && (bestV[at - 1] < d || (bestV[at - 1] === d && bestR[at - 1] > row))) {
          bestV[at] = bestV[at - 1];
          bestR[at] = bestR[at - 1];
          at--;
        }
        bestV[at] = d;
        bestR[at] = row;
      }
      votes.fill(0);
      for (let j = 0; j < m; j++) votes[trainY[bestR[j]]]++;
      let best = 0;
      for (let c = 1; c < numClasses; c++) if (votes[c] > votes[best]) best = c;
      pred[s + r] = best;
    }
  }
}
