// Linear SVM as scikit-learn's LinearSVC(random_state=10) with its defaults (evaluate.py --svm):
// squared hinge loss, L2 penalty, C = 1, one-vs-rest, solved in the dual by liblinear's coordinate
// descent (L2R_L2LOSS_SVC_DUAL, Hsieh et al. 2008) with shrinking, tol 1e-4, max_iter 1000.
// The intercept is liblinear's: a constant feature (intercept_scaling = 1) appended to every row,
// so the bias is regularised like any weight.
//
// Everything that decides liblinear's path is reproduced, so the weights agree with scikit-learn's
// to rounding: instances grouped by class (labels sorted), one binary problem per class in class
// order, each outer iteration a random permutation of the active coordinates drawn from
// scikit-learn's generator (std::mt19937 seeded with RandomState(random_state).randint(2**31 - 1),
// bounded by Lemire's method), and liblinear's summation order in every dot product.
//
// The npm package ml-svm (SMO on a precomputed n x n kernel) does not scale to this: it needs
// 8 s for a 2,000-point binary problem here and n² memory (20 GB at 50,000 points).
import { RandomState } from '../math/random.js';
import { type FeaturesLike, featureMatrix32, type LabelsLike, labelsOf, labelVector, notFitted } from './input.js';
import { accuracy } from './metrics.js';

/** Options of {@link LinearSVC}. */
export interface LinearSvcOptions {
  /** Inverse regularisation strength (default 1). */
  C?: number;
  /** Stopping tolerance on the projected-gradient spread (default 1e-4). */
  tol?: number;
  /** Outer iterations per binary problem (default 1000). */
  maxIter?: number;
  /** scikit-learn's random_state (default 10, as evaluate.py). */
  randomState?: number;
  /** Fit a bias through a constant feature (default true). */
  fitIntercept?: boolean;
  /** Value of that constant feature (default 1). */
  interceptScaling?: number;
}

/** The defaults of {@link LinearSVC}: scikit-learn's, with evaluate.py's random_state 10. */
export const LINEAR_SVC_DEFAULTS = {
  C: 1,
  tol: 1e-4,
  maxIter: 1000,
  randomState: 10,
  fitIntercept: true,
  interceptScaling: 1,
} as const satisfies Required<LinearSvcOptions>;

export interface LinearSvcModel {
  /** The distinct training labels, ascending. */
  classes: Int32Array;
  dim: number;
  /** nW x dim row-major weights; nW = 1 for two classes (positive = classes[1]), else one per class. */
  coef: Float64Array;
  intercept: Float64Array;
  /** Outer iterations each binary problem took. */
  nIter: Int32Array;
  /** False when some binary problem stopped at maxIter (scikit-learn warns "failed to converge"). */
  converged: boolean;
}

/** scikit-learn's bounded_rand_int: an integer in [0, range) from one or more 32-bit draws. */
function boundedRand(rng: RandomState, range: number): number {
  // m = x·range as a 64-bit product; the high word is the result, the low word decides rejection.
  let x = rng.nextUint32();
  let lo = Math.imul(x, range) >>> 0;
  if (lo < range) {
    let t = (0x100000000 - range) >>> 0;
    if (t >= range) {
      t -= range;
      if (t >= range) t %= range;
    }
    while (lo < t) {
      x = rng.nextUint32();
      lo = Math.imul(x, range) >>> 0;
    }
  }
  const a = (x >>> 16) * range; // < 2^48: exact
  const b = (x & 0xffff) * range;
  return Math.floor(a / 65536) + Math.floor(((a % 65536) * 65536 + b) / 0x100000000);
}

/**
 * liblinear's solve_l2r_l1l2_svc for the squared hinge loss on the rows of x (n x stride, the last
 * column the constant feature when bias is on) with labels ±1. Writes w (length stride).
 */
