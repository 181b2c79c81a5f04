// k-means as scikit-learn 1.2's KMeans(n_clusters, n_init=10, random_state=10) (evaluate.py
// --kmeans): k-means++ seeding with 2 + ⌊ln k⌋ local trials, Lloyd iterations up to max_iter 300,
// stop when the labels no longer change or the centres move less than tol x the mean per-feature
// variance in total (squared), best inertia over n_init restarts drawn from one RandomState.
//
// The seeding reproduces scikit-learn's draws exactly (same generator calls, distances computed in
// float64 and rounded to float32 for float32 data, numpy's blocked pairwise float32 sums), so the
// same seed picks the same initial centres. The Lloyd iterations use Elkan's bounds (an upper
// bound to the own centre, a lower bound to each other one, and half the centre-to-centre
// distances), which give Lloyd's assignments while skipping most distance computations; distances
// are float64 (scikit-learn uses float32 GEMM here, so assignments may differ on near-ties; on the
// test fixture and on 50,000 synthetic rows the final labels are scikit-learn's).
//
// The products of rows with candidates and centres (k-means++, the first assignment) run in
// lib/accel/row_dots.ts's WebAssembly SIMD kernel where there is one (~5x the JS loops).
//
// The npm package ml-kmeans (number[][] and a distance callback per pair) took 17.6 s for a
// single initialisation on 50,000 x 128 here, so ~3 minutes for n_init = 10.
import { dot4 } from '../math/linalg.js';
import { RandomState } from '../math/random.js';
import { RowDots } from '../accel/row_dots.js';
import { availableCores, runWorker, sharedCopy } from '../accel/threads.js';
import { workerScript } from '../io/paths.js';
import { checkInt } from '../options/checks.js';
import { type FeaturesLike, featureMatrix, notFitted, type Threads, threadCount } from './input.js';

/** Options of {@link KMeans}. */
export interface KMeansOptions {
  /** Number of clusters (default 10, evaluate.py's --n). */
  nClusters?: number;
  /** Restarts from fresh k-means++ seeds; the lowest inertia wins (default 10). */
  nInit?: number;
  /** Lloyd iterations per restart (default 300). */
  maxIter?: number;
  /** Relative tolerance: stop when Σ‖Δcentre‖² ≤ tol · mean feature variance (default 1e-4). */
  tol?: number;
  /** Seed of the numpy RandomState that draws the seeds (default 10, as evaluate.py). */
  randomState?: number;
  /**
   * Worker threads for the restarts, this one included: a count, or 'auto' (default: every core).
   * The clustering is the same for any count.
   */
  threads?: Threads;
}

/** The defaults of {@link KMeans}: scikit-learn 1.2's KMeans with evaluate.py's `--n 10` and random_state 10. */
export const KMEANS_DEFAULTS = {
  nClusters: 10,
  nInit: 10,
  maxIter: 300,
  tol: 1e-4,
  randomState: 10,
  threads: 'auto',
} as const satisfies Required<KMeansOptions>;

export interface KMeansResult {
  /** Cluster of each row, 0..nClusters-1. */
  labels: Int32Array;
  /** nClusters x dim centres, row-major, in the input's coordinates. */
  centers: Float64Array;
  /** Sum of squared distances of rows to their centres. */
  inertia: number;
  /** Lloyd iterations of the winning restart. */
  nIter: number;
}

/** numpy's sum of a contiguous run: pairwise within blocks of 8192, blocks added in order. */
export function numpySum(a: ArrayLike<number>, start: number, n: number, float32: boolean): number {
  const r = float32 ? Math.fround : (v: number) => v;
  let total = 0;
  for (let b = 0; b < n; b += 8192) total = r(total + pairwise(a, start + b, Math.min(8192, n - b), r));
  return total;
}

