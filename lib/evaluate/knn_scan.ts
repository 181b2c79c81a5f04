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
//
// Pruning (exact too): with labels, the train rows are grouped by the class subspace they lie
// nearest (each class's top 16 eigenvectors), rows far off every one in a group of their own.
// Over a group with basis U, q·t ≤ ‖Uᵀq‖·max‖Uᵀt‖ + ‖q − UUᵀq‖·max‖t − UUᵀt‖, so a query skips a
// group whose bound is below the k-th best similarity it has already found (after its most
// promising group). MCR² features, classes on near-orthogonal subspaces, skip most groups: on
// the bench's 50,000 x 128 features a test row scans ~6,000 train rows instead of 50,000.
// Features without that structure scan every group, at the cost of the bases (~0.2 s there).
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
import { DenseKernels } from '../math/dense_simd.js';
import { symmetricEigenTop } from '../math/linalg.js';

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

/**
 * A run of packed panels whose rows all lie near one subspace: for t in the group,
 * ‖Uᵀt‖ ≤ a and ‖t − UUᵀt‖ ≤ b (U: basis `basis`, orthonormal columns), so for any query q
 * q·t ≤ ‖Uᵀq‖·a + ‖q − UUᵀq‖·b (Cauchy–Schwarz on both parts). basis −1: no bound (always scanned).
 */
export interface RowGroup {
  p0: number;
  p1: number;
  basis: number;
  a: number;
  b: number;
}

/** The train rows rounded to int16 and packed by panel, grouped, with what the bounds need. */
export interface PackedTrain {
  /** Panels: groups one after the other, each padded to whole panels (pairs x PANEL rows x 2 int16 each), as bytes. */
  panels: Uint8Array;
  /** Train row at each packed position (−1: padding). */
  rows: Int32Array;
  n: number;
  dim: number;
  /** max over rows of ‖T‖₁ (int units). */
  maxL1: number;
  /** s_T: T = round(s_T·t). */
  scale: number;
  groups: RowGroup[];
  /** The groups' bases side by side: dim x (count·BASIS), row-major (count 0: no bounds). */
  bases: Float32Array;
}

/** Whether every value is finite (the screening's bound needs finite rows). */
export function allFinite(x: Float32Array): boolean {
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) return false;
  return true;
}

/** Math.round for |v| ≤ 32768 (floor(v + ½) by truncation of a positive number: much faster). */
const round16 = (v: number): number => ((v + 32768.5) | 0) - 32768;

/** Columns of each class's basis (the top eigenvectors of its Gram matrix). */
const BASIS = 16;
/** A row whose residual off its nearest basis exceeds this part of its norm joins the unbounded group (or less: see packTrain). */
const OUTLIER = 0.5;
/** Features of more dimensions are not grouped (see packTrain). */
const GROUP_MAX_DIM = 512;

/**
 * An upper bound on the error of f32 projections onto a basis of BASIS columns, per unit of the
 * row's norm (a product's rounding: dim·2⁻²⁴ of Σ|u||t| ≤ √dim‖t‖, over BASIS coordinates, x2).
 */
const projSlack = (dim: number): number => 2 * dim ** 1.5 * Math.sqrt(BASIS) * 2 ** -24;

/**
 * ‖Uᵀx‖ and ‖x − UUᵀx‖ bounded above from a float32 projection p̃ (|‖p̃‖ − ‖Uᵀx‖| ≤ δ) and ‖x‖².
 */
function splitNorms(p2: number, x2: number, delta: number): [number, number] {
  const pn = Math.sqrt(p2);
  const lo = Math.max(0, pn - delta);
  return [pn + delta, Math.sqrt(Math.max(0, x2 - lo * lo))];
}

/**
 * Per class (labels with ≥ 2·BASIS rows) the top BASIS eigenvectors of F_jᵀF_j (rows normalised), side by side as
 * dim x (count·BASIS) float32; undefined where grouping cannot pay (few classes, small dim, no kernels).
 */