function solveDual(
  x: Float32Array,
  n: number,
  stride: number,
  y: Int8Array,
  C: number,
  tol: number,
  maxIter: number,
  rng: RandomState,
  w: Float64Array,
): number {
  const diag = 0.5 / C;
  const qd = new Float64Array(n);
  const alpha = new Float64Array(n);
  const index = new Int32Array(n);
  w.fill(0);
  for (let i = 0; i < n; i++) {
    let s = diag;
    const o = i * stride;
    for (let j = 0; j < stride; j++) s += x[o + j] * x[o + j];
    qd[i] = s;
    index[i] = i;
  }
  let activeSize = n;
  // liblinear also tracks PGmin_old, used only to shrink at the upper bound, which is +∞ here.
  let pgMaxOld = Infinity;
  let iter = 0;
  while (iter < maxIter) {
    let pgMaxNew = -Infinity;
    let pgMinNew = Infinity;
    for (let i = 0; i < activeSize; i++) {
      const j = i + boundedRand(rng, activeSize - i);
      const t = index[i];
      index[i] = index[j];
      index[j] = t;
    }
    for (let s = 0; s < activeSize; s++) {
      const i = index[s];
      const o = i * stride;
      // G = y_i·wᵀx_i − 1 + α_i·D_ii, summed in feature order as liblinear does.
      let g = 0;
      let j = 0;
      // Unrolled, but still one running sum in feature order (so rounding matches liblinear).
      for (; j + 3 < stride; j += 4) {
        const p0 = w[j] * x[o + j];
        const p1 = w[j + 1] * x[o + j + 1];
        const p2 = w[j + 2] * x[o + j + 2];
        const p3 = w[j + 3] * x[o + j + 3];
        g = g + p0 + p1 + p2 + p3;
      }
      for (; j < stride; j++) g += w[j] * x[o + j];
      const yi = y[i];
      g = g * yi - 1;
      const ai = alpha[i];
      g += ai * diag;
      let pg = 0;
      if (ai === 0) {
        if (g > pgMaxOld) {
          // Shrink: this coordinate is at its bound and unlikely to move.
          activeSize--;
          index[s] = index[activeSize];
          index[activeSize] = i;
          s--;
          continue;
        } else if (g < 0) pg = g;
      } else pg = g; // the upper bound is +∞ for the squared hinge
      if (pg > pgMaxNew) pgMaxNew = pg;
      if (pg < pgMinNew) pgMinNew = pg;
      if (Math.abs(pg) > 1e-12) {
        let an = ai - g / qd[i];
        if (an < 0) an = 0;
        alpha[i] = an;
        const d = (an - ai) * yi;
        let j = 0;
        for (; j + 3 < stride; j += 4) {
          w[j] += d * x[o + j];
          w[j + 1] += d * x[o + j + 1];
          w[j + 2] += d * x[o + j + 2];
          w[j + 3] += d * x[o + j + 3];
        }
        for (; j < stride; j++) w[j] += d * x[o + j];
      }
    }
    iter++;
    if (pgMaxNew - pgMinNew <= tol) {
      if (activeSize === n) break;
      activeSize = n; // converged on the active set: check every coordinate once more
      pgMaxOld = Infinity;
      continue;
    }
    pgMaxOld = pgMaxNew <= 0 ? Infinity : pgMaxNew;
  }
  return iter;
}