function pairwise(a: ArrayLike<number>, s: number, n: number, r: (v: number) => number): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res = r(res + a[s + i]);
    return res;
  }
  if (n <= 128) {
    let r0 = a[s],
      r1 = a[s + 1],
      r2 = a[s + 2],
      r3 = a[s + 3];
    let r4 = a[s + 4],
      r5 = a[s + 5],
      r6 = a[s + 6],
      r7 = a[s + 7];
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      r0 = r(r0 + a[s + i]);
      r1 = r(r1 + a[s + i + 1]);
      r2 = r(r2 + a[s + i + 2]);
      r3 = r(r3 + a[s + i + 3]);
      r4 = r(r4 + a[s + i + 4]);
      r5 = r(r5 + a[s + i + 5]);
      r6 = r(r6 + a[s + i + 6]);
      r7 = r(r7 + a[s + i + 7]);
    }
    let res = r(r(r(r0 + r1) + r(r2 + r3)) + r(r(r4 + r5) + r(r6 + r7)));
    for (; i < n; i++) res = r(res + a[s + i]);
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return r(pairwise(a, s, n2, r) + pairwise(a, s + n2, n - n2, r));
}

/** Squared norms of the rows of x (float64). */
function rowNorms(x: Float64Array, n: number, dim: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * dim;
    let s = 0;
    for (let j = 0; j < dim; j++) s += x[o + j] * x[o + j];
    out[i] = s;
  }
  return out;
}

/**
 * scikit-learn's _kmeans_plusplus on (already centred) data: indices of the chosen rows. For
 * float32 data the distances are rounded to float32 and the potentials summed in float32, as there.
 */
export function kmeansPlusPlus(
  data: Float32Array | Float64Array,
  dim: number,
  k: number,
  rng: RandomState,
  xNorms?: Float64Array,
  float32 = data instanceof Float32Array,
  rowDots?: RowDots,
): Int32Array {
  const n = data.length / dim;
  const f32 = float32;
  const x = data instanceof Float64Array ? data : Float64Array.from(data); // one element type in the hot loops
  const round = f32 ? Math.fround : (v: number) => v;
  const norms = xNorms ?? rowNorms(x, n, dim);
  const trials = 2 + Math.floor(Math.log(k));
  const indices = new Int32Array(k);
  const store = f32 ? Float32Array : Float64Array;
  // ‖c‖² − 2 c·x + ‖x‖² (scikit-learn's order of operations) from candidate rows to every row,
  // floored at 0; the products c·x from the SIMD kernel where there is one (lib/accel/row_dots.ts).
  const dots = rowDots ?? RowDots.create(x, n, dim);
  const sums = dots === undefined ? [] : Array.from({ length: trials }, () => new Float64Array(n));
  const distances = (cand: Int32Array, out: Array<Float32Array | Float64Array>): void => {
    if (dots !== undefined) {
      dots.dots(x, cand, sums);
      for (let t = 0; t < cand.length; t++) {
        const o = out[t];
        const s = sums[t];
        const nc = norms[cand[t]];
        if (f32) for (let i = 0; i < n; i++) o[i] = Math.max(Math.fround(-2 * s[i] + nc + norms[i]), 0);
        else for (let i = 0; i < n; i++) o[i] = Math.max(-2 * s[i] + nc + norms[i], 0);
      }
      return;
    }
    // Four candidates per pass over the data.
    for (let t = 0; t < cand.length; t += 4) {
      const at = (u: number): number => t + Math.min(u, cand.length - 1 - t); // repeat the last when fewer than 4
      const c0 = cand[at(0)] * dim,
        c1 = cand[at(1)] * dim,
        c2 = cand[at(2)] * dim,
        c3 = cand[at(3)] * dim;
      const n0 = norms[cand[at(0)]],
        n1 = norms[cand[at(1)]],
        n2 = norms[cand[at(2)]],
        n3 = norms[cand[at(3)]];
      const o0 = out[at(0)],
        o1 = out[at(1)],
        o2 = out[at(2)],
        o3 = out[at(3)];
      for (let i = 0; i < n; i++) {
        const s = fourDots(x, i * dim, x, c0, c1, c2, c3, dim);
        const xn = norms[i];
        o0[i] = Math.max(round(-2 * s[0] + n0 + xn), 0);
        o1[i] = Math.max(round(-2 * s[1] + n1 + xn), 0);
        o2[i] = Math.max(round(-2 * s[2] + n2 + xn), 0);
        o3[i] = Math.max(round(-2 * s[3] + n3 + xn), 0);
      }
    }
  };
  indices[0] = rng.randint(0, n, 1)[0];
  let closest = new store(n);
  distances(Int32Array.of(indices[0]), [closest]);
  let pot = numpySum(closest, 0, n, f32);
  const cum = new Float64Array(n);
  const cand = new Int32Array(trials);
  const rows = Array.from({ length: trials }, () => new store(n));
  for (let c = 1; c < k; c++) {
    let acc = 0;
    for (let i = 0; i < n; i++) cum[i] = acc += closest[i];
    const u = rng.random(trials);
    for (let t = 0; t < trials; t++) {
      // np.searchsorted(cum, u·pot): the first index whose cumulative sum reaches the value.
      const v = u[t] * pot;
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (cum[mid] < v) lo = mid + 1;
        else hi = mid;
      }
      cand[t] = Math.min(lo, n - 1);
    }
    distances(cand, rows);
    let best = -1;
    let bestPot = Infinity;
    for (let t = 0; t < trials; t++) {
      const row = rows[t];
      for (let i = 0; i < n; i++) if (closest[i] < row[i]) row[i] = closest[i];
      const p = numpySum(row, 0, n, f32);
      if (p < bestPot || best < 0) {
        bestPot = p;
        best = t;
      }
    }
    pot = bestPot;
    const keep = rows[best];
    rows[best] = closest;
    closest = keep;
    indices[c] = cand[best];
  }
  return indices;
}

