// Elastic-net subspace clustering (EnSC, You, Li, Robinson & Vidal, CVPR 2016) as the official
// ElasticNetSubspaceClustering (cluster.py, evaluate.py --ensc with gam 300, tau 1; see
// the official evaluate.py and cluster.py, github.com/ryanchankh/mcr2):
//
//  1. Self-expression: each row x_i is coded by the others, min ½‖x_i − Σ_j c_ij x_j‖² + λ_i‖c_i‖₁,
//     λ_i = max_{j≠i} |x_jᵀx_i| / (τγ), solved by the active-support algorithm: a lasso (exact:
//     LARS for the first support, then the feature-sign search started from the previous solution,
//     lasso.ts) over a support of atoms, started from the 100 most coherent rows, grown
//     by the rows whose coherence |δᵀx_j| with the scaled residual δ = (x_i − Σ c_ij x_j)/λ_i exceeds
//     τ, until none does (then c_i solves the lasso over all rows) or the objective stalls.
//     The 50 largest |c_ij| of each row are kept.
//  2. Affinity A = ½(|C| + |C|ᵀ) after normalising the rows of C; normalised spectral clustering:
//     the top n eigenvectors of I − L_sym = D^{-1/2} A D^{-1/2} (sparse.ts), rows normalised,
//     k-means with 20 restarts.
//
// Cost: the coherences are the only all-pairs work, N²·d multiply-adds per support round done as
// float32 matrix products on the tfjs backend, blocks of rows at a time (exact float64 values are
// recomputed for the few entries that decide anything); the lasso solves cost O(s·a·d) per row
// and round for supports of s ≈ 100 atoms and a active ones, independent of N; the eigenvectors
// O(nnz) per product. So time grows as N (lasso, dominant up to ~10^4 rows) plus N² (coherences).
// The number of support rounds grows with the noise off the subspaces: about 2 on clean subspace
// data, 8 to 15 on noisy features where a row's lasso uses ~100 atoms. Rows are independent, so
// EnSC's `threads` option splits them over worker threads (same C, same clustering).
//
// Where the official code's scikit-learn LassoLars loses accuracy on nearly dependent atoms,
// coefficients differ slightly (the fixture test: 26 of 600 rows, each with a lower objective here).
import * as tf from '@tensorflow/tfjs';
import { workerScript } from '../io/paths.js';
import { workerBackend } from '../accel/backend.js';
import { availableCores, runWorker, sharedCopy } from '../accel/threads.js';
import { choleskyRemove, type LassoResult, lassoFeatureSign, lassoLars, type WarmStart } from './lasso.js';
import { type CsrMatrix, csrFromTriplets, topEigenpairs } from './sparse.js';
import { kmeansCluster } from './kmeans.js';
import { type FeaturesLike, featureMatrix32, notFitted, type Threads, threadCount } from './input.js';

/** Options of {@link EnSC}. */
export interface EnscOptions {
  /** Number of clusters (default 10, evaluate.py's --n). */
  nClusters?: number;
  /** γ: λ_i is the largest coherence of x_i divided by τγ (default 300, evaluate.py's --gam). */
  gamma?: number;
  /**
   * τ, the l1 share of the elastic net (default 1). Only 1 (the lasso) is implemented, as the
   * official lasso_lars; another value warns and uses 1, as the official code does.
   */
  tau?: number;
  /** Coefficients kept per row (default 50). */
  nNonzero?: number;
  /** First support size of the active-support algorithm (default 100). */
  supportSize?: number;
  /** Active-support rounds per row (default 40). */
  maxSupportIter?: number;
  /** k-means restarts on the spectral embedding (default 20). */
  nInit?: number;
  /** Seed of the k-means restarts and the eigensolver's start (default 10; the official code leaves k-means unseeded). */
  randomState?: number;
  /** Rows whose coherences with all rows are computed together (default: ~8M coherences per block). */
  blockRows?: number;
  /**
   * Worker threads for the self-expression, this one included: a count, or 'auto' (default: every
   * core; under 500 rows on this thread alone). C and the clustering are the same for any count.
   */
  threads?: Threads;
  /** Where warnings go (default console.warn). */
  warn?: (message: string) => void;
}

/**
 * The defaults of {@link EnSC}: the official ElasticNetSubspaceClustering as evaluate.py calls it
 * (`--n 10`, `--gam 300`, `--tau 1`); `blockRows` defaults to ~8M coherences per block.
 */
