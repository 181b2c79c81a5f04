// What a set of features looks like (the numbers behind the plot.py figures): per-class singular
// values (PCA, centred), cosine-similarity histograms per class pair, |ZZᵀ| aggregated to a
// viewable grid, and the items nearest each principal component. Each takes Features (N x p rows,
// unit rows for MCR², with their labels) and is what numpy/scikit-learn compute
// (test/plot_data.test.ts checks them against committed fixtures); lib/plot draws them.
import * as tf from '@tensorflow/tfjs';
import type { FeatureRows, Features } from '../data/features.js';
import { symmetricEigen } from '../math/linalg.js';

/** Items grouped by class, stable within a class (the official `utils.sort_dataset`). */
export interface ClassOrder {
  numClasses: number;
  /** order[k] = the original index of the k-th item in class-sorted order. */
  order: Int32Array;
  /** Class c occupies order[offsets[c] .. offsets[c+1]). */
  offsets: Int32Array;
}

export function sortByClass(labels: ArrayLike<number>, numClasses?: number): ClassOrder {
  let k = numClasses ?? 0;
  if (numClasses === undefined) for (let i = 0; i < labels.length; i++) k = Math.max(k, labels[i] + 1);
  const counts = new Int32Array(k);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (!Number.isInteger(y) || y < 0 || y >= k) throw new Error(`label ${y} at index ${i} is outside 0..${k - 1}`);
    counts[y]++;
  }
  const offsets = new Int32Array(k + 1);
  for (let c = 0; c < k; c++) offsets[c + 1] = offsets[c] + counts[c];
  const fill = offsets.slice(0, k);
  const order = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) order[fill[labels[i]]++] = i;
  return { numClasses: k, order, offsets };
}

/** Rows `idx` of an n x dim matrix, as a new |idx| x dim matrix. */
export function gatherRows(x: Float32Array, dim: number, idx: ArrayLike<number>): Float32Array {
  const out = new Float32Array(idx.length * dim);
  for (let r = 0; r < idx.length; r++) out.set(x.subarray(idx[r] * dim, (idx[r] + 1) * dim), r * dim);
  return out;
}

/** XᵀX (optionally of the column-centred X) in float64, dim x dim. */
function scatter(x: Float32Array, dim: number, center: boolean): Float64Array {
  const n = x.length / dim;
  const mean = new Float64Array(dim);
  if (center && n > 0) {
    for (let i = 0; i < n; i++) for (let a = 0; a < dim; a++) mean[a] += x[i * dim + a];
    for (let a = 0; a < dim; a++) mean[a] /= n;
  }
  const s = new Float64Array(dim * dim);
  const row = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < dim; a++) row[a] = x[i * dim + a] - mean[a];
    for (let a = 0; a < dim; a++) {
      const ra = row[a];
      if (ra === 0) continue;
      const o = a * dim;
      for (let b = a; b < dim; b++) s[o + b] += ra * row[b];
    }
  }
  for (let a = 0; a < dim; a++) for (let b = 0; b < a; b++) s[a * dim + b] = s[b * dim + a];
  return s;
}

/**
 * The first comps singular values of X (n x dim), descending: `PCA(comps).fit(X).singular_values_`
 * when centred (the official --pca), `TruncatedSVD` singular values when not.
 */
export function singularValues(x: Float32Array, dim: number, comps: number, center = true): number[] {
  const n = x.length / dim;
  const k = Math.min(comps, dim, n);
  const { values } = symmetricEigen(scatter(x, dim, center), dim);
  return Array.from(values.subarray(0, k), (v) => Math.sqrt(Math.max(0, v)));
}

/**
 * The top k right singular vectors of the uncentred X (TruncatedSVD's components_), k x dim
 * row-major. Signs are arbitrary (as sklearn's); every use here takes |projection|.
 */
