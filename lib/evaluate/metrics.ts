// Classification and clustering scores. The clustering scores follow scikit-learn 1.2's definitions
// (checked against it in test/evaluate_parity.test.ts).
import { linearSumAssignment } from './hungarian.js';

export function accuracy(pred: ArrayLike<number>, truth: ArrayLike<number>): number {
  if (pred.length !== truth.length) throw new Error(`accuracy: ${pred.length} predictions for ${truth.length} labels`);
  if (truth.length === 0) return NaN;
  let ok = 0;
  for (let i = 0; i < truth.length; i++) if (pred[i] === truth[i]) ok++;
  return ok / truth.length;
}

/** counts[t][p]: how many items of true class t were predicted p. */
export function confusionMatrix(pred: ArrayLike<number>, truth: ArrayLike<number>, numClasses?: number): number[][] {
  let k = numClasses ?? 0;
  for (let i = 0; i < truth.length; i++) k = Math.max(k, truth[i] + 1, pred[i] + 1);
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < truth.length; i++) m[truth[i]][pred[i]]++;
  return m;
}

/**
 * Contingency table of two labelings over the same items: counts[a][b] = #items with label a in
 * `rowsOf` and b in `colsOf`, labels compacted to their sorted distinct values (as np.unique).
 */
export interface Contingency {
  rowLabels: number[];
  colLabels: number[];
  /** Row-major rowLabels.length x colLabels.length. */
  counts: Float64Array;
}

export function contingencyTable(rowsOf: ArrayLike<number>, colsOf: ArrayLike<number>, what = 'contingency'): Contingency {
  if (rowsOf.length !== colsOf.length) throw new Error(`${what}: labelings have different lengths (${rowsOf.length} and ${colsOf.length})`);
  const rowIdx = compact(rowsOf, what);
  const colIdx = compact(colsOf, what);
  const nr = rowIdx.labels.length;
  const nc = colIdx.labels.length;
  const counts = new Float64Array(nr * nc);
  for (let i = 0; i < rowsOf.length; i++) counts[rowIdx.index[i] * nc + colIdx.index[i]]++;
  return { rowLabels: rowIdx.labels, colLabels: colIdx.labels, counts };
}

function compact(labels: ArrayLike<number>, what: string): { labels: number[]; index: Int32Array } {
  const seen = new Map<number, number>();
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (!Number.isInteger(v)) throw new Error(`${what}: label ${v} at index ${i} is not an integer`);
    if (!seen.has(v)) seen.set(v, 0);
  }
  const sorted = [...seen.keys()].sort((a, b) => a - b);
  sorted.forEach((v, k) => seen.set(v, k));
  const index = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) index[i] = seen.get(labels[i])!;
  return { labels: sorted, index };
}

/**
 * Clustering accuracy (the official `clustering_accuracy`): the best one-to-one matching of
 * clusters to classes (Hungarian method on the contingency table), matched items / all items.
 * Any number of clusters and classes; cluster ids need not be 0..k-1.
 */
export function clusteringAccuracy(pred: ArrayLike<number>, truth: ArrayLike<number>): number {
  const t = contingencyTable(pred, truth, 'clusteringAccuracy');
  if (truth.length === 0) return NaN;
  const { cost } = linearSumAssignment(t.counts, t.rowLabels.length, t.colLabels.length, { maximize: true });
  return cost / truth.length;
}

/** True when the table is a one-to-one relabeling: every row and every column has one nonzero. */
function isBijection(t: Contingency): boolean {
  const nr = t.rowLabels.length;
  const nc = t.colLabels.length;
  if (nr !== nc) return false;
  const colSeen = new Uint8Array(nc);
  for (let r = 0; r < nr; r++) {
    let nz = 0;
    for (let c = 0; c < nc; c++) {
      if (t.counts[r * nc + c] !== 0) {
        nz++;
        if (colSeen[c]++) return false;
      }
    }
    if (nz !== 1) return false;
  }
  return true;
}