function classBases(trainX: Float32Array, trainY: Int32Array, dim: number, K: DenseKernels): Float32Array | undefined {
  const n = trainY.length;
  let numClasses = 0;
  for (let i = 0; i < n; i++) numClasses = Math.max(numClasses, trainY[i] + 1);
  const counts = new Int32Array(numClasses);
  for (let i = 0; i < n; i++) counts[trainY[i]]++;
  const classes = [...counts.keys()].filter((c) => counts[c] >= 2 * BASIS);
  if (classes.length < 2) return undefined;
  const pp = Math.ceil(dim / 8) * 8;
  const bases = new Float32Array(dim * classes.length * BASIS);
  const width = classes.length * BASIS;
  classes.forEach((c, ci) => {
    K.reset();
    K.reserve(counts[c] * pp * 4 + pp * pp * 4 + 64);
    const xAt = K.alloc(counts[c] * pp * 4);
    const gAt = K.alloc(pp * pp * 4);
    const x = K.f32(xAt, counts[c] * pp);
    x.fill(0);
    // Directions (unit rows): a few long rows should not pull a class's basis their way.
    for (let i = 0, r = 0; i < n; i++) {
      if (trainY[i] !== c) continue;
      let s2 = 0;
      for (let j = 0; j < dim; j++) s2 += trainX[i * dim + j] ** 2;
      const inv = s2 > 0 ? 1 / Math.sqrt(s2) : 0;
      for (let j = 0; j < dim; j++) x[pp * r + j] = trainX[i * dim + j] * inv;
      r++;
    }
    K.gram(xAt, pp, counts[c], pp, gAt);
    const gu = K.f32(gAt, pp * pp);
    const g = new Float64Array(dim * dim);
    for (let i = 0; i < dim; i++) {
      for (let j = i; j < dim; j++) {
        g[i * dim + j] = gu[i * pp + j];
        g[j * dim + i] = gu[i * pp + j];
      }
    }
    const v = symmetricEigenTop(g, dim, BASIS).vectors;
    for (let i = 0; i < dim; i++) for (let t = 0; t < BASIS; t++) bases[i * width + ci * BASIS + t] = v[i * BASIS + t];
  });
  return bases;
}

/** x (n x dim) · bases (dim x w) in float32 through the SIMD kernels: n x w, row-major. */
function project(x: Float32Array, n: number, dim: number, bases: Float32Array, w: number, K: DenseKernels): Float32Array {
  const pp = Math.ceil(dim / 8) * 8;
  const w8 = Math.ceil(w / 8) * 8;
  const out = new Float32Array(n * w);
  const rows = 4096; // a block of rows at a time: bounded memory
  K.reset();
  K.reserve((rows * pp + pp * w8 + rows * w8) * 4 + 64);
  const aAt = K.alloc(rows * pp * 4);
  const bAt = K.alloc(pp * w8 * 4);
  const cAt = K.alloc(rows * w8 * 4);
  const bv = K.f32(bAt, pp * w8);
  bv.fill(0);
  for (let i = 0; i < dim; i++) bv.set(bases.subarray(i * w, (i + 1) * w), i * w8);
  const av = K.f32(aAt, rows * pp);
  const cv = K.f32(cAt, rows * w8);
  for (let s = 0; s < n; s += rows) {
    const m = Math.min(rows, n - s);
    av.fill(0);
    for (let i = 0; i < m; i++) av.set(x.subarray((s + i) * dim, (s + i + 1) * dim), i * pp);
    K.gemm(aAt, pp, bAt, w8, cAt, w8, Math.ceil(m / 4) * 4, pp, w8, false);
    for (let i = 0; i < m; i++) out.set(cv.subarray(i * w8, i * w8 + w), (s + i) * w);
  }
  return out;
}

/**
 * `trainX` (n x dim) rounded, grouped and packed (undefined when a value is not finite: the
 * caller's float path runs). With labels, rows are grouped by the class subspace they lie nearest
 * (classBases), so that a query can skip whole groups its bound rules out; rows far from every
 * class subspace, or all rows without grouping, form one group that is always scanned.
 */