export function topComponents(x: Float32Array, dim: number, k: number): Float64Array {
  const { vectors } = symmetricEigen(scatter(x, dim, false), dim);
  const out = new Float64Array(k * dim);
  for (let j = 0; j < k; j++) for (let a = 0; a < dim; a++) out[j * dim + a] = vectors[a * dim + j];
  return out;
}

/** X · component j (n values). */
export function projections(x: Float32Array, dim: number, comps: Float64Array, j: number): Float64Array {
  const n = x.length / dim;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let a = 0; a < dim; a++) s += x[i * dim + a] * comps[j * dim + a];
    out[i] = s;
  }
  return out;
}

/** Indices of the `top` largest |v|, largest first (ties: lower index first), with their values. */
export function topAbs(v: Float64Array, top: number): { index: number[]; value: number[] } {
  const idx = Array.from(v.keys()).sort((a, b) => Math.abs(v[b]) - Math.abs(v[a]) || a - b);
  const index = idx.slice(0, top);
  return { index, value: index.map((i) => v[i]) };
}

export interface ClassSpectra {
  /** Singular values of all features together (computed and saved by the official code). */
  all: number[];
  /** perClass[c]: the centred singular values of class c's features. */
  perClass: number[][];
}

/** plot.py --pca: n = min(comps, dim) PCA singular values per class (centred; `center` false: of Z_j itself). */
export function classSingularValues(f: Features, comps: number, numClasses?: number, center = true): ClassSpectra {
  const { features, labels, dim } = f;
  const co = sortByClass(labels, numClasses);
  const perClass: number[][] = [];
  for (let c = 0; c < co.numClasses; c++) {
    const rows = gatherRows(features, dim, co.order.subarray(co.offsets[c], co.offsets[c + 1]));
    perClass.push(singularValues(rows, dim, comps, center));
  }
  return { all: singularValues(features, dim, comps, center), perClass };
}

/** numpy's histogram bin of v for `bins` equal bins over [lo, hi] (edges as np.linspace). */
function binOf(v: number, lo: number, hi: number, bins: number, edges: Float64Array): number {
  let b = Math.floor((v - lo) * (bins / (hi - lo)));
  if (b >= bins) b = bins - 1;
  if (b < 0) b = 0;
  if (v < edges[b]) b--;
  else if (b !== bins - 1 && v >= edges[b + 1]) b++;
  return b;
}

export interface Histogram {
  /** bins + 1 edges. */
  edges: number[];
  counts: number[];
}

function equalEdges(lo: number, hi: number, bins: number): Float64Array {
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const e = new Float64Array(bins + 1);
  const step = (hi - lo) / bins;
  for (let i = 0; i <= bins; i++) e[i] = lo + i * step;
  e[bins] = hi;
  return e;
}

/** np.histogram(values, bins): equal bins between the smallest and the largest value. */
export function histogram(values: ArrayLike<number>, bins: number): Histogram {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    lo = Math.min(lo, values[i]);
    hi = Math.max(hi, values[i]);
  }
  if (values.length === 0) {
    lo = 0;
    hi = 1;
  }
  const edges = equalEdges(lo, hi, bins);
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) counts[binOf(values[i], edges[0], edges[bins], bins, edges)]++;
  return { edges: Array.from(edges), counts };
}

export interface PairHistogram extends Histogram {
  i: number;
  j: number;
  /** How many cosines went in: n_i(n_i−1)/2 within a class, n_i·n_j across. */
  total: number;
}

export interface GramOptions {
  /** Rows per matrix product (memory: rows x N floats); default about 16 M entries per product. */
  chunk?: number;
  onProgress?: (done: number, total: number) => void;
}

const defaultChunk = (cols: number) => Math.max(16, Math.floor(16_000_000 / Math.max(1, cols)));

/**
 * A·Bᵀ (A: na x dim, B: nb x dim) computed on the tfjs backend in chunks of A's rows (float32, as
 * numpy's float32 matmul); `visit` gets each chunk's rows x nb block, row-major.
 */
