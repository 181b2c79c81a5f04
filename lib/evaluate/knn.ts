// k-nearest neighbours on cosine similarity (features are unit rows, so a dot product), majority
// vote; ties go to the smallest label. Blocked products: never the whole test x train matrix.
// The top-k of each similarity row is selected in JS (one pass with a threshold, k small): on
// 10,000 x 50,000 that is ~4x faster than tf.topk on wasm. The products dominate (GEMM-bound),
// so knnPredictParallel splits the test rows over worker threads, each with its own backend.
import * as tf from '@tensorflow/tfjs';
import { workerScript } from '../io/paths.js';
import { availableCores, runWorker, sharedCopy } from '../backend/threads.js';

export interface KnnOptions {
  k?: number;
  /** Test rows per block (block x nTrain similarities are held at once). */
  blockSize?: number;
  numClasses?: number;
}

export interface KnnProblem {
  k: number;
  nTrain: number;
  nTest: number;
  numClasses: number;
  block: number;
}

function knnProblem(trainX: Float32Array, trainY: Int32Array, testX: Float32Array, dim: number, opts: KnnOptions): KnnProblem {
  const k = opts.k ?? 5;
  const nTrain = trainY.length;
  const nTest = testX.length / dim;
  if (trainX.length !== nTrain * dim) throw new Error(`kNN: train features have ${trainX.length / dim} rows but ${nTrain} labels`);
  if (!Number.isInteger(nTest)) throw new Error(`kNN: test features are not a multiple of dim ${dim}`);
  if (!(Number.isInteger(k) && k >= 1 && k <= nTrain)) throw new Error(`kNN: k must be in 1..${nTrain}, got ${k}`);
  let numClasses = opts.numClasses ?? 0;
  for (let i = 0; i < nTrain; i++) {
    const c = trainY[i];
    if (!(Number.isInteger(c) && c >= 0)) throw new Error(`kNN: train label ${c} at row ${i} is not a class index`);
    numClasses = Math.max(numClasses, c + 1);
  }
  // Keep the block's similarity matrix near 64 MB.
  const block = opts.blockSize ?? Math.max(1, Math.min(nTest, Math.floor(16e6 / nTrain)));
  return { k, nTrain, nTest, numClasses, block };
}

/**
 * Indices of the k largest values of row[0..n), into `out` (unordered). Ties keep the earlier
 * index, as a stable sort would.
 */
function topK(row: Float32Array, n: number, k: number, vals: Float64Array, out: Int32Array): void {
  // vals/out hold the current k best, `min` the smallest of them at position `at`.
  for (let j = 0; j < k; j++) {
    vals[j] = row[j];
    out[j] = j;
  }
  let at = 0;
  const findMin = () => {
    at = 0;
    for (let j = 1; j < k; j++) if (vals[j] < vals[at] || (vals[j] === vals[at] && out[j] > out[at])) at = j;
  };
  findMin();
  let min = vals[at];
  for (let i = k; i < n; i++) {
    const v = row[i];
    if (v > min) {
      vals[at] = v;
      out[at] = i;
      findMin();
      min = vals[at];
    }
  }
}

/** Predictions for test rows [from, to) into `pred`: what one thread does. */
export function knnRange(
  trainX: Float32Array,
  trainY: Int32Array,
  testX: Float32Array,
  dim: number,
  p: KnnProblem,
  from: number,
  to: number,
  pred: Int32Array,
): void {
  const { k, nTrain, numClasses, block } = p;
  const votes = new Float64Array(numClasses);
  const vals = new Float64Array(k);
  const nb = new Int32Array(k);
  const trainT = tf.tidy(() => tf.transpose(tf.tensor2d(trainX, [nTrain, dim])));
  try {
    for (let s = from; s < to; s += block) {
      const b = Math.min(block, to - s);
      const sim = tf.tidy(() => tf.matMul(tf.tensor2d(testX.subarray(s * dim, (s + b) * dim), [b, dim]), trainT));
      const all = sim.dataSync() as Float32Array;
      sim.dispose();
      for (let r = 0; r < b; r++) {
        topK(all.subarray(r * nTrain, (r + 1) * nTrain), nTrain, k, vals, nb);
        votes.fill(0);
        for (let j = 0; j < k; j++) votes[trainY[nb[j]]]++;
        let best = 0;
        for (let c = 1; c < numClasses; c++) if (votes[c] > votes[best]) best = c;
        pred[s + r] = best;
      }
    }
  } finally {
    trainT.dispose();
  }
}

export function knnPredict(trainX: Float32Array, trainY: Int32Array, testX: Float32Array, dim: number, opts: KnnOptions = {}): Int32Array {
  const p = knnProblem(trainX, trainY, testX, dim, opts);
  const pred = new Int32Array(p.nTest);
  knnRange(trainX, trainY, testX, dim, p, 0, p.nTest, pred);
  return pred;
}

/** What a kNN worker gets: shared train/test features and labels, and its test rows. */
export interface KnnJob {
  trainX: SharedArrayBuffer;
  trainY: SharedArrayBuffer;
  testX: SharedArrayBuffer;
  pred: SharedArrayBuffer;
  dim: number;
  problem: KnnProblem;
  from: number;
  to: number;
  backend?: string;
}

/**
 * knnPredict with the test rows split over `threads` threads (this one included): the same
 * predictions. Small problems (under ~2 GFLOP) stay on this thread: a worker's backend start-up
 * (~0.3 s) would cost more than it saves. Backends that use every core already run on this thread.
 */
export async function knnPredictParallel(
  trainX: Float32Array,
  trainY: Int32Array,
  testX: Float32Array,
  dim: number,
  opts: KnnOptions = {},
  threads?: number,
): Promise<Int32Array> {
  const p = knnProblem(trainX, trainY, testX, dim, opts);
  const t = Math.max(1, Math.min(threads ?? availableCores(), Math.ceil(p.nTest / p.block)));
  const script = workerScript(__dirname, 'knn_worker');
  const flops = 2 * p.nTest * p.nTrain * dim;
  const backend = tf.getBackend();
  // libtensorflow (tfjs-node) already uses every core; workers help the one-thread backends.
  const oneThread = backend === 'wasm' || backend === 'cpu';
  if (t === 1 || !oneThread || script === undefined || (threads === undefined && flops < 2e9))
    return knnPredict(trainX, trainY, testX, dim, opts);
  const predBuf = new SharedArrayBuffer(p.nTest * 4);
  const pred = new Int32Array(predBuf);
  const shared = { trainX: sharedCopy(trainX), trainY: sharedCopy(trainY), testX: sharedCopy(testX) };
  // Row ranges in whole blocks; this thread takes the first.
  const blocks = Math.ceil(p.nTest / p.block);
  const edge = (i: number) => Math.min(p.nTest, Math.round((blocks * i) / t) * p.block);
  const pending = Array.from({ length: t - 1 }, (_, w) => {
    const job: KnnJob = { ...shared, pred: predBuf, dim, problem: p, from: edge(w + 1), to: edge(w + 2), backend };
    return runWorker(script, job, 'kNN');
  });
  knnRange(trainX, trainY, testX, dim, p, 0, edge(1), pred);
  await Promise.all(pending);
  return Int32Array.from(pred);
}