/** Fits one-vs-rest linear SVMs (LinearSVC) on row-major features. */
export function linearSvcFit(trainX: Float32Array, trainY: Int32Array, dim: number, opts: LinearSvcOptions = {}): LinearSvcModel {
  const D = LINEAR_SVC_DEFAULTS;
  const C = opts.C ?? D.C;
  const tol = opts.tol ?? D.tol;
  const maxIter = opts.maxIter ?? D.maxIter;
  const randomState = opts.randomState ?? D.randomState;
  const fitIntercept = opts.fitIntercept ?? D.fitIntercept;
  const scaling = opts.interceptScaling ?? D.interceptScaling;
  const n = trainY.length;
  if (!(Number.isInteger(dim) && dim >= 1)) throw new Error(`LinearSVC: dim must be a positive integer, got ${dim}`);
  if (trainX.length !== n * dim) throw new Error(`LinearSVC: train features have ${trainX.length / dim} rows but ${n} labels`);
  if (!(C > 0 && Number.isFinite(C))) throw new Error(`LinearSVC: C must be positive, got ${C}`);
  if (!(tol > 0)) throw new Error(`LinearSVC: tol must be positive, got ${tol}`);
  if (!(Number.isInteger(maxIter) && maxIter >= 1)) throw new Error(`LinearSVC: maxIter must be a positive integer, got ${maxIter}`);
  if (fitIntercept && !(scaling > 0)) throw new Error(`LinearSVC: interceptScaling must be positive, got ${scaling}`);
  for (let i = 0; i < trainX.length; i++) {
    if (!Number.isFinite(trainX[i])) throw new Error(`LinearSVC: train feature ${i} (row ${Math.floor(i / dim)}) is ${trainX[i]}`);
  }
  const classes = Int32Array.from(new Set(trainY)).sort();
  const k = classes.length;
  if (k < 2) throw new Error(`LinearSVC: needs samples of at least 2 classes, got ${k === 0 ? 'none' : `only class ${classes[0]}`}`);

  // Group rows by class, stable within a class (liblinear's group_classes with sorted labels),
  // and append the constant feature.
  const classOf = new Map<number, number>();
  classes.forEach((c, i) => classOf.set(c, i));
  const count = new Int32Array(k);
  for (let i = 0; i < n; i++) count[classOf.get(trainY[i])!]++;
  const start = new Int32Array(k);
  for (let c = 1; c < k; c++) start[c] = start[c - 1] + count[c - 1];
  const stride = fitIntercept ? dim + 1 : dim;
  const x = new Float32Array(n * stride);
  const group = new Int32Array(n);
  const fill = Int32Array.from(start);
  for (let i = 0; i < n; i++) {
    const c = classOf.get(trainY[i])!;
    const r = fill[c]++;
    group[r] = c;
    x.set(trainX.subarray(i * dim, (i + 1) * dim), r * stride);
    if (fitIntercept) x[r * stride + dim] = scaling;
  }
  if (fitIntercept && Math.fround(scaling) !== scaling)
    throw new Error(`LinearSVC: interceptScaling ${scaling} is not representable in float32`);

  const seed = new RandomState(randomState).randint(0, 2147483647, 1)[0];
  const rng = new RandomState(seed);
  const nW = k === 2 ? 1 : k;
  const coef = new Float64Array(nW * dim);
  const intercept = new Float64Array(nW);
  const nIter = new Int32Array(nW);
  const w = new Float64Array(stride);
  const y = new Int8Array(n);
  for (let m = 0; m < nW; m++) {
    const pos = k === 2 ? 1 : m;
    for (let r = 0; r < n; r++) y[r] = group[r] === pos ? 1 : -1;
    nIter[m] = solveDual(x, n, stride, y, C, tol, maxIter, rng, w);
    coef.set(w.subarray(0, dim), m * dim);
    intercept[m] = fitIntercept ? scaling * w[dim] : 0;
  }
  return { classes, dim, coef, intercept, nIter, converged: nIter.every((t) => t < maxIter) };
}

/** Decision values X·coefᵀ + intercept, n x nW row-major (float64, as scikit-learn). */
export function linearSvcDecision(model: LinearSvcModel, x: Float32Array): Float64Array {
  const { dim, coef, intercept } = model;
  const n = x.length / dim;
  if (!Number.isInteger(n)) throw new Error(`LinearSVC: features are not a multiple of dim ${dim}`);
  const nW = intercept.length;
  const out = new Float64Array(n * nW);
  for (let i = 0; i < n; i++) {
    const o = i * dim;
    for (let m = 0; m < nW; m++) {
      const q = m * dim;
      let s = 0;
      for (let j = 0; j < dim; j++) s += x[o + j] * coef[q + j];
      out[i * nW + m] = s + intercept[m];
    }
  }
  return out;
}