export interface Run {
  labels: Int32Array;
  centers: Float64Array;
  inertia: number;
  nIter: number;
}

const FOUR = new Float64Array(4);

/**
 * Σ_j u[uo + j]·w[q + j] for four offsets q at once (one load of u[j] feeds four independent sums,
 * each in j order), in a shared 4-vector: read it before the next call.
 */
function fourDots(
  u: Float64Array | Float32Array,
  uo: number,
  w: Float64Array | Float32Array,
  q0: number,
  q1: number,
  q2: number,
  q3: number,
  dim: number,
): Float64Array {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (let j = 0; j < dim; j++) {
    const v = u[uo + j];
    s0 += v * w[q0 + j];
    s1 += v * w[q1 + j];
    s2 += v * w[q2 + j];
    s3 += v * w[q3 + j];
  }
  FOUR[0] = s0;
  FOUR[1] = s1;
  FOUR[2] = s2;
  FOUR[3] = s3;
  return FOUR;
}

/** Squared distances from row i to every centre (float64, floored at 0) into out. */
function allDistances(
  x: Float64Array,
  o: number,
  xn: number,
  centers: Float64Array,
  cNorms: Float64Array,
  k: number,
  dim: number,
  out: Float64Array,
): void {
  // Four centres per pass over the row: one load of x[j] feeds four independent sums.
  let a = 0;
  for (; a < k; a += 4) {
    const m = Math.min(4, k - a);
    const q0 = a * dim;
    const q1 = (a + Math.min(1, m - 1)) * dim;
    const q2 = (a + Math.min(2, m - 1)) * dim;
    const q3 = (a + Math.min(3, m - 1)) * dim;
    const s = fourDots(x, o, centers, q0, q1, q2, q3, dim);
    out[a] = Math.max(xn - 2 * s[0] + cNorms[a], 0);
    if (m > 1) out[a + 1] = Math.max(xn - 2 * s[1] + cNorms[a + 1], 0);
    if (m > 2) out[a + 2] = Math.max(xn - 2 * s[2] + cNorms[a + 2], 0);
    if (m > 3) out[a + 3] = Math.max(xn - 2 * s[3] + cNorms[a + 3], 0);
  }
}

function oneDistance(x: Float64Array, o: number, xn: number, centers: Float64Array, cNorm: number, q: number, dim: number): number {
  return Math.sqrt(Math.max(xn - 2 * dot4(x, o, centers, q, dim, false) + cNorm, 0));
}

