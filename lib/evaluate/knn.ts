// k-nearest neighbours on cosine similarity (features are unit rows, so a dot product), majority
// vote; ties go to the smallest label. Blocked products: never the whole test x train matrix.
import * as tf from '@tensorflow/tfjs';

export interface KnnOptions {
  k?: number;
  /** Test rows per block (block x nTrain similarities are held at once). */
  blockSize?: number;
  numClasses?: number;
}

export function knnPredict(trainX: Float32Array, trainY: Int32Array, testX: Float32Array, dim: number, opts: KnnOptions = {}): Int32Array {
  const k = opts.k ?? 5;
  const nTrain = trainY.length;
  const nTest = testX.length / dim;
  if (trainX.length !== nTrain * dim) throw new Error(`kNN: train features have ${trainX.length / dim} rows but ${nTrain} labels`);
  if (!Number.isInteger(nTest)) throw new Error(`kNN: test features are not a multiple of dim ${dim}`);
  if (!(Number.isInteger(k) && k >= 1 && k <= nTrain)) throw new Error(`kNN: k must be in 1..${nTrain}, got ${k}`);
  let numClasses = opts.numClasses ?? 0;
  for (let i = 0; i < nTrain; i++) numClasses = Math.max(numClasses, trainY[i] + 1);
  // Keep the block's similarity matrix near 64 MB.
  const block = opts.blockSize ?? Math.max(1, Math.min(nTest, Math.floor(16e6 / nTrain)));
  const pred = new Int32Array(nTest);
  const trainT = tf.tidy(() => tf.transpose(tf.tensor2d(trainX, [nTrain, dim])));
  const votes = new Float64Array(numClasses);
  try {
    for (let s = 0; s < nTest; s += block) {
      const b = Math.min(block, nTest - s);
      const idx = tf.tidy(() => {
        const q = tf.tensor2d(testX.subarray(s * dim, (s + b) * dim), [b, dim]);
        return tf.topk(tf.matMul(q, trainT), k, true).indices;
      });
      const nb = idx.dataSync() as Int32Array;
      idx.dispose();
      for (let r = 0; r < b; r++) {
        votes.fill(0);
        for (let j = 0; j < k; j++) votes[trainY[nb[r * k + j]]]++;
        let best = 0;
        for (let c = 1; c < numClasses; c++) if (votes[c] > votes[best]) best = c;
        pred[s + r] = best;
      }
    }
  } finally {
    trainT.dispose();
  }
  return pred;
}
