// kNN's neighbours and votes, by whichever path is fastest here (the operation KNN.predict calls,
// lib/evaluate/knn.ts): on webgpu the products and a top-(k + 8) selection on the device with exact
// float64 rescoring here (knnDevice); where WebAssembly SIMD runs, int16 screening and float64
// rescoring (knn_scan.ts), split over worker threads; otherwise blocked float32 products on the
// tfjs backend (never the whole test x train matrix) with the top-k of each row selected in JS,
// split over workers on the CPU backends. Every path gives the same votes: the k train rows with
// the largest dot product, the majority label, ties to the smallest label.
import * as tf from '@tensorflow/tfjs';
import { workerScript } from '../io/paths.js';
import { availableCores, runWorker, sharedCopy } from './threads.js';
import {
  allFinite,
  type KnnScreenJob,
  type PackedTrain,
  packTrain,
  rescoreVote,
  type ScreenStats,
  screeningAvailable,
  screenRange,
} from './knn_scan.js';

export type { ScreenStats } from './knn_scan.js';

export interface KnnProblem {
  k: number;
  nTrain: number;
  nTest: number;
  numClasses: number;
  block: number;
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

/** Extra candidates the device selects beyond k, so that the float32 order can be checked. */
const DEVICE_EXTRA = 8;

/**
 * kNN on a GPU backend (webgpu): per block of test rows the float32 products and tf.topk of
 * k + 8 on the device; here the candidates' float64 products pick the k best (ties to the smaller
 * row). Exact where the k-th best float64 similarity exceeds the (k + 8)-th float32 one by more
 * than the float32 products' error bound (dim·2⁻²³·‖q‖·max‖t‖): then no row left out can reach
 * it. Rows where it does not (near-ties at the cut) are done by brute force in float64 here.
 */
function knnDevice(trainX: Float32Array, trainY: Int32Array, testX: Float32Array, dim: number, p: KnnProblem, pred: Int32Array): void {
  const { k, nTrain, nTest, numClasses } = p;
  const k2 = Math.min(nTrain, k + DEVICE_EXTRA);
  let maxNorm = 0;
  for (let i = 0; i < nTrain; i++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += trainX[i * dim + j] ** 2;
    maxNorm = Math.max(maxNorm, Math.sqrt(s));
  }
  const bestV = new Float64Array(k);
  const bestR = new Int32Array(k);
  const votes = new Float64Array(numClasses);
  const zeros: number[] = new Array(k2).fill(0);
  const cand: number[] = new Array(k2).fill(0);
  const trainT = tf.tidy(() => tf.transpose(tf.tensor2d(trainX, [nTrain, dim])));
  // A block's similarities (block x nTrain float32) stay near 256 MB of device memory.
  const block = Math.max(1, Math.min(nTest, Math.floor(64e6 / nTrain)));
  try {
    for (let s = 0; s < nTest; s += block) {
      const b = Math.min(block, nTest - s);
      const [vt, it] = tf.tidy(() => {
        const sim = tf.matMul(tf.tensor2d(testX.subarray(s * dim, (s + b) * dim), [b, dim]), trainT);
        const { values, indices } = tf.topk(sim, k2);
        return [values, indices];
      });
      const vals = vt.dataSync() as Float32Array;
      const idx = it.dataSync() as Int32Array;
      tf.dispose([vt, it]);
      for (let r = 0; r < b; r++) {
        const o = (s + r) * dim;
        for (let j = 0; j < k2; j++) cand[j] = idx[r * k2 + j];
        let qn = 0;
        for (let j = 0; j < dim; j++) qn += testX[o + j] ** 2;
        const err = dim * 2 ** -23 * Math.sqrt(qn) * maxNorm;
        let last = Infinity;
        for (let j = 0; j < k2; j++) last = Math.min(last, vals[r * k2 + j]);
        const label = rescoreVote(testX, o, trainX, trainY, dim, cand, zeros, 0, k, bestV, bestR, votes);
        pred[s + r] =
          k2 === nTrain || bestV[k - 1] > last + err ? label : bruteForce(trainX, trainY, testX, o, dim, k, bestV, bestR, votes);
      }
    }
  } finally {
    trainT.dispose();
  }
}

/** One test row against every train row in float64 (knnDevice's fallback at a near-tie). */
function bruteForce(
  trainX: Float32Array,
  trainY: Int32Array,
  testX: Float32Array,
  o: number,
  dim: number,
  k: number,
  bestV: Float64Array,
  bestR: Int32Array,
  votes: Float64Array,
): number {
  const n = trainY.length;
  const all = Array.from({ length: n }, (_, i) => i);
  return rescoreVote(testX, o, trainX, trainY, dim, all, new Array(n).fill(0), 0, k, bestV, bestR, votes);
}

/**
 * The test rows' predictions, split over `threads` threads (this one included; undefined: every
 * core, small problems here alone). Small problems (under ~2 GFLOP) stay on this thread: a
 * worker's start-up would cost more than it saves. With the screening kernel (knn_scan.ts) the
 * tfjs backend is not used at all; without it, backends that use every core already
 * (tfjs-node) run on this thread.
 */
export async function knnVotes(
  trainX: Float32Array,
  dim: number,
  trainY: Int32Array,
  testX: Float32Array,
  p: KnnProblem,
  threads?: number,
  blockSize?: number,
  stats?: ScreenStats,
): Promise<Int32Array> {
  const flops = 2 * p.nTest * p.nTrain * dim;
  const blocks = Math.ceil(p.nTest / p.block);
  const t = Math.max(1, Math.min(threads ?? availableCores(), blocks));
  const small = threads === undefined && flops < 2e9;
  // Row ranges in whole blocks; this thread takes the first.
  const edge = (i: number) => Math.min(p.nTest, Math.round((blocks * i) / t) * p.block);
  // A GPU backend: products and a top-(k + 8) selection on the device, exact rescoring here.
  if (tf.getBackend() === 'webgpu' && allFinite(testX) && allFinite(trainX)) {
    const pred = new Int32Array(p.nTest);
    knnDevice(trainX, trainY, testX, dim, p, pred);
    return pred;
  }
  const packed: PackedTrain | undefined = screeningAvailable() && allFinite(testX) ? packTrain(trainX, dim, trainY) : undefined;
  if (packed !== undefined) {
    const script = workerScript(__dirname, 'knn_screen_worker');
    // Candidate lists of up to 2,048 test rows at once unless told (a block fills its tiles).
    const sp = { k: p.k, numClasses: p.numClasses, block: blockSize ?? 2048 };
    const tt = Math.max(1, Math.min(threads ?? availableCores(), Math.ceil(p.nTest / 4)));
    if (tt === 1 || small || script === undefined) {
      const pred = new Int32Array(p.nTest);
      screenRange(packed, trainX, trainY, testX, sp, 0, p.nTest, pred, stats);
      return pred;
    }
    const predBuf = new SharedArrayBuffer(p.nTest * 4);
    const pred = new Int32Array(predBuf);
    const shared = { trainX: sharedCopy(trainX), trainY: sharedCopy(trainY), testX: sharedCopy(testX) };
    const sharedPacked = { ...packed, panels: sharedCopy(packed.panels), rows: sharedCopy(packed.rows), bases: sharedCopy(packed.bases) };
    // Equal row ranges; this thread takes the first.
    const at = (i: number) => Math.round((p.nTest * i) / tt);
    const pending = Array.from({ length: tt - 1 }, (_, w) => {
      const job: KnnScreenJob = { ...shared, pred: predBuf, packed: sharedPacked, problem: sp, from: at(w + 1), to: at(w + 2) };
      return runWorker(script, job, 'kNN');
    });
    screenRange(packed, trainX, trainY, testX, sp, 0, at(1), pred, stats);
    await Promise.all(pending);
    return Int32Array.from(pred);
  }
  const script = workerScript(__dirname, 'knn_worker');
  const backend = tf.getBackend();
  const oneThread = backend === 'wasm' || backend === 'cpu';
  if (t === 1 || !oneThread || script === undefined || small) {
    const pred = new Int32Array(p.nTest);
    knnRange(trainX, trainY, testX, dim, p, 0, p.nTest, pred);
    return pred;
  }
  const predBuf = new SharedArrayBuffer(p.nTest * 4);
  const pred = new Int32Array(predBuf);
  const shared = { trainX: sharedCopy(trainX), trainY: sharedCopy(trainY), testX: sharedCopy(testX) };
  const pending = Array.from({ length: t - 1 }, (_, w) => {
    const job: KnnJob = { ...shared, pred: predBuf, dim, problem: p, from: edge(w + 1), to: edge(w + 2), backend };
    return runWorker(script, job, 'kNN');
  });
  knnRange(trainX, trainY, testX, dim, p, 0, edge(1), pred);
  await Promise.all(pending);
  return Int32Array.from(pred);
}