async function forProductChunks(
  a: Float32Array,
  b: Float32Array,
  dim: number,
  chunk: number,
  visit: (row0: number, rows: number, block: Float32Array) => void,
): Promise<void> {
  const na = a.length / dim;
  const nb = b.length / dim;
  const bt = tf.tidy(() => tf.tensor2d(b, [nb, dim]).transpose());
  try {
    for (let r0 = 0; r0 < na; r0 += chunk) {
      const rows = Math.min(chunk, na - r0);
      const prod = tf.tidy(() => tf.matMul(tf.tensor2d(a.subarray(r0 * dim, (r0 + rows) * dim), [rows, dim]), bt));
      const block = (await prod.data()) as Float32Array;
      prod.dispose();
      visit(r0, rows, block);
    }
  } finally {
    bt.dispose();
  }
}

/**
 * plot.py --hist: for each class pair i ≤ j, the histogram (`bins`, official 40) of the signed
 * cosines Z_iZ_jᵀ; within a class only the strict upper triangle (each pair once, no self-pairs).
 * Exact counts over all pairs: one pass finds each pair's range (np.histogram's default), a second
 * counts. Products are taken class by class against the classes from it on (half of ZZᵀ).
 */
export async function cosineHistograms(
  f: Features,
  opts: GramOptions & { bins?: number; numClasses?: number } = {},
): Promise<PairHistogram[]> {
  const { features, labels, dim } = f;
  const bins = opts.bins ?? 40;
  const co = sortByClass(labels, opts.numClasses);
  const K = co.numClasses;
  const z = gatherRows(features, dim, co.order);
  const n = co.order.length;
  const classOf = new Int32Array(n);
  for (let c = 0; c < K; c++) classOf.fill(c, co.offsets[c], co.offsets[c + 1]);
  const lo = new Float64Array(K * K).fill(Infinity);
  const hi = new Float64Array(K * K).fill(-Infinity);
  const counts: number[][] = Array.from({ length: K * K }, () => new Array<number>(bins).fill(0));
  const total = new Float64Array(K * K);
  const edges: Float64Array[] = [];
  // One class's rows (sorted items a..b−1) against the items from a on; within the class only
  // the columns right of the diagonal: each cosine v with its class pair p.
  const eachPair = (a: number, r0: number, rows: number, block: Float32Array, f: (p: number, v: number) => void) => {
    const width = n - a;
    const i = classOf[a];
    for (let r = 0; r < rows; r++) {
      const o = r * width;
      for (let c = r0 + r + 1; c < width; c++) f(i * K + classOf[a + c], block[o + c]);
    }
  };
  const widen = (p: number, v: number) => {
    if (v < lo[p]) lo[p] = v;
    if (v > hi[p]) hi[p] = v;
  };
  const count = (p: number, v: number) => {
    const e = edges[p];
    counts[p][binOf(v, e[0], e[bins], bins, e)]++;
    total[p]++;
  };
  const chunk = opts.chunk ?? defaultChunk(n);
  for (let pass = 0; pass < 2; pass++) {
    if (pass === 1)
      for (let p = 0; p < K * K; p++) edges.push(equalEdges(Number.isFinite(lo[p]) ? lo[p] : 0, Number.isFinite(hi[p]) ? hi[p] : 1, bins));
    const visit = pass === 0 ? widen : count;
    for (let c = 0; c < K; c++) {
      const a = co.offsets[c];
      const b = co.offsets[c + 1];
      if (b === a) continue;
      await forProductChunks(z.subarray(a * dim, b * dim), z.subarray(a * dim), dim, chunk, (r0, rows, block) =>
        eachPair(a, r0, rows, block, visit),
      );
      opts.onProgress?.(pass * n + b, 2 * n);
    }
  }
  const out: PairHistogram[] = [];
  for (let i = 0; i < K; i++)
    for (let j = i; j < K; j++) {
      const p = i * K + j;
      out.push({ i, j, edges: Array.from(edges[p]), counts: counts[p], total: total[p] });
    }
  return out;
}

