// Nearest subspace (evaluate.py --nearsub), both official variants, with exact decompositions:
//   svd: per class the top n_comp right singular vectors V_j of F_j (TruncatedSVD, no centring);
//        score ‖(I − V_jV_jᵀ)x‖
//   pca: per class mean μ_j and top n_comp principal directions U_j; score ‖(I − U_jU_jᵀ)(x − μ_j)‖
// Each is an eigen-decomposition of a p x p matrix: F_jᵀF_j, and the class covariance taken from
// the same Gram (F_jᵀF_j − n_j μ_jμ_jᵀ). Scores use ‖r‖² = ‖x − μ‖² − ‖Uᵀx − Uᵀμ‖², with every
// class's Vᵀx, Uᵀx and μ·x from one product of the test features with all bases side by side.
// Only the top nComp eigenvectors are formed (linalg.ts symmetricEigenTop). On the CPU backends
// the Gram matrices (half of each) and the product are math/dense_simd.ts's SIMD kernels; on the
// others, tfjs ops on that backend.
import * as tf from '@tensorflow/tfjs';
import { checkInt } from '../io/options.js';
import { DenseKernels } from '../math/dense_simd.js';
import { symmetricEigenTop } from '../math/linalg.js';
import { type FeaturesLike, featureMatrix32, type LabelsLike, labelsOf, labelVector, notFitted } from './input.js';
import { accuracy } from './metrics.js';

/** Options of {@link NearestSubspace}. */
export interface NearSubspaceOptions {
  /** Components per class (default 30, evaluate.py's --n_comp). */
  nComp?: number;
  /** Which official variant `predict` uses: 'svd' (no centring; what evaluate.py returns) or 'pca' (default 'svd'). */
  variant?: 'svd' | 'pca';
  /** Classes (default: the largest train label + 1; a class without rows gets a zero basis). */
  numClasses?: number;
}

/** The defaults of {@link NearestSubspace}; what `mcr2 evaluate --n_comp` defaults to. */
export const NEARSUB_DEFAULTS = { nComp: 30, variant: 'svd' } as const satisfies NearSubspaceOptions;

/** Predictions of both variants, from one product. */
export interface NearSubspaceResult {
  pca: Int32Array;
  svd: Int32Array;
}

interface ClassFit {
  mean: Float64Array;
  svd: Float64Array; // dim x nComp, row-major: top eigenvectors of F_jᵀF_j
  pca: Float64Array; // dim x nComp: top eigenvectors of the class covariance
}

function topVectors(g: Float64Array, dim: number, nComp: number): Float64Array {
  return symmetricEigenTop(g, dim, nComp).vectors;
}

/** The SIMD kernels where they apply (a CPU backend), else undefined: tfjs ops. */
function kernels(): DenseKernels | undefined {
  const b = tf.getBackend();
  return b === 'wasm' || b === 'cpu' ? DenseKernels.get() : undefined;
}

/** F_jᵀF_j (float32 sums) of the rows of fx (n x dim) as a symmetric float64 dim x dim matrix. */
function gram(fx: Float32Array, n: number, dim: number): Float64Array {
  const K = kernels();
  if (K === undefined) {
    // (dataSync outside tidy: tidy walks whatever it returns, element by element for a typed array)
    const gramT = tf.tidy(() => {
      const f = tf.tensor2d(fx, [n, dim]);
      return tf.matMul(tf.transpose(f), f);
    });
    const g = Float64Array.from(gramT.dataSync());
    gramT.dispose();
    return g;
  }
  const pp = Math.ceil(dim / 8) * 8;
  K.reset();
  K.reserve(n * pp * 4 + pp * pp * 4 + 64);
  const xAt = K.alloc(n * pp * 4);
  const gAt = K.alloc(pp * pp * 4);
  const x = K.f32(xAt, n * pp);
  if (pp === dim) x.set(fx);
  else {
    x.fill(0);
    for (let i = 0; i < n; i++) x.set(fx.subarray(i * dim, (i + 1) * dim), i * pp);
  }
  K.gram(xAt, pp, n, pp, gAt);
  // The kernel sets the entries on and above the diagonal: mirrored.
  const gu = K.f32(gAt, pp * pp);
  const g = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) {
    for (let j = i; j < dim; j++) {
      const v = gu[i * pp + j];
      g[i * dim + j] = v;
      g[j * dim + i] = v;
    }
  }
  return g;
}