export const ENSC_DEFAULTS = {
  nClusters: 10,
  gamma: 300,
  tau: 1,
  nNonzero: 50,
  supportSize: 100,
  maxSupportIter: 40,
  nInit: 20,
  randomState: 10,
  threads: 'auto',
} as const satisfies EnscOptions;

export interface EnscResult {
  labels: Int32Array;
  /** The self-expression C (N x N, at most nNonzero entries a row). */
  representation: CsrMatrix;
  /** The affinity ½(|C̃| + |C̃|ᵀ) of the row-normalised C̃. */
  affinity: CsrMatrix;
  /** The nClusters largest eigenvalues of I − L_sym, descending. */
  eigenvalues: Float64Array;
  /** Seconds spent in the self-expression, the eigenvectors and k-means. */
  seconds: { representation: number; spectral: number; kmeans: number };
}

/** Python's round() of a float: to the nearest integer, ties to even. */
function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** Indices of the `count` largest keys (any order), by quickselect on a scratch index array. */
function topIndices(keys: Float32Array | Float64Array, idx: Int32Array, len: number, count: number): Int32Array {
  if (count >= len) return idx.slice(0, len);
  let lo = 0;
  let hi = len - 1;
  const k = count - 1; // position of the last kept element in descending order
  while (lo < hi) {
    // Median of three as the pivot.
    const mid = (lo + hi) >>> 1;
    const a = keys[idx[lo]],
      b = keys[idx[mid]],
      c = keys[idx[hi]];
    const pivot = a > b ? (b > c ? b : a > c ? c : a) : a > c ? a : b > c ? c : b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (keys[idx[i]] > pivot) i++;
      while (keys[idx[j]] < pivot) j--;
      if (i <= j) {
        const t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return idx.slice(0, count);
}

interface RowState {
  i: number;
  lambda: number;
  supp: Int32Array;
  supportSize: number;
  obj: number;
  cs: Float64Array;
  delta: Float64Array;
  done: boolean;
  warm?: WarmStart;
  last?: LassoResult;
}

function dot64(a: Float64Array, ao: number, b: Float64Array, bo: number, n: number): number {
  let s = 0;
  for (let j = 0; j < n; j++) s += a[ao + j] * b[bo + j];
  return s;
}

/** The options with their defaults, checked. */
export interface EnscParams {
  k: number;
  gamma: number;
  tau: number;
  nNonzero: number;
  support0: number;
  maxIter: number;
  nInit: number;
  seed: number;
  blockRows: number;
}

function enscParams(x: Float32Array, dim: number, opts: EnscOptions): EnscParams {
  const D = ENSC_DEFAULTS;
  const k = opts.nClusters ?? D.nClusters;
  const gamma = opts.gamma ?? D.gamma;
  let tau: number = opts.tau ?? D.tau;
  const nNonzero = opts.nNonzero ?? D.nNonzero;
  const support0 = opts.supportSize ?? D.supportSize;
  const maxIter = opts.maxSupportIter ?? D.maxSupportIter;
  const nInit = opts.nInit ?? D.nInit;
  const seed = opts.randomState ?? D.randomState;
  if (tau !== 1) {
    // Issue 12: the official code warns and goes on with the lasso (its tau < 1 needs spams, disabled there).
    (opts.warn ?? console.warn)(
      `EnSC: tau = ${tau} needs an elastic-net solver; using tau = 1 (the lasso), as the official lasso_lars does`,
    );
    tau = 1;
  }
  if (!(Number.isInteger(dim) && dim >= 1)) throw new Error(`EnSC: dim must be a positive integer, got ${dim}`);
  const n = x.length / dim;
  if (!Number.isInteger(n)) throw new Error(`EnSC: features (${x.length} values) are not a multiple of dim ${dim}`);
  if (!(Number.isInteger(k) && k >= 1 && k <= n)) throw new Error(`EnSC: nClusters must be in 1..${n}, got ${k}`);
  if (!(gamma > 0)) throw new Error(`EnSC: gamma must be positive, got ${gamma}`);
  if (!(Number.isInteger(nNonzero) && nNonzero >= 1)) throw new Error(`EnSC: nNonzero must be a positive integer, got ${nNonzero}`);
  if (!(Number.isInteger(support0) && support0 >= 1)) throw new Error(`EnSC: supportSize must be a positive integer, got ${support0}`);
  for (let t = 0; t < x.length; t++)
    if (!Number.isFinite(x[t])) throw new Error(`EnSC: feature ${t} (row ${Math.floor(t / dim)}) is ${x[t]}`);
  const blockRows = opts.blockRows ?? Math.max(1, Math.min(512, Math.floor(8e6 / n)));
  return { k, gamma, tau, nNonzero, support0, maxIter, nInit, seed, blockRows };
}

/** Entries of C as (row, column, value) triplets, rows ascending. */
export interface Triplets {
  rows: Int32Array;
  cols: Int32Array;
  vals: Float64Array;
}

/**
 * Rows [from, to) of the self-expression C (step 1): what one thread does. Each row is
 * independent of the others, so any split of the rows gives the same entries.
 */
export function selfExpression(x: Float32Array, dim: number, p: EnscParams, from: number, to: number): Triplets {
  const { gamma, tau, nNonzero, support0, maxIter, blockRows } = p;
  const n = x.length / dim;
  const x64 = Float64Array.from(x);
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) norms[i] = Math.sqrt(dot64(x64, i * dim, x64, i * dim, dim));
  let maxNorm = 0;
  for (let i = 0; i < n; i++) maxNorm = Math.max(maxNorm, norms[i]);
  const rows: number[] = [];
  const cols: number[] = [];
  const vals: number[] = [];
  const xt = tf.tensor2d(x, [n, dim]);
  const order = new Int32Array(n);
  const keys = new Float64Array(n);
  try {
    for (let start = from; start < to; start += blockRows) {
      const count = Math.min(blockRows, to - start);
      // Coherences of this block's rows with every row (float32 products on the backend).
      const cohT = tf.tidy(() => tf.matMul(tf.tensor2d(x.subarray(start * dim, (start + count) * dim), [count, dim]), xt, false, true));
      const coh = cohT.dataSync() as Float32Array;
      cohT.dispose();
      const states: RowState[] = [];
      for (let r = 0; r < count; r++) {
        const i = start + r;
        const row = coh.subarray(r * n, (r + 1) * n);
        row[i] = 0; // x_i is not a candidate for its own code
        // λ from the exact (float64) largest coherence: recheck every entry near the float32 maximum.
        let m32 = 0;
        for (let j = 0; j < n; j++) m32 = Math.max(m32, Math.abs(row[j]));
        let best = 0;
        for (let j = 0; j < n; j++) {
          if (j !== i && Math.abs(row[j]) >= m32 - 1e-5 * norms[i] * maxNorm)
            best = Math.max(best, Math.abs(dot64(x64, j * dim, x64, i * dim, dim)));
        }
        const lambda = best / tau / gamma;
        let supp: Int32Array;
        if (n <= support0) {
          supp = Int32Array.from({ length: n - 1 }, (_, j) => (j < i ? j : j + 1));
        } else {
          let len = 0;
          for (let j = 0; j < n; j++) {
            if (j === i) continue;
            keys[j] = Math.abs(row[j]);
            order[len++] = j;
          }
          // The support0 most coherent rows by the float32 values, then the ones within float32
          // rounding of the cut get exact values so that the cut falls where float64 puts it.
          const top = topIndices(keys, order, len, support0);
          let cut = Infinity;
          for (const j of top) cut = Math.min(cut, keys[j]);
          const margin = 1e-5 * norms[i] * maxNorm + 1e-12;
          let m = 0;
          for (let j = 0; j < n; j++) {
            if (j !== i && keys[j] >= cut - margin) {
              keys[j] = keys[j] > cut + margin ? Infinity : Math.abs(dot64(x64, j * dim, x64, i * dim, dim));
              order[m++] = j;
            }
          }
          supp = m > support0 ? topIndices(keys, order, m, support0) : top;
        }
        states.push({
          i,
          lambda,
          supp,
          supportSize: support0,
          obj: Infinity,
          cs: new Float64Array(0),
          delta: new Float64Array(dim),
          done: lambda === 0,
        });
      }
      for (let it = 0; it < maxIter; it++) {
        const open: RowState[] = [];
        for (const st of states) {
          if (st.done) continue;
          const y = x64.subarray(st.i * dim, (st.i + 1) * dim);
          // The first support is solved along the whole LARS path; later ones keep the previous
          // active atoms (first in the support) and start from their coefficients and factor.
          const res =
            st.warm === undefined ? lassoLars(x64, dim, st.supp, y, st.lambda) : lassoFeatureSign(x64, dim, st.supp, y, st.lambda, st.warm);
          const coef = res.coef;
          st.last = res;
          st.cs = coef;
          // δ = (y − Σ c_j x_j)/λ and the objective τ‖c‖₁ + (1−τ)/2‖c‖² + λ/2‖δ‖².
          const r = Float64Array.from(y);
          let l1 = 0;
          for (let q = 0; q < st.supp.length; q++) {
            const cq = coef[q];
            if (cq === 0) continue;
            l1 += Math.abs(cq);
            const o = st.supp[q] * dim;
            for (let j = 0; j < dim; j++) r[j] -= cq * x64[o + j];
          }
          let d2 = 0;
          for (let j = 0; j < dim; j++) {
            st.delta[j] = r[j] / st.lambda;
            d2 += st.delta[j] * st.delta[j];
          }
          const obj = tau * l1 + (st.lambda / 2) * d2;
          if (st.obj - obj < 1e-10 * st.obj) {
            st.done = true;
            continue;
          }
          st.obj = obj;
          open.push(st);
        }
        if (open.length === 0) break;
        // Coherences |δᵀx_j| of every open row with all rows, in one product.
        const dl = new Float32Array(open.length * dim);
        open.forEach((st, q) => dl.set(st.delta, q * dim));
        const dT = tf.tidy(() => tf.matMul(tf.tensor2d(dl, [open.length, dim]), xt, false, true));
        const dc = dT.dataSync() as Float32Array;
        dT.dispose();
        open.forEach((st, q) => {
          const row = dc.subarray(q * n, (q + 1) * n);
          for (const j of st.supp) row[j] = 0;
          row[st.i] = 0;
          // Candidates within float32 rounding of the threshold get their exact coherence.
          let dn = 0;
          for (let j = 0; j < dim; j++) dn += st.delta[j] * st.delta[j];
          const near = tau - 1e-5 * Math.sqrt(dn) * maxNorm;
          const added: number[] = [];
          const coh64: number[] = [];
          for (let j = 0; j < n; j++) {
            if (Math.abs(row[j]) > near) {
              const v = Math.abs(dot64(st.delta, 0, x64, j * dim, dim));
              if (v > tau + 1e-10) {
                added.push(j);
                coh64.push(v);
              }
            }
          }
          if (added.length === 0) {
            st.done = true;
            return;
          }
          // The active atoms (|c| > 1e-10) stay, in the order of the lasso's factor so that the
          // next solve starts from it; the official code keeps them in support order, which
          // changes nothing but rounding.
          const last = st.last!;
          let m = last.active.length;
          const chol = Float64Array.from(last.chol);
          const keepPos: number[] = [];
          for (let t = m - 1; t >= 0; t--) {
            if (Math.abs(st.cs[last.active[t]]) > 1e-10) keepPos.unshift(last.active[t]);
            else {
              choleskyRemove(chol, last.active.length, m, t);
              m--;
            }
          }
          const active = keepPos.map((pos) => st.supp[pos]);
          const activeCoef = keepPos.map((pos) => st.cs[pos]);
          const stride = last.active.length;
          const packed = new Float64Array(m * m);
          for (let t = 0; t < m; t++) for (let q = 0; q <= t; q++) packed[t * m + q] = chol[t * stride + q];
          st.warm = { active: Int32Array.from(activeCoef.keys()), coef: activeCoef, chol: packed };
          if (active.length > 0.8 * st.supportSize) {
            st.supportSize = Math.min(roundHalfEven(Math.max(active.length, st.supportSize) * 1.1), n);
          }
          let keep = added;
          if (added.length + active.length > st.supportSize) {
            const room = st.supportSize - active.length;
            const byCoh = Array.from(added.keys())
              .sort((a, b) => coh64[b] - coh64[a])
              .slice(0, Math.max(room, 0));
            keep = byCoh.map((t) => added[t]);
          }
          st.supp = Int32Array.from([...active, ...keep]);
        });
      }
      // The row of C: its nonzeros, the nNonzero largest in magnitude if more.
      for (const st of states) {
        const nz: number[] = [];
        for (let t = 0; t < st.cs.length; t++) if (st.cs[t] !== 0) nz.push(t);
        if (nz.length > nNonzero) {
          nz.sort((a, b) => Math.abs(st.cs[b]) - Math.abs(st.cs[a]));
          nz.length = nNonzero;
        }
        for (const t of nz) {
          rows.push(st.i);
          cols.push(st.supp[t]);
          vals.push(st.cs[t]);
        }
      }
    }
  } finally {
    xt.dispose();
  }
  return { rows: Int32Array.from(rows), cols: Int32Array.from(cols), vals: Float64Array.from(vals) };
}

/** What an EnSC worker gets: the features in shared memory and its rows. */
export interface EnscJob {
  x: SharedArrayBuffer;
  dim: number;
  params: EnscParams;
  from: number;
  to: number;
  backend: string;
}

/**
 * EnSC of the rows of x (N x dim, row-major) with the self-expression rows split over `threads`
 * threads (this one included; undefined: every core, under 500 rows this thread alone), each with
 * its own tfjs backend: the same result for any count.
 */
async function enscOnThreads(x: Float32Array, dim: number, p: EnscParams, threads?: number): Promise<EnscResult> {
  const n = x.length / dim;
  const blocks = Math.ceil(n / p.blockRows);
  const t = Math.max(1, Math.min(threads ?? availableCores(), blocks));
  const script = workerScript(__dirname, 'ensc_worker');
  // The lasso solves are JS on one thread whatever the backend, so workers help with tfjs-node too;
  // they then do their (smaller) products on wasm rather than load libtensorflow again.
  const backend = workerBackend();
  const t0 = performance.now();
  if (t === 1 || script === undefined || (threads === undefined && n < 500)) {
    const c = selfExpression(x, dim, p, 0, n);
    return spectralClustering(n, [c], p, (performance.now() - t0) / 1000);
  }
  const buf = sharedCopy(x);
  const edge = (i: number) => Math.min(n, Math.round((blocks * i) / t) * p.blockRows);
  const parts = Array.from({ length: t - 1 }, async (_, w): Promise<Triplets> => {
    const job: EnscJob = { x: buf, dim, params: p, from: edge(w + 1), to: edge(w + 2), backend };
    let got: Triplets | undefined;
    await runWorker(script, job, 'EnSC', (m) => {
      got = m as Triplets;
    });
    if (got === undefined) throw new Error('EnSC worker exited without its rows');
    return got;
  });
  const mine = selfExpression(x, dim, p, 0, edge(1));
  const all = [mine, ...(await Promise.all(parts))];
  return spectralClustering(n, all, p, (performance.now() - t0) / 1000);
}

/**
 * Elastic-net subspace clustering, the official `ElasticNetSubspaceClustering(n_clusters, gamma,
 * tau)` as evaluate.py --ensc runs it: a sparse self-expression of every row by the others
 * (active-support lasso), its symmetrised affinity, normalised spectral clustering.
 *
 * ```ts
 * const ensc = await new EnSC({ nClusters: 10 }).fit(train);   // train: { features, n, dim }
 * ensc.labels; ensc.affinity;
 * ```
 */
export class EnSC {
  /** The options with their defaults (blockRows and warn, when not given, are decided at fit). */
  readonly options: Readonly<EnscOptions & typeof ENSC_DEFAULTS>;
  private result?: EnscResult;

  constructor(opts: EnscOptions = {}) {
    this.options = { ...ENSC_DEFAULTS, ...opts } as EnscOptions & typeof ENSC_DEFAULTS;
    threadCount(this.options.threads, 'EnSC');
  }

  /** Clusters the rows of `x` (`dim`: the row length of a flat array). */
  async fit(x: FeaturesLike, dim?: number): Promise<this> {
    const m = featureMatrix32(x, 'EnSC.fit(x)', { dim });
    const p = enscParams(m.features, m.dim, this.options);
    this.result = await enscOnThreads(m.features, m.dim, p, threadCount(this.options.threads, 'EnSC'));
    return this;
  }

  /** fit, then the cluster of each row. */
  async fitPredict(x: FeaturesLike, dim?: number): Promise<Int32Array> {
    return (await this.fit(x, dim)).labels;
  }

  private fitted(what: string): EnscResult {
    if (this.result === undefined) throw notFitted('EnSC', what);
    return this.result;
  }

  /** Cluster of each row, 0..nClusters-1. */
  get labels(): Int32Array {
    return this.fitted('labels').labels;
  }
  /** The self-expression C (N x N, at most nNonzero entries a row). */
  get representation(): CsrMatrix {
    return this.fitted('representation').representation;
  }
  /** The affinity ½(|C̃| + |C̃|ᵀ) of the row-normalised C̃. */
  get affinity(): CsrMatrix {
    return this.fitted('affinity').affinity;
  }
  /** The nClusters largest eigenvalues of I − L_sym, descending. */
  get eigenvalues(): Float64Array {
    return this.fitted('eigenvalues').eigenvalues;
  }
  /** Seconds spent in the self-expression, the eigenvectors and k-means. */
  get seconds(): EnscResult['seconds'] {
    return this.fitted('seconds').seconds;
  }
}

/** Steps 2 and 3: affinity, spectral embedding and k-means, from C's triplets in row order. */
function spectralClustering(n: number, parts: Triplets[], p: EnscParams, representationSeconds: number): EnscResult {
  const { k, nInit, seed } = p;
  const cat = <T extends Int32Array | Float64Array>(ctor: new (len: number) => T, get: (t: Triplets) => T): T => {
    const out = new ctor(parts.reduce((a, t) => a + get(t).length, 0));
    let o = 0;
    for (const t of parts) {
      out.set(get(t) as never, o);
      o += get(t).length;
    }
    return out;
  };
  const representation = csrFromTriplets(
    n,
    cat(Int32Array, (t) => t.rows),
    cat(Int32Array, (t) => t.cols),
    cat(Float64Array, (t) => t.vals),
  );
  const t1 = performance.now();

  // Affinity from the row-normalised |C|.
  const { indptr, indices, values } = representation;
  const ar: number[] = [];
  const ac: number[] = [];
  const av: number[] = [];
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let p = indptr[i]; p < indptr[i + 1]; p++) s += values[p] * values[p];
    const norm = Math.sqrt(s);
    if (norm === 0) continue;
    for (let p = indptr[i]; p < indptr[i + 1]; p++) {
      const v = 0.5 * Math.abs(values[p] / norm);
      ar.push(i, indices[p]);
      ac.push(indices[p], i);
      av.push(v, v);
    }
  }
  const affinity = csrFromTriplets(n, ar, ac, av);
  // I − L_sym = D^{-1/2} A D^{-1/2}, with 1 on the diagonal of isolated rows (scipy's laplacian).
  const deg = new Float64Array(n);
  for (let i = 0; i < n; i++)
    for (let p = affinity.indptr[i]; p < affinity.indptr[i + 1]; p++) if (affinity.indices[p] !== i) deg[i] += affinity.values[p];
  const w = deg.map((d) => (d > 0 ? Math.sqrt(d) : 1));
  const mv = new Float64Array(affinity.values.length);
  for (let i = 0; i < n; i++) {
    for (let p = affinity.indptr[i]; p < affinity.indptr[i + 1]; p++) {
      const j = affinity.indices[p];
      mv[p] = j === i ? 0 : affinity.values[p] / w[j] / w[i];
    }
  }
  const matvec = (v: Float64Array, out: Float64Array): void => {
    for (let i = 0; i < n; i++) {
      let s = deg[i] > 0 ? 0 : v[i];
      for (let p = affinity.indptr[i]; p < affinity.indptr[i + 1]; p++) s += mv[p] * v[affinity.indices[p]];
      out[i] = s;
    }
  };
  const eig = topEigenpairs(matvec, n, k, { seed });
  const emb = eig.vectors;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < k; c++) s += emb[i * k + c] ** 2;
    if (s > 0) for (let c = 0; c < k; c++) emb[i * k + c] /= Math.sqrt(s);
  }
  const t2 = performance.now();
  const km = kmeansCluster(emb, k, { nClusters: k, nInit, randomState: seed });
  const t3 = performance.now();
  return {
    labels: km.labels,
    representation,
    affinity,
    eigenvalues: eig.values,
    seconds: { representation: representationSeconds, spectral: (t2 - t1) / 1000, kmeans: (t3 - t2) / 1000 },
  };
}