/** One Lloyd run from the given initial rows, with Elkan's bounds. */
function lloyd(
  x: Float64Array,
  norms: Float64Array,
  n: number,
  dim: number,
  k: number,
  init: Int32Array,
  maxIter: number,
  tol: number,
  rowDots?: RowDots,
): Run {
  let centers = new Float64Array(k * dim);
  for (let c = 0; c < k; c++) for (let j = 0; j < dim; j++) centers[c * dim + j] = x[init[c] * dim + j];
  let next = new Float64Array(k * dim);
  const labels = new Int32Array(n).fill(-1);
  // Bounds are stored offset by each centre's total movement so far (drift): the true upper bound
  // is upper[i] + drift[label], the lower one lower[i·k + c] − drift[c]. Moving the centres then
  // costs O(k), not O(n·k).
  const upper = new Float64Array(n); // ≥ distance to the own centre, stored − drift[label]
  const lower = new Float64Array(n * k); // ≤ distance to each centre, stored + drift[c]
  const drift = new Float64Array(k);
  const sums = new Float64Array(k * dim);
  const counts = new Float64Array(k);
  const cNorms = new Float64Array(k);
  const halfCC = new Float64Array(k * k); // ½ distance between centres
  const half = new Float64Array(k); // ½ distance to the nearest other centre
  const shift = new Float64Array(k);
  const d = new Float64Array(k);
  let strict = false;
  let iter = 0;

  const centreGeometry = (): void => {
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < dim; j++) s += centers[c * dim + j] ** 2;
      cNorms[c] = s;
    }
    half.fill(Infinity);
    for (let a = 0; a < k; a++) {
      for (let b = a + 1; b < k; b++) {
        let s = 0;
        for (let j = 0; j < dim; j++) s += (centers[a * dim + j] - centers[b * dim + j]) ** 2;
        const h = Math.sqrt(s) / 2;
        halfCC[a * k + b] = halfCC[b * k + a] = h;
        if (h < half[a]) half[a] = h;
        if (h < half[b]) half[b] = h;
      }
    }
  };

  const move = (i: number, from: number, to: number): void => {
    const o = i * dim;
    if (from >= 0) {
      counts[from]--;
      for (let j = 0; j < dim; j++) sums[from * dim + j] -= x[o + j];
    }
    counts[to]++;
    for (let j = 0; j < dim; j++) sums[to * dim + j] += x[o + j];
  };

  // The first E-step's products of every row with every centre, from the SIMD kernel (when there is one).
  const firstDots = rowDots === undefined ? undefined : Array.from({ length: k }, () => new Float64Array(n));
  // E-step: returns how many labels changed; keeps sums/counts in step with the labels.
  const assign = (first: boolean): number => {
    centreGeometry();
    if (first && firstDots !== undefined)
      rowDots!.dots(
        centers,
        Int32Array.from({ length: k }, (_, c) => c),
        firstDots,
      );
    let moved = 0;
    for (let i = 0; i < n; i++) {
      const o = i * dim;
      const li = i * k;
      const old = labels[i];
      if (first) {
        if (firstDots === undefined) allDistances(x, o, norms[i], centers, cNorms, k, dim, d);
        else for (let c = 0; c < k; c++) d[c] = Math.max(norms[i] - 2 * firstDots[c][i] + cNorms[c], 0);
        let b = 0;
        for (let c = 1; c < k; c++) if (d[c] < d[b]) b = c;
        for (let c = 0; c < k; c++) lower[li + c] = Math.sqrt(d[c]) + drift[c];
        upper[i] = Math.sqrt(d[b]) - drift[b];
        labels[i] = b;
        move(i, -1, b);
        moved++;
        continue;
      }
      let a = old;
      let u = upper[i] + drift[a];
      if (u <= half[a]) continue;
      let tight = false;
      for (let c = 0; c < k; c++) {
        if (c === a || u <= lower[li + c] - drift[c] || u <= halfCC[a * k + c]) continue;
        if (!tight) {
          u = oneDistance(x, o, norms[i], centers, cNorms[a], a * dim, dim);
          lower[li + a] = u + drift[a];
          tight = true;
          if (u <= lower[li + c] - drift[c] || u <= halfCC[a * k + c]) continue;
        }
        const dc = oneDistance(x, o, norms[i], centers, cNorms[c], c * dim, dim);
        lower[li + c] = dc + drift[c];
        // Ties go to the smaller centre index, as an argmin would.
        if (dc < u || (dc === u && c < a)) {
          a = c;
          u = dc;
        }
      }
      upper[i] = u - drift[a];
      if (a !== old) {
        labels[i] = a;
        move(i, old, a);
        moved++;
      }
    }
    return moved;
  };

  for (iter = 0; iter < maxIter; iter++) {
    const changed = assign(iter === 0);
    // M-step: means; an empty cluster takes the point farthest from its centre (scikit-learn's
    // relocation, for this step only: that point keeps its label, and the running sums stay the
    // sums over labels).
    const empty: number[] = [];
    for (let c = 0; c < k; c++) if (counts[c] === 0) empty.push(c);
    const s = Float64Array.from(sums);
    const w = Float64Array.from(counts);
    if (empty.length > 0) {
      const far = Array.from({ length: n }, (_, i) => i);
      const dist = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let t = 0;
        for (let j = 0; j < dim; j++) t += (x[i * dim + j] - centers[labels[i] * dim + j]) ** 2;
        dist[i] = t;
      }
      far.sort((a, b) => dist[b] - dist[a] || a - b);
      empty.forEach((c, e) => {
        const p = far[e];
        const from = labels[p];
        for (let j = 0; j < dim; j++) {
          s[from * dim + j] -= x[p * dim + j];
          s[c * dim + j] = x[p * dim + j];
        }
        w[c] = 1;
        w[from] -= 1;
      });
    }
    for (let c = 0; c < k; c++) {
      for (let j = 0; j < dim; j++) next[c * dim + j] = w[c] > 0 ? s[c * dim + j] / w[c] : centers[c * dim + j];
    }
    let total = 0;
    for (let c = 0; c < k; c++) {
      let t = 0;
      for (let j = 0; j < dim; j++) t += (next[c * dim + j] - centers[c * dim + j]) ** 2;
      shift[c] = Math.sqrt(t);
      total += t;
    }
    [centers, next] = [next, centers];
    // The bounds move with the centres (see drift).
    for (let c = 0; c < k; c++) drift[c] += shift[c];
    if (iter > 0 && changed === 0) {
      strict = true;
      break;
    }
    if (total <= tol) break;
  }
  if (iter === maxIter) iter--;
  if (!strict) assign(false); // labels that match the final centres
  let inertia = 0;
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    let t = 0;
    for (let j = 0; j < dim; j++) t += (x[i * dim + j] - centers[c * dim + j]) ** 2;
    inertia += t;
  }
  return { labels, centers, inertia, nIter: iter + 1 };
}