/**
 * Normalised mutual information as scikit-learn's `normalized_mutual_info_score` with its default
 * arithmetic mean: MI / ((H(truth) + H(pred)) / 2), natural logs. Symmetric in its arguments.
 * Exactly 1 when the labelings are the same partition (any relabeling), and when both put every
 * item in one cluster; 0 when only one of them does.
 */
export function normalizedMutualInfo(pred: ArrayLike<number>, truth: ArrayLike<number>): number {
  const t = contingencyTable(truth, pred, 'normalizedMutualInfo');
  const nr = t.rowLabels.length;
  const nc = t.colLabels.length;
  if ((nr === 1 && nc === 1) || (nr === 0 && nc === 0)) return 1;
  if (isBijection(t)) return 1;
  const n = truth.length;
  const a = new Float64Array(nr);
  const b = new Float64Array(nc);
  for (let r = 0; r < nr; r++)
    for (let c = 0; c < nc; c++) {
      a[r] += t.counts[r * nc + c];
      b[c] += t.counts[r * nc + c];
    }
  if (nr === 1 || nc === 1) return 0;
  // scikit-learn's term order: n_ij/N·(log n_ij − log N) + n_ij/N·(−log(a_i b_j) + log N + log N).
  const logN = Math.log(n);
  let mi = 0;
  for (let r = 0; r < nr; r++) {
    for (let c = 0; c < nc; c++) {
      const nij = t.counts[r * nc + c];
      if (nij === 0) continue;
      const p = nij / n;
      const term = p * (Math.log(nij) - logN) + p * (-Math.log(a[r] * b[c]) + logN + logN);
      if (Math.abs(term) >= Number.EPSILON) mi += term;
    }
  }
  mi = Math.max(mi, 0);
  if (mi === 0) return 0;
  return mi / ((entropy(a, n) + entropy(b, n)) / 2);
}

function entropy(counts: Float64Array, n: number): number {
  let h = 0;
  const logN = Math.log(n);
  for (const c of counts) if (c > 0) h -= (c / n) * (Math.log(c) - logN);
  return h;
}

/**
 * Adjusted Rand index as scikit-learn's `adjusted_rand_score` (pair-counting form, exact integer
 * arithmetic, so large N loses nothing): 1 for the same partition, ~0 for chance, may be negative.
 */
export function adjustedRandIndex(pred: ArrayLike<number>, truth: ArrayLike<number>): number {
  const t = contingencyTable(truth, pred, 'adjustedRandIndex');
  const nr = t.rowLabels.length;
  const nc = t.colLabels.length;
  const n = BigInt(truth.length);
  const a = new Array<bigint>(nr).fill(0n);
  const b = new Array<bigint>(nc).fill(0n);
  let sumSquares = 0n;
  for (let r = 0; r < nr; r++)
    for (let c = 0; c < nc; c++) {
      const v = BigInt(t.counts[r * nc + c]);
      a[r] += v;
      b[c] += v;
      sumSquares += v * v;
    }
  // Pair confusion matrix (counts of ordered pairs), as sklearn's pair_confusion_matrix.
  let sb = 0n; // Σ_ij n_ij·b_j
  let sa = 0n; // Σ_ij n_ij·a_i
  for (let r = 0; r < nr; r++)
    for (let c = 0; c < nc; c++) {
      const v = BigInt(t.counts[r * nc + c]);
      sb += v * b[c];
      sa += v * a[r];
    }
  const tp = sumSquares - n;
  const fp = sb - sumSquares;
  const fn = sa - sumSquares;
  const tn = n * n - fp - fn - sumSquares;
  if (fn === 0n && fp === 0n) return 1;
  // Same rounding as Python's 2.0 * int / int: each integer rounded to a double once.
  return (2 * Number(tp * tn - fn * fp)) / Number((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn));
}