/** testX (n x dim) · big (dim x cols) in float32, row-major n x cols (row stride returned). */
function product(testX: Float32Array, n: number, dim: number, big: Float32Array, cols: number): { proj: Float32Array; stride: number } {
  const K = kernels();
  if (K === undefined) {
    const projT = tf.tidy(() => tf.matMul(tf.tensor2d(testX, [n, dim]), tf.tensor2d(big, [dim, cols])));
    const proj = projT.dataSync() as Float32Array;
    projT.dispose();
    return { proj, stride: cols };
  }
  const pp = Math.ceil(dim / 8) * 8;
  const c8 = Math.ceil(cols / 8) * 8;
  const n4 = Math.ceil(n / 4) * 4;
  K.reset();
  K.reserve((n4 * pp + pp * c8 + n4 * c8) * 4 + 64);
  const aAt = K.alloc(n4 * pp * 4);
  const bAt = K.alloc(pp * c8 * 4);
  const cAt = K.alloc(n4 * c8 * 4);
  const a = K.f32(aAt, n4 * pp);
  a.fill(0);
  if (pp === dim) a.set(testX);
  else for (let i = 0; i < n; i++) a.set(testX.subarray(i * dim, (i + 1) * dim), i * pp);
  const b = K.f32(bAt, pp * c8);
  b.fill(0);
  for (let i = 0; i < dim; i++) b.set(big.subarray(i * cols, (i + 1) * cols), i * c8);
  K.gemm(aAt, pp, bAt, c8, cAt, c8, n4, pp, c8, false);
  return { proj: K.f32(cAt, n4 * c8).slice(0, n * c8), stride: c8 };
}

function fitClasses(trainX: Float32Array, trainY: Int32Array, dim: number, k: number, nComp: number): ClassFit[] {
  const out: ClassFit[] = [];
  for (let c = 0; c < k; c++) {
    const rows: number[] = [];
    for (let i = 0; i < trainY.length; i++) if (trainY[i] === c) rows.push(i);
    const mean = new Float64Array(dim);
    if (rows.length === 0) {
      // No training rows: a zero basis, so every point scores its full norm against this class.
      out.push({ mean, svd: new Float64Array(dim * nComp), pca: new Float64Array(dim * nComp) });
      continue;
    }
    const fx = new Float32Array(rows.length * dim);
    rows.forEach((r, i) => fx.set(trainX.subarray(r * dim, (r + 1) * dim), i * dim));
    if (rows.length < dim) {
      // Fewer rows than dimensions (ReduNet's 10 images a class in 4,000 dimensions): the same
      // subspaces from the rows' n_j x n_j Gram matrix instead of the dim x dim one.
      out.push(fitFromRows(fx, rows.length, dim, nComp));
      continue;
    }
    const g = gram(fx, rows.length, dim);
    const svd = topVectors(g, dim, nComp);
    for (let i = 0; i < rows.length; i++) for (let j = 0; j < dim; j++) mean[j] += fx[i * dim + j];
    for (let j = 0; j < dim; j++) mean[j] /= rows.length;
    for (let i = 0; i < dim; i++) for (let j = 0; j < dim; j++) g[i * dim + j] -= rows.length * mean[i] * mean[j];
    out.push({ mean, svd, pca: topVectors(g, dim, nComp) });
  }
  return out;
}

/**
 * A class of n < dim rows: the top right singular vectors of F (svd) and of F − 1μᵀ (pca) as
 * Fᵀu/σ from the eigenpairs (σ², u) of the n x n Gram matrices FFᵀ, in float64. Directions beyond
 * the rows' rank stay zero (the dim x dim path would give arbitrary null-space vectors there).
 */
function fitFromRows(fx: Float32Array, n: number, dim: number, nComp: number): ClassFit {
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mean[j] += fx[i * dim + j];
  for (let j = 0; j < dim; j++) mean[j] /= n;
  const basis = (centre: boolean): Float64Array => {
    const x = new Float64Array(n * dim);
    for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) x[i * dim + j] = fx[i * dim + j] - (centre ? mean[j] : 0);
    const k = new Float64Array(n * n);
    for (let a = 0; a < n; a++)
      for (let b = 0; b <= a; b++) {
        let s = 0;
        for (let j = 0; j < dim; j++) s += x[a * dim + j] * x[b * dim + j];
        k[a * n + b] = s;
        k[b * n + a] = s;
      }
    const e = symmetricEigenTop(k, n, Math.min(nComp, n));
    const out = new Float64Array(dim * nComp);
    const tol = Math.max(e.values[0], 0) * n * 1e-12;
    for (let c = 0; c < Math.min(nComp, n); c++) {
      const lam = e.values[c];
      if (!(lam > tol)) break;
      const inv = 1 / Math.sqrt(lam);
      const cols = Math.min(nComp, n);
      for (let a = 0; a < n; a++) {
        const u = e.vectors[a * cols + c] * inv;
        if (u === 0) continue;
        for (let j = 0; j < dim; j++) out[j * nComp + c] += x[a * dim + j] * u;
      }
    }
    return out;
  };
  return { mean, svd: basis(false), pca: basis(true) };
}