/** scikit-learn's _is_same_clustering: labels1 maps consistently onto labels2. */
function sameClustering(a: Int32Array, b: Int32Array, k: number): boolean {
  const map = new Int32Array(k).fill(-1);
  for (let i = 0; i < a.length; i++) {
    if (map[a[i]] === -1) map[a[i]] = b[i];
    else if (map[a[i]] !== b[i]) return false;
  }
  return true;
}

/** Data centred as scikit-learn does, with what every restart needs. */
export interface KMeansProblem {
  xc: Float64Array;
  norms: Float64Array;
  mean: Float64Array;
  n: number;
  dim: number;
  k: number;
  nInit: number;
  maxIter: number;
  tolAbs: number;
  seed: number;
  f32: boolean;
}

export function kmeansProblem(x: Float32Array | Float64Array, dim: number, opts: KMeansOptions = {}): KMeansProblem {
  const D = KMEANS_DEFAULTS;
  const k = opts.nClusters ?? D.nClusters;
  const nInit = opts.nInit ?? D.nInit;
  const maxIter = opts.maxIter ?? D.maxIter;
  const tol = opts.tol ?? D.tol;
  const seed = opts.randomState ?? D.randomState;
  if (!(Number.isInteger(dim) && dim >= 1)) throw new Error(`k-means: dim must be a positive integer, got ${dim}`);
  const n = x.length / dim;
  if (!Number.isInteger(n)) throw new Error(`k-means: features (${x.length} values) are not a multiple of dim ${dim}`);
  if (!(Number.isInteger(k) && k >= 1)) throw new Error(`k-means: nClusters must be a positive integer, got ${k}`);
  if (n < k) throw new Error(`k-means: ${n} rows cannot form ${k} clusters`);
  if (!(Number.isInteger(nInit) && nInit >= 1)) throw new Error(`k-means: nInit must be a positive integer, got ${nInit}`);
  if (!(Number.isInteger(maxIter) && maxIter >= 1)) throw new Error(`k-means: maxIter must be a positive integer, got ${maxIter}`);
  if (!(tol >= 0)) throw new Error(`k-means: tol must be ≥ 0, got ${tol}`);
  for (let i = 0; i < x.length; i++)
    if (!Number.isFinite(x[i])) throw new Error(`k-means: feature ${i} (row ${Math.floor(i / dim)}) is ${x[i]}`);
  const f32 = x instanceof Float32Array;
  const round = f32 ? Math.fround : (v: number) => v;

  // Centre the data in the input's precision, as scikit-learn does before clustering (distances
  // do not change; their rounding does), and take tol relative to the mean feature variance.
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mean[j] = round(mean[j] + x[i * dim + j]);
  for (let j = 0; j < dim; j++) mean[j] = round(mean[j] / n);
  // Float64Array either way (float32 values stay exact), so that the hot loops see one type.
  const xc = new Float64Array(x.length);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) xc[i * dim + j] = round(x[i * dim + j] - mean[j]);
  // Mean per-feature variance (float64, two passes, row by row for the cache).
  const m64 = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) m64[j] += x[i * dim + j];
  for (let j = 0; j < dim; j++) m64[j] /= n;
  let variance = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) variance += (x[i * dim + j] - m64[j]) ** 2;
  return { xc, norms: rowNorms(xc, n, dim), mean, n, dim, k, nInit, maxIter, tolAbs: (variance / n / dim) * tol, seed, f32 };
}