export function packTrain(trainX: Float32Array, dim: number, trainY?: Int32Array): PackedTrain | undefined {
  if (!allFinite(trainX)) return undefined;
  const n = trainX.length / dim;
  const pairs = paddedPairs(dim);
  const norm2 = new Float64Array(n);
  let maxNorm = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += trainX[i * dim + j] * trainX[i * dim + j];
    norm2[i] = s;
    if (s > maxNorm) maxNorm = s;
  }
  const scale = maxNorm > 0 ? SCALE / Math.sqrt(maxNorm) : 1;

  // Grouping: each row to the basis it is nearest (largest projection), outliers apart.
  const K = DenseKernels.get();
  // Not past GROUP_MAX_DIM: each class basis is the top of a dim x dim eigenproblem (O(dim³): minutes
  // for 3,072-d pixels, ten classes), where the grouping pays off on features of a few hundred dimensions.
  const bases =
    trainY !== undefined && dim >= 32 && dim <= GROUP_MAX_DIM && n >= 4096 && K !== undefined
      ? classBases(trainX, trainY, dim, K)
      : undefined;
  const nb = bases === undefined ? 0 : bases.length / (dim * BASIS);
  const group = new Int32Array(n).fill(nb); // nb: the unbounded group
  const ga = new Float64Array(nb);
  const gb = new Float64Array(nb);
  if (bases !== undefined) {
    const proj = project(trainX, n, dim, bases, nb * BASIS, K!);
    const slack = projSlack(dim);
    const pa = new Float64Array(n);
    const pb = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let best = -1;
      let bestP = -1;
      for (let c = 0; c < nb; c++) {
        let s = 0;
        for (let t = 0; t < BASIS; t++) s += proj[i * nb * BASIS + c * BASIS + t] ** 2;
        if (s > bestP) {
          bestP = s;
          best = c;
        }
      }
      [pa[i], pb[i]] = splitNorms(bestP, norm2[i], slack * Math.sqrt(norm2[i]));
      group[i] = best;
    }
    // A group's residual bound is its largest: rows far past the group's typical residual (twice
    // its median, relative to the norm, or OUTLIER) go to the unbounded group instead.
    const rel = (i: number) => (norm2[i] > 0 ? pb[i] / Math.sqrt(norm2[i]) : 0);
    const cap = new Float64Array(nb);
    for (let c = 0; c < nb; c++) {
      const r = [];
      for (let i = 0; i < n; i++) if (group[i] === c) r.push(rel(i));
      r.sort((x, y) => x - y);
      cap[c] = r.length > 0 ? Math.min(OUTLIER, 2 * r[r.length >> 1] + 0.02) : 0;
    }
    for (let i = 0; i < n; i++) {
      const c = group[i];
      if (rel(i) > cap[c]) {
        group[i] = nb;
        continue;
      }
      ga[c] = Math.max(ga[c], pa[i]);
      gb[c] = Math.max(gb[c], pb[i]);
    }
  }
  // Packed order: group by group (stable), each padded to whole panels.
  const counts = new Int32Array(nb + 1);
  for (let i = 0; i < n; i++) counts[group[i]]++;
  const groups: RowGroup[] = [];
  let panelsTotal = 0;
  for (let g = 0; g <= nb; g++) {
    if (counts[g] === 0) continue;
    const np = Math.ceil(counts[g] / PANEL);
    groups.push({ p0: panelsTotal, p1: panelsTotal + np, basis: g < nb ? g : -1, a: g < nb ? ga[g] : 0, b: g < nb ? gb[g] : 0 });
    panelsTotal += np;
  }
  const rows = new Int32Array(panelsTotal * PANEL).fill(-1);
  const fillAt = new Int32Array(nb + 1);
  for (const gr of groups) fillAt[gr.basis < 0 ? nb : gr.basis] = gr.p0 * PANEL;
  for (let i = 0; i < n; i++) rows[fillAt[group[i]]++] = i;
  const out = new Int16Array(panelsTotal * pairs * PANEL * 2);
  let maxL1 = 0;
  for (let pos = 0; pos < rows.length; pos++) {
    const i = rows[pos];
    if (i < 0) continue;
    // Position pos: panel ⌊pos/PANEL⌋, vector (pos mod PANEL)/4, lane pos mod 4; pair p at panel + p·2·PANEL + vector·8 + lane·2.
    let at = Math.floor(pos / PANEL) * pairs * PANEL * 2 + Math.floor((pos % PANEL) / 4) * 8 + (pos % 4) * 2;
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
  return { panels: new Uint8Array(out.buffer), rows, n, dim, maxL1, scale, groups, bases: bases ?? new Float32Array(0) };
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
  packed: Omit<PackedTrain, 'panels' | 'rows' | 'bases'> & { panels: SharedArrayBuffer; rows: SharedArrayBuffer; bases: SharedArrayBuffer };
  problem: ScreenProblem;
  from: number;
  to: number;
}

