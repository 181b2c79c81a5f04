// Nearest subspace (evaluate.py --nearsub), both official variants, with exact decompositions:
//   svd: per class the top n_comp right singular vectors V_j of F_j (TruncatedSVD, no centring);
//        score ‖(I − V_jV_jᵀ)x‖
//   pca: per class mean μ_j and top n_comp principal directions U_j; score ‖(I − U_jU_jᵀ)(x − μ_j)‖
// Each is an eigen-decomposition of a p x p matrix (F_jᵀF_j or the class covariance); scores use
// ‖r‖² = ‖x‖² − ‖Vᵀx‖² on the backend.
import * as tf from '@tensorflow/tfjs';
import { symmetricEigen } from '../linalg.js';

export interface NearSubspaceOptions {
  nComp?: number;
  numClasses?: number;
}

export interface NearSubspaceResult {
  pca: Int32Array;
  svd: Int32Array;
}

interface ClassBasis {
  mean: Float64Array;
  basis: Float32Array; // dim x nComp, row-major
}

function classBases(trainX: Float32Array, trainY: Int32Array, dim: number, k: number, nComp: number, center: boolean): ClassBasis[] {
  const out: ClassBasis[] = [];
  for (let c = 0; c < k; c++) {
    const rows: number[] = [];
    for (let i = 0; i < trainY.length; i++) if (trainY[i] === c) rows.push(i);
    const mean = new Float64Array(dim);
    if (rows.length === 0) {
      out.push({ mean, basis: new Float32Array(dim * nComp) });
      continue;
    }
    const fx = new Float32Array(rows.length * dim);
    rows.forEach((r, i) => fx.set(trainX.subarray(r * dim, (r + 1) * dim), i * dim));
    const gram = tf.tidy(() => {
      const f = tf.tensor2d(fx, [rows.length, dim]);
      return tf.matMul(tf.transpose(f), f).dataSync();
    });
    const g = Float64Array.from(gram);
    if (center) {
      for (const r of rows) for (let j = 0; j < dim; j++) mean[j] += trainX[r * dim + j];
      for (let j = 0; j < dim; j++) mean[j] /= rows.length;
      for (let i = 0; i < dim; i++) for (let j = 0; j < dim; j++) g[i * dim + j] -= rows.length * mean[i] * mean[j];
    }
    const { vectors } = symmetricEigen(g, dim);
    const basis = new Float32Array(dim * nComp);
    for (let i = 0; i < dim; i++) for (let j = 0; j < nComp; j++) basis[i * nComp + j] = vectors[i * dim + j];
    out.push({ mean, basis });
  }
  return out;
}

function scoreAll(testX: Float32Array, dim: number, bases: ClassBasis[], nComp: number): Float32Array {
  const n = testX.length / dim;
  const k = bases.length;
  const scores = new Float32Array(n * k);
  for (let c = 0; c < k; c++) {
    const { mean, basis } = bases[c];
    const r = tf.tidy(() => {
      const x = tf.sub(tf.tensor2d(testX, [n, dim]), tf.tensor1d(Float32Array.from(mean)));
      const proj = tf.matMul(x, tf.tensor2d(basis, [dim, nComp]));
      return tf.sub(tf.sum(tf.square(x), 1), tf.sum(tf.square(proj), 1));
    });
    const v = r.dataSync();
    r.dispose();
    for (let i = 0; i < n; i++) scores[i * k + c] = v[i];
  }
  return scores;
}

function argminRows(scores: Float32Array, k: number): Int32Array {
  const n = scores.length / k;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (scores[i * k + c] < scores[i * k + best]) best = c;
    out[i] = best;
  }
  return out;
}

export function nearSubspacePredict(trainX: Float32Array, trainY: Int32Array, testX: Float32Array, dim: number, opts: NearSubspaceOptions = {}): NearSubspaceResult {
  const nComp = opts.nComp ?? 30;
  if (!(Number.isInteger(nComp) && nComp >= 1 && nComp <= dim)) throw new Error(`nearest subspace: n_comp must be in 1..${dim}, got ${nComp}`);
  let k = opts.numClasses ?? 0;
  for (let i = 0; i < trainY.length; i++) k = Math.max(k, trainY[i] + 1);
  const svd = argminRows(scoreAll(testX, dim, classBases(trainX, trainY, dim, k, nComp, false), nComp), k);
  const pca = argminRows(scoreAll(testX, dim, classBases(trainX, trainY, dim, k, nComp, true), nComp), k);
  return { pca, svd };
}