const rowDotsOf = new WeakMap<Float64Array, RowDots | undefined>();

/**
 * Restart r alone. Every restart's k-means++ draws the same number of values whatever the data, so
 * restart r's seeds come from replaying the draws of restarts 0..r−1 without touching the data:
 * any thread can run any restart and get what the sequential loop gets.
 */
export function kmeansRestart(p: KMeansProblem, r: number): Run {
  const rng = new RandomState(p.seed);
  const trials = 2 + Math.floor(Math.log(p.k));
  for (let i = 0; i < r; i++) {
    rng.randint(0, p.n, 1);
    for (let c = 1; c < p.k; c++) rng.random(trials);
  }
  // The rows' copy in the SIMD kernel's memory, made once per problem and thread.
  let dots = rowDotsOf.get(p.xc);
  if (dots === undefined && !rowDotsOf.has(p.xc)) {
    dots = RowDots.create(p.xc, p.n, p.dim);
    rowDotsOf.set(p.xc, dots);
  }
  const init = kmeansPlusPlus(p.xc, p.dim, p.k, rng, p.norms, p.f32, dots);
  return lloyd(p.xc, p.norms, p.n, p.dim, p.k, init, p.maxIter, p.tolAbs, dots);
}

/** The lowest inertia over restarts in order (an equal clustering found later does not replace it). */
export function bestRun(p: KMeansProblem, runs: Run[]): KMeansResult {
  let best: Run | undefined;
  for (const run of runs) {
    if (best === undefined || (run.inertia < best.inertia && !sameClustering(run.labels, best.labels, p.k))) best = run;
  }
  const centers = Float64Array.from(best!.centers);
  for (let c = 0; c < p.k; c++) for (let j = 0; j < p.dim; j++) centers[c * p.dim + j] += p.mean[j];
  return { labels: best!.labels, centers, inertia: best!.inertia, nIter: best!.nIter };
}

/** k-means of the rows of x (n x dim, row-major) on this thread: what EnSC's spectral step runs. */
export function kmeansCluster(x: Float32Array | Float64Array, dim: number, opts: KMeansOptions = {}): KMeansResult {
  const p = kmeansProblem(x, dim, opts);
  return bestRun(
    p,
    Array.from({ length: p.nInit }, (_, r) => kmeansRestart(p, r)),
  );
}

/** What a worker needs: the problem with its arrays in shared memory, and which restarts to run. */
export interface KMeansJob {
  problem: Omit<KMeansProblem, 'xc' | 'norms'> & { xc: SharedArrayBuffer; norms: SharedArrayBuffer };
  restarts: number[];
}

/**
 * The restarts spread over `threads` threads (this one included; undefined: every core): restart r
 * gives the same result on any thread (kmeansRestart), so the winner is the sequential loop's.
 */