/** Statistics of a screening run (for the bench): train rows scanned per test row, over all. */
export interface ScreenStats {
  /** Σ over test rows of the train rows their tiles scanned. */
  scanned: number;
  queries: number;
}

interface Kernel {
  scan(q: number, t: number, np: number, thr: number, rec: number, row0: number): number;
}

/**
 * Bounds of test rows [s, s + b) over each group (into gBound, by position), and the order of
 * the rows by their most promising group (so that a tile's queries skip the same groups).
 * Without bases every bound is +∞ and the order is the rows' own.
 */
function groupBounds(
  packed: PackedTrain,
  testX: Float32Array,
  s: number,
  b: number,
  K: DenseKernels | undefined,
  gBound: Float64Array,
): { order: Int32Array; bestGroup: Int32Array } {
  const { dim, groups } = packed;
  const G = groups.length;
  gBound.fill(Infinity);
  const order = Int32Array.from({ length: b }, (_, i) => i);
  const bestGroup = new Int32Array(b);
  const nb = packed.bases.length / (dim * BASIS);
  if (K === undefined || nb === 0) return { order, bestGroup };
  const w = nb * BASIS;
  const proj = project(testX.subarray(s * dim, (s + b) * dim), b, dim, packed.bases, w, K);
  const slack = projSlack(dim);
  const byRow = new Float64Array(b * G).fill(Infinity);
  for (let i = 0; i < b; i++) {
    let x2 = 0;
    for (let j = 0; j < dim; j++) x2 += testX[(s + i) * dim + j] ** 2;
    const delta = slack * Math.sqrt(x2);
    let best = -1;
    for (let g = 0; g < G; g++) {
      const gr = groups[g];
      if (gr.basis < 0) continue;
      let p2 = 0;
      for (let t = 0; t < BASIS; t++) p2 += proj[i * w + gr.basis * BASIS + t] ** 2;
      const [u, v] = splitNorms(p2, x2, delta);
      byRow[i * G + g] = u * gr.a + v * gr.b;
      if (best < 0 || byRow[i * G + g] > byRow[i * G + best]) best = g;
    }
    bestGroup[i] = Math.max(0, best);
  }
  order.sort((x, y) => bestGroup[x] - bestGroup[y] || x - y);
  for (let pos = 0; pos < b; pos++) gBound.set(byRow.subarray(order[pos] * G, (order[pos] + 1) * G), pos * G);
  return { order, bestGroup };
}

/**
 * The block's queries rounded to int16 in tile layout (tile ⌊pos/4⌋, query pos mod 4, pair p at
 * tile + (a·pairs + p)·2 int16), with each one's scale s_q and 2E_q.
 */