/** Both variants' predictions for the rows of testX from fitted classes. */
function predictBoth(fits: ClassFit[], testX: Float32Array, dim: number, nComp: number): NearSubspaceResult {
  const k = fits.length;
  const n = testX.length / dim;
  // All bases side by side: columns [V_0 .. V_k-1 | U_0 .. U_k-1 | μ_0 .. μ_k-1].
  const cols = 2 * k * nComp + k;
  const big = new Float32Array(dim * cols);
  const uMu = new Float64Array(k * nComp); // U_jᵀμ_j
  const muMu = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    const { svd, pca, mean } = fits[c];
    for (let i = 0; i < dim; i++) {
      for (let j = 0; j < nComp; j++) {
        big[i * cols + c * nComp + j] = svd[i * nComp + j];
        big[i * cols + (k + c) * nComp + j] = pca[i * nComp + j];
        uMu[c * nComp + j] += pca[i * nComp + j] * mean[i];
      }
      big[i * cols + 2 * k * nComp + c] = mean[i];
      muMu[c] += mean[i] * mean[i];
    }
  }
  const { proj, stride } = product(testX, n, dim, big, cols);
  const svdPred = new Int32Array(n);
  const pcaPred = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    let xx = 0;
    for (let j = 0; j < dim; j++) xx += testX[r * dim + j] * testX[r * dim + j];
    const row = r * stride;
    let bestS = Infinity;
    let bestP = Infinity;
    for (let c = 0; c < k; c++) {
      let s = xx;
      let q = xx - 2 * proj[row + 2 * k * nComp + c] + muMu[c];
      for (let j = 0; j < nComp; j++) {
        const v = proj[row + c * nComp + j];
        s -= v * v;
        const u = proj[row + (k + c) * nComp + j] - uMu[c * nComp + j];
        q -= u * u;
      }
      if (s < bestS) {
        bestS = s;
        svdPred[r] = c;
      }
      if (q < bestP) {
        bestP = q;
        pcaPred[r] = c;
      }
    }
  }
  return { pca: pcaPred, svd: svdPred };
}

/**
 * Nearest subspace (evaluate.py --nearsub): per class the top `nComp` principal directions, a test
 * row goes to the class whose subspace leaves the smallest residual. Two official variants: 'svd'
 * (TruncatedSVD, no centring: ‖(I − VVᵀ)x‖) and 'pca' (PCA: ‖(I − UUᵀ)(x − μ)‖), both from exact
 * decompositions (the official solvers are randomized and unseeded).
 *
 * ```ts
 * const ns = new NearestSubspace({ nComp: 15 }).fit(train.features, train.labels);
 * const { svd, pca } = ns.predictBoth(test.features);
 * ```
 */
export class NearestSubspace {
  readonly nComp: number;
  readonly variant: 'svd' | 'pca';
  readonly numClasses?: number;
  private fits?: ClassFit[];
  private dim = 0;

  constructor(opts: NearSubspaceOptions = {}) {
    this.nComp = checkInt({ nComp: opts.nComp ?? NEARSUB_DEFAULTS.nComp }, 'nComp', 1, Infinity, 'NearestSubspace');
    this.variant = opts.variant ?? NEARSUB_DEFAULTS.variant;
    if (this.variant !== 'svd' && this.variant !== 'pca')
      throw new Error(`NearestSubspace: variant must be 'svd' or 'pca', got '${this.variant}'`);
    this.numClasses = opts.numClasses;
  }

  /** Fits each class's subspace (both variants) to the train features. */
  fit(x: FeaturesLike, y?: LabelsLike): this {
    const labels = labelVector(labelsOf(x, y, 'NearestSubspace.fit(x, y)'), 'NearestSubspace.fit(y)');
    const train = featureMatrix32(x, 'NearestSubspace.fit(x)', { rows: labels.length });
    checkInt(this, 'nComp', 1, train.dim, 'nearest subspace');
    let k = this.numClasses ?? 0;
    for (let i = 0; i < labels.length; i++) k = Math.max(k, labels[i] + 1);
    this.fits = fitClasses(train.features, labels, train.dim, k, this.nComp);
    this.dim = train.dim;
    return this;
  }

  /** Predictions of both variants (one product of the test rows with every basis). */
  predictBoth(x: FeaturesLike): NearSubspaceResult {
    if (this.fits === undefined) throw notFitted('NearestSubspace', 'predict');
    const test = featureMatrix32(x, 'NearestSubspace.predict(x)', { dim: this.dim });
    return predictBoth(this.fits, test.features, this.dim, this.nComp);
  }

  /** The predicted label of each row of `x`, by the `variant` option. */
  predict(x: FeaturesLike): Int32Array {
    return this.predictBoth(x)[this.variant];
  }

  /** Accuracy of `predict(x)` against `y` (or the labels `x` carries). */
  score(x: FeaturesLike, y?: LabelsLike): number {
    return accuracy(this.predict(x), labelsOf(x, y, 'NearestSubspace.score(x, y)'));
  }
}
