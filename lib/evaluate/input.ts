// The inputs every evaluator accepts, checked in one place, with errors that name the call and
// the argument: features as a row-major array, as { features, n, dim } (what datasetFeatures and
// subspaceMixture return), as number[][] or as a 2-D tensor; labels as any array of integers.
import * as tf from '@tensorflow/tfjs';
import type { FeatureRows } from '../data/features.js';

/** Features as the evaluators hold them: n x dim, row-major (the one features type without its labels). */
export type FeatureMatrix<T extends Float32Array | Float64Array = Float32Array> = FeatureRows<T>;

/**
 * Features in any of the accepted forms:
 * - a flat row-major `Float32Array`/`Float64Array` (its row length comes from the labels in `fit`,
 *   from the fitted model in `predict`, or from the `dim` argument of a clustering's `fit`);
 * - `{ features, n, dim }` (also with `labels`, as `datasetFeatures` returns: then `fit` needs no `y`);
 * - rows as `number[][]`;
 * - a 2-D `tf.Tensor` (read with `dataSync`).
 */
export type FeaturesLike =
  | Float32Array
  | Float64Array
  | { features: Float32Array | Float64Array; n: number; dim: number; labels?: ArrayLike<number> }
  | ArrayLike<number>[]
  | tf.Tensor;

/** Labels: one integer per row (Int32Array, number[], ...). */
export type LabelsLike = ArrayLike<number>;

/** Row-count and row-length expectations, where the caller knows them. */
export interface ShapeExpect {
  /** Row length the features must have (the fitted model's, or the caller's `dim`). */
  dim?: number;
  /** Row count of a flat array (the number of labels): its row length is then length / rows. */
  rows?: number;
  /** Keep float64 input as float64 (k-means computes in the input's precision, as scikit-learn). */
  keepFloat64?: boolean;
}

const isFlat = (x: unknown): x is Float32Array | Float64Array => x instanceof Float32Array || x instanceof Float64Array;

/**
 * `x` as an n x dim row-major matrix. `where` names the call and the argument in errors
 * (e.g. 'KNN.predict(x)'). Float32Array input is used as is (no copy).
 */
export function featureMatrix(x: FeaturesLike, where: string, expect: ShapeExpect = {}): FeatureMatrix<Float32Array | Float64Array> {
  const { dim: wantDim, rows, keepFloat64 = false } = expect;
  const cast = (a: Float32Array | Float64Array | ArrayLike<number>): Float32Array | Float64Array =>
    a instanceof Float32Array || (keepFloat64 && a instanceof Float64Array) ? a : keepFloat64 ? Float64Array.from(a) : Float32Array.from(a);
  let out: FeatureMatrix<Float32Array | Float64Array>;
  if (x instanceof tf.Tensor) {
    if (x.rank !== 2) throw new Error(`${where}: a tensor of features must be 2-D (n x dim), got shape [${x.shape}]`);
    const [n, dim] = x.shape as [number, number];
    const data = x.dataSync();
    out = { features: data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>), n, dim };
  } else if (isFlat(x)) {
    let dim = wantDim;
    if (dim === undefined && rows !== undefined) {
      if (rows === 0 || x.length % rows !== 0)
        throw new Error(`${where}: ${x.length} feature values do not split into ${rows} rows (one per label)`);
      dim = x.length / rows;
    }
    if (dim === undefined)
      throw new Error(`${where}: a flat array of features needs its row length: pass { features, n, dim } or the dim argument`);
    if (!(Number.isInteger(dim) && dim >= 1)) throw new Error(`${where}: dim must be a positive integer, got ${dim}`);
    if (x.length % dim !== 0) throw new Error(`${where}: features (${x.length} values) are not a multiple of dim ${dim}`);
    out = { features: cast(x), n: x.length / dim, dim };
  } else if (Array.isArray(x)) {
    const n = x.length;
    const dim = n > 0 ? x[0].length : (wantDim ?? 0);
    const a = keepFloat64 ? new Float64Array(n * dim) : new Float32Array(n * dim);
    x.forEach((row, i) => {
      if (row.length !== dim) throw new Error(`${where}: row ${i} has ${row.length} values, row 0 has ${dim}`);
      for (let j = 0; j < dim; j++) a[i * dim + j] = row[j];
    });
    out = { features: a, n, dim };
  } else if (x !== null && typeof x === 'object' && 'features' in x && isFlat(x.features)) {
    const { features, n, dim } = x;
    if (!(Number.isInteger(dim) && dim >= 1)) throw new Error(`${where}: dim must be a positive integer, got ${dim}`);
    if (features.length !== n * dim) throw new Error(`${where}: features hold ${features.length} values, not n x dim = ${n} x ${dim}`);
    out = { features: cast(features), n, dim };
  } else {
    throw new Error(`${where}: features must be a Float32Array, { features, n, dim }, number[][] or a 2-D tensor`);
  }
  if (wantDim !== undefined && out.dim !== wantDim) throw new Error(`${where}: features are ${out.dim}-dimensional, expected ${wantDim}`);
  if (rows !== undefined && out.n !== rows) throw new Error(`${where}: train features have ${out.n} rows but ${rows} labels`);
  return out;
}

/** featureMatrix in float32 (the evaluators that compute with tfjs or in float32). */
export function featureMatrix32(x: FeaturesLike, where: string, expect: Omit<ShapeExpect, 'keepFloat64'> = {}): FeatureMatrix {
  return featureMatrix(x, where, expect) as FeatureMatrix;
}

/** The labels of `fit(x, y)`: `y`, or those `x` carries ({ features, labels, n, dim }). */
export function labelsOf(x: FeaturesLike, y: LabelsLike | undefined, where: string): LabelsLike {
  if (y !== undefined) return y;
  if (x !== null && typeof x === 'object' && !Array.isArray(x) && !(x instanceof tf.Tensor) && !isFlat(x) && x.labels !== undefined)
    return x.labels;
  throw new Error(`${where}: no labels: pass y, or x as { features, labels, n, dim }`);
}

/**
 * Labels as an Int32Array (no copy when they already are one); every one an integer, and with
 * `classIndex` a class index (≥ 0).
 */
export function labelVector(y: LabelsLike, where: string, classIndex = true): Int32Array {
  for (let i = 0; i < y.length; i++) {
    const c = y[i];
    if (!Number.isInteger(c) || (classIndex && c < 0)) throw new Error(`${where}: train label ${c} at row ${i} is not a class index`);
  }
  return y instanceof Int32Array ? y : Int32Array.from(y);
}

/** Worker threads: a count, or 'auto' (every core, small problems on this thread alone). */
export type Threads = number | 'auto';

/** `threads` as the evaluators take it: undefined for 'auto', else a positive integer. */
export function threadCount(threads: Threads, where: string): number | undefined {
  if (threads === 'auto') return undefined;
  if (!(Number.isInteger(threads) && threads >= 1))
    throw new Error(`${where}: threads must be a positive integer or 'auto', got ${threads}`);
  return threads;
}

/** The error for reading a result before fit. */
export function notFitted(cls: string, what: string): Error {
  return new Error(`${cls}: ${what} is not available before fit()`);
}