function quantizeBlock(
  testX: Float32Array,
  dim: number,
  s: number,
  order: Int32Array,
  b: number,
  q16: Int16Array,
  tileInts: number,
  qScale: Float64Array,
  bound: Float64Array,
  maxL1: number,
): void {
  const pairs = paddedPairs(dim);
  q16.fill(0);
  for (let pos = 0; pos < b; pos++) {
    const o = (s + order[pos]) * dim;
    let nn = 0;
    for (let j = 0; j < dim; j++) nn += testX[o + j] * testX[o + j];
    const scale = nn > 0 ? SCALE / Math.sqrt(nn) : 1;
    qScale[pos] = scale;
    const base = Math.floor(pos / QA) * tileInts + (pos % QA) * pairs * 2;
    let l1 = 0;
    for (let j = 0; j < dim; j++) {
      const v = round16(testX[o + j] * scale);
      q16[base + j] = v;
      l1 += Math.abs(v);
    }
    // 2E_q, rounded up, one unit to spare for the float64 rescoring's own rounding.
    bound[pos] = Math.ceil(l1 + maxL1 + 0.5 * dim) + 2;
  }
}

/**
 * One test row's prediction: float64 products with its surviving candidates (those at or above
 * the threshold t), the k best (ties to the smaller row), their majority vote (ties to the smaller label).
 */