async function kmeansOnThreads(p: KMeansProblem, threads?: number): Promise<KMeansResult> {
  const t = Math.max(1, Math.min(threads ?? availableCores(), p.nInit));
  const runs: Run[] = new Array(p.nInit);
  const script = workerScript(__dirname, 'kmeans_worker');
  if (t === 1 || script === undefined) {
    for (let r = 0; r < p.nInit; r++) runs[r] = kmeansRestart(p, r);
    return bestRun(p, runs);
  }
  const problem = { ...p, xc: sharedCopy(p.xc), norms: sharedCopy(p.norms) };
  const share = (i: number) => Array.from({ length: p.nInit }, (_, r) => r).filter((r) => r % t === i);
  const pending = Array.from({ length: t - 1 }, (_, w) => {
    const job: KMeansJob = { problem, restarts: share(w + 1) };
    return runWorker(script, job, 'k-means', (m) => {
      const { r, run } = m as { r: number; run: Run };
      runs[r] = run;
    });
  });
  for (const r of share(0)) runs[r] = kmeansRestart(p, r);
  await Promise.all(pending);
  return bestRun(p, runs);
}

/**
 * k-means, scikit-learn 1.2's `KMeans(n_clusters, n_init=10, random_state=10)` (evaluate.py
 * --kmeans): k-means++ seeds drawn as scikit-learn draws them, Lloyd iterations, the lowest
 * inertia over `nInit` restarts. Float64 input is clustered in float64, anything else in float32
 * rounding, as scikit-learn does for its input's dtype.
 *
 * ```ts
 * const km = await new KMeans({ nClusters: 10 }).fit(train);   // train: { features, n, dim }
 * km.labels; km.centers; km.inertia;
 * ```
 */
export class KMeans {
  /** The options with their defaults. */
  readonly options: Readonly<Required<KMeansOptions>>;
  private result?: KMeansResult;

  constructor(opts: KMeansOptions = {}) {
    this.options = { ...KMEANS_DEFAULTS, ...opts };
    const o = this.options;
    for (const k of ['nClusters', 'nInit', 'maxIter'] as const) checkInt(o, k, 1, Infinity, 'k-means');
    threadCount(o.threads, 'k-means');
  }

  /** Clusters the rows of `x` (`dim`: the row length of a flat array). */
  async fit(x: FeaturesLike, dim?: number): Promise<this> {
    const m = featureMatrix(x, 'KMeans.fit(x)', { dim, keepFloat64: true });
    const p = kmeansProblem(m.features, m.dim, this.options);
    this.result = await kmeansOnThreads(p, threadCount(this.options.threads, 'k-means'));
    return this;
  }

  /** fit, then the cluster of each row. */
  async fitPredict(x: FeaturesLike, dim?: number): Promise<Int32Array> {
    return (await this.fit(x, dim)).labels;
  }

  private fitted(what: string): KMeansResult {
    if (this.result === undefined) throw notFitted('KMeans', what);
    return this.result;
  }

  /** The nearest centre of each row of `x` (squared Euclidean distance; ties to the smaller index). */
  predict(x: FeaturesLike): Int32Array {
    const { centers } = this.fitted('predict');
    const k = this.options.nClusters;
    const dim = centers.length / k;
    const { features, n } = featureMatrix(x, 'KMeans.predict(x)', { dim, keepFloat64: true });
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let best = Infinity;
      for (let c = 0; c < k; c++) {
        let d = 0;
        for (let j = 0; j < dim; j++) d += (features[i * dim + j] - centers[c * dim + j]) ** 2;
        if (d < best) {
          best = d;
          out[i] = c;
        }
      }
    }
    return out;
  }

  /** Cluster of each train row, 0..nClusters-1 (labels_). */
  get labels(): Int32Array {
    return this.fitted('labels').labels;
  }
  /** nClusters x dim centres, row-major (cluster_centers_). */
  get centers(): Float64Array {
    return this.fitted('centers').centers;
  }
  /** Sum of squared distances of the train rows to their centres (inertia_). */
  get inertia(): number {
    return this.fitted('inertia').inertia;
  }
  /** Lloyd iterations of the winning restart (n_iter_). */
  get nIter(): number {
    return this.fitted('nIter').nIter;
  }
}
