// Predicts one range of test rows for knnPredictParallel (knn.ts), on its own tfjs backend.
import { workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend.js';
import { knnRange, type KnnJob } from './knn.js';

async function main(): Promise<void> {
  const job = workerData as KnnJob;
  await initBackend(job.backend);
  const trainX = new Float32Array(job.trainX);
  const trainT = tf.tidy(() => tf.transpose(tf.tensor2d(trainX, [job.problem.nTrain, job.dim]))) as tf.Tensor2D;
  knnRange(trainT, new Int32Array(job.trainY), new Float32Array(job.testX), job.dim, job.problem, job.from, job.to, new Int32Array(job.pred));
  trainT.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