export function rescoreVote(
  testX: Float32Array,
  o: number,
  trainX: Float32Array,
  trainY: Int32Array,
  dim: number,
  cr: number[],
  cv: number[],
  t: number,
  k: number,
  bestV: Float64Array,
  bestR: Int32Array,
  votes: Float64Array,
): number {
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
  for (let c = 1; c < votes.length; c++) if (votes[c] > votes[best]) best = c;
  return best;
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
  stats?: ScreenStats,
): void {
  if (to <= from) return;
  const { dim, maxL1, groups, rows } = packed;
  const { k, numClasses } = p;
  const pairs = paddedPairs(dim);
  const panelBytes = pairs * PANEL * 4;
  const chunkPanels = Math.max(1, Math.floor(CHUNK_BYTES / panelBytes));
  const firstPanels = Math.ceil(FIRST_CHUNK_ROWS / PANEL);
  const block = Math.max(QA, Math.ceil(Math.min(p.block, to - from) / QA) * QA);
  const tiles = block / QA;
  const tileBytes = QA * pairs * 4;
  const nb = packed.bases.length / (dim * BASIS);
  // Memory: panels | query tiles of a block | thresholds | records of one call.
  const qAt = packed.panels.length;
  const thrAt = qAt + tiles * tileBytes;
  const recAt = thrAt + block * 4;
  const maxRecords = Math.max(chunkPanels, firstPanels) * QA * RV;
  const { exports: kern, memory } = instantiate<Kernel>(scanModuleFns(dim), recAt + maxRecords * RECORD);
  const heap = memory.buffer;
  new Uint8Array(heap).set(packed.panels, 0);
  const q16 = new Int16Array(heap, qAt, (tiles * tileBytes) / 2);
  const thr = new Int32Array(heap, thrAt, block);
  const rec = new Int32Array(heap, recAt, (maxRecords * RECORD) / 4);
  const K = nb > 0 ? DenseKernels.get() : undefined;

  // Per query position of the block: the k largest products so far (descending), 2E_q, s_q, the candidates.
  const top = new Int32Array(block * k);
  const topN = new Int32Array(block);
  const bound = new Float64Array(block);
  const qScale = new Float64Array(block);
  const candRows: number[][] = Array.from({ length: block }, () => []);
  const candVals: number[][] = Array.from({ length: block }, () => []);
  const compactAt = new Int32Array(block); // compact a list when it reaches this length
  const gBound = new Float64Array(block * groups.length); // bound on q·t over each group
  const votes = new Float64Array(numClasses);
  const bestV = new Float64Array(k);
  const bestR = new Int32Array(k);
  const INT_MIN = -(2 ** 31);
  /** The k-th best similarity is at least this (−∞ until k rows are seen). */
  const floorOf = (r: number): number => (topN[r] < k ? -Infinity : (top[r * k + k - 1] - bound[r] / 2) / (qScale[r] * packed.scale));

  for (let s = from; s < to; s += block) {
    const b = Math.min(block, to - s);
    // Bounds of each test row over each group; rows ordered by their most promising group, so
    // that a tile's queries skip the same groups.
    const { order, bestGroup } = groupBounds(packed, testX, s, b, K, gBound);
    q16.fill(0);
    topN.fill(0);
    thr.fill(INT_MIN);
    for (let r = 0; r < block; r++) {
      candRows[r].length = 0;
      candVals[r].length = 0;
    }
    compactAt.fill(4 * k + 64);
    quantizeBlock(testX, dim, s, order, b, q16, tileBytes / 2, qScale, bound, maxL1);
    // Positions past b are padding: they never pass (threshold above any product).
    for (let r = b; r < block; r++) thr[r] = 2 ** 31 - 1;
    const tilesHere = Math.ceil(b / QA);

    const scanChunk = (tile: number, c0: number, c1: number): void => {
      if (stats) stats.scanned += (c1 - c0) * PANEL * Math.min(QA, b - tile * QA);
      const count = kern.scan(qAt + tile * tileBytes, c0 * panelBytes, c1 - c0, thrAt + tile * QA * 4, recAt, c0 * PANEL);
      for (let e = 0; e < count; e++) {
        const pos0 = rec[e * 8 + 4];
        const r = tile * QA + rec[e * 8 + 5];
        const t = thr[r];
        for (let l = 0; l < 4; l++) {
          const v = rec[e * 8 + l];
          const row = rows[pos0 + l];
          if (v < t || row < 0) continue;
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
    };

    // Cohorts: runs of tiles whose first query has the same best group. Within one, groups in
    // order of promise (the best bounded one, then the unbounded, then the rest by bound); a
    // tile scans a group unless every query's bound over it is below its k-th best so far.
    for (let t0 = 0; t0 < tilesHere; ) {
      let t1 = t0 + 1;
      while (t1 < tilesHere && bestGroup[order[t1 * QA]] === bestGroup[order[t0 * QA]]) t1++;
      const promise = groups.map((_, g) => {
        let mx = -Infinity;
        for (let pos = t0 * QA; pos < Math.min(b, t1 * QA); pos++) mx = Math.max(mx, gBound[pos * groups.length + g]);
        return mx;
      });
      const bounded = groups.map((_, g) => g).filter((g) => groups[g].basis >= 0);
      bounded.sort((x, y) => promise[y] - promise[x] || x - y);
      const unbounded = groups.map((_, g) => g).filter((g) => groups[g].basis < 0);
      const gOrder = bounded.length > 0 ? [bounded[0], ...unbounded, ...bounded.slice(1)] : unbounded;
      let first = true;
      for (const g of gOrder) {
        const active: number[] = [];
        for (let tile = t0; tile < t1; tile++) {
          let need = false;
          for (let pos = tile * QA; pos < Math.min(b, tile * QA + QA) && !need; pos++)
            need = gBound[pos * groups.length + g] >= floorOf(pos);
          if (need) active.push(tile);
        }
        if (active.length === 0) continue;
        const { p0, p1 } = groups[g];
        for (let c0 = p0, size = first ? firstPanels : chunkPanels; c0 < p1; size = Math.min(chunkPanels, 2 * size)) {
          const c1 = Math.min(p1, c0 + size);
          for (const tile of active) scanChunk(tile, c0, c1);
          c0 = c1;
        }
        first = false;
      }
      t0 = t1;
    }

    for (let pos = 0; pos < b; pos++) {
      pred[s + order[pos]] = rescoreVote(
        testX,
        (s + order[pos]) * dim,
        trainX,
        trainY,
        dim,
        candRows[pos],
        candVals[pos],
        thr[pos],
        k,
        bestV,
        bestR,
        votes,
      );
    }
    if (stats) stats.queries += b;
  }
}