/** Predicted labels: the class with the largest decision value (first on ties), or the sign for two classes. */
export function linearSvcPredictWith(model: LinearSvcModel, x: Float32Array): Int32Array {
  const dec = linearSvcDecision(model, x);
  const nW = model.intercept.length;
  const n = dec.length / nW;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (nW === 1) {
      out[i] = model.classes[dec[i] > 0 ? 1 : 0];
      continue;
    }
    let best = 0;
    for (let m = 1; m < nW; m++) if (dec[i * nW + m] > dec[i * nW + best]) best = m;
    out[i] = model.classes[best];
  }
  return out;
}

/**
 * Linear SVM, scikit-learn's `LinearSVC(random_state=10)` (evaluate.py --svm): squared hinge, L2,
 * C = 1, one-vs-rest, liblinear's dual coordinate descent and random stream, so the weights are
 * scikit-learn's to rounding.
 *
 * ```ts
 * const svm = new LinearSVC().fit(train.features, train.labels);
 * const pred = svm.predict(test.features);
 * ```
 */
export class LinearSVC {
  /** The options with their defaults. */
  readonly options: Readonly<Required<LinearSvcOptions>>;
  private model?: LinearSvcModel;

  constructor(opts: LinearSvcOptions = {}) {
    this.options = { ...LINEAR_SVC_DEFAULTS, ...opts };
  }

  /** Fits one binary problem per class (one for two classes). */
  fit(x: FeaturesLike, y?: LabelsLike): this {
    const labels = labelVector(labelsOf(x, y, 'LinearSVC.fit(x, y)'), 'LinearSVC.fit(y)', false);
    const train = featureMatrix32(x, 'LinearSVC.fit(x)', { rows: labels.length });
    this.model = linearSvcFit(train.features, labels, train.dim, this.options);
    return this;
  }

  private fitted(what: string): LinearSvcModel {
    if (this.model === undefined) throw notFitted('LinearSVC', what);
    return this.model;
  }

  /** Decision values X·coefᵀ + intercept, n x nW row-major (float64, as scikit-learn). */
  decisionFunction(x: FeaturesLike): Float64Array {
    const m = this.fitted('decisionFunction');
    return linearSvcDecision(m, featureMatrix32(x, 'LinearSVC.decisionFunction(x)', { dim: m.dim }).features);
  }

  /** The predicted label of each row of `x`. */
  predict(x: FeaturesLike): Int32Array {
    const m = this.fitted('predict');
    return linearSvcPredictWith(m, featureMatrix32(x, 'LinearSVC.predict(x)', { dim: m.dim }).features);
  }

  /** Accuracy of `predict(x)` against `y` (or the labels `x` carries). */
  score(x: FeaturesLike, y?: LabelsLike): number {
    return accuracy(this.predict(x), labelsOf(x, y, 'LinearSVC.score(x, y)'));
  }

  /** The distinct training labels, ascending (scikit-learn's classes_). */
  get classes(): Int32Array {
    return this.fitted('classes').classes;
  }
  /** nW x dim row-major weights (coef_); nW = 1 for two classes (positive: classes[1]). */
  get coef(): Float64Array {
    return this.fitted('coef').coef;
  }
  /** One bias per weight vector (intercept_). */
  get intercept(): Float64Array {
    return this.fitted('intercept').intercept;
  }
  /** Outer iterations each binary problem took. */
  get nIter(): Int32Array {
    return this.fitted('nIter').nIter;
  }
  /** False when some binary problem stopped at maxIter (scikit-learn warns "failed to converge"). */
  get converged(): boolean {
    return this.fitted('converged').converged;
  }
}