export interface HeatGrid {
  /** res x res cell means of |ZZᵀ| (rows and columns in class-sorted order), row-major. */
  z: Float32Array;
  res: number;
  /** Cell k covers sorted items bounds[k] .. bounds[k+1]−1. */
  bounds: Int32Array;
  /** Class c occupies sorted items offsets[c] .. offsets[c+1]−1. */
  offsets: Int32Array;
  n: number;
}

/**
 * plot.py --heat: |ZZᵀ| with the items sorted by class, as res x res cells, each the exact mean of
 * the N/res x N/res entries it covers (area averaging, what a downscaled image of the full matrix
 * shows). At res ≥ N it is the matrix itself. The official draws all N x N (50,000² for CIFAR-10).
 */
export async function absGramGrid(f: Features, res = 500, opts: GramOptions & { numClasses?: number } = {}): Promise<HeatGrid> {
  const { features, labels, dim } = f;
  const co = sortByClass(labels, opts.numClasses);
  const z = gatherRows(features, dim, co.order);
  const n = co.order.length;
  const R = Math.max(1, Math.min(res, n));
  const bounds = new Int32Array(R + 1);
  for (let k = 0; k <= R; k++) bounds[k] = Math.floor((k * n) / R);
  const cellOf = new Int32Array(n);
  for (let k = 0; k < R; k++) cellOf.fill(k, bounds[k], bounds[k + 1]);
  const sums = new Float64Array(R * R);
  const rowAcc = new Float64Array(R);
  await forProductChunks(z, z, dim, opts.chunk ?? defaultChunk(n), (r0, rows, block) => {
    for (let r = 0; r < rows; r++) {
      rowAcc.fill(0);
      const o = r * n;
      for (let c = 0; c < n; c++) rowAcc[cellOf[c]] += Math.abs(block[o + c]);
      const base = cellOf[r0 + r] * R;
      for (let k = 0; k < R; k++) sums[base + k] += rowAcc[k];
    }
    opts.onProgress?.(r0 + rows, n);
  });
  const out = new Float32Array(R * R);
  for (let a = 0; a < R; a++)
    for (let b = 0; b < R; b++) out[a * R + b] = sums[a * R + b] / ((bounds[a + 1] - bounds[a]) * (bounds[b + 1] - bounds[b]));
  return { z: out, res: R, bounds, offsets: co.offsets, n };
}

/** plot.py --nearcomp_sup: per class, the item with the largest |projection| on each of its top `comps` components. */
export function nearestPerComponent(f: Features, comps = 10, numClasses?: number): { index: number[][]; value: number[][] } {
  const { features, labels, dim } = f;
  const co = sortByClass(labels, numClasses);
  const index: number[][] = [];
  const value: number[][] = [];
  for (let c = 0; c < co.numClasses; c++) {
    const members = co.order.subarray(co.offsets[c], co.offsets[c + 1]);
    const rows = gatherRows(features, dim, members);
    const k = Math.min(comps, dim);
    const v = topComponents(rows, dim, k);
    const ic: number[] = [];
    const vc: number[] = [];
    for (let j = 0; j < k; j++) {
      const t = topAbs(projections(rows, dim, v, j), 1);
      ic.push(members[t.index[0]]);
      vc.push(t.value[0]);
    }
    index.push(ic);
    value.push(vc);
  }
  return { index, value };
}

/**
 * The `top` items with the largest |projection| on each of the first `comps` components of X
 * (TruncatedSVD of the uncentred rows): indices into X, largest first, and the projections.
 */
export function nearestToComponents(f: FeatureRows, comps: number, top = 10): { index: number[][]; value: number[][] } {
  const { features: x, dim } = f;
  const k = Math.min(comps, dim);
  const v = topComponents(x, dim, k);
  const index: number[][] = [];
  const value: number[][] = [];
  for (let j = 0; j < k; j++) {
    const t = topAbs(projections(x, dim, v, j), top);
    index.push(t.index);
    value.push(t.value);
  }
  return { index, value };
}
