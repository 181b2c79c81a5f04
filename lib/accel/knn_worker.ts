// Predicts one range of test rows for KNN.predict (knn.ts), on its own tfjs backend.
import { workerData } from 'node:worker_threads';
import { initBackend } from './backend.js';
import { knnRange, type KnnJob } from './knn.js';

async function main(): Promise<void> {
  const job = workerData as KnnJob;
  await initBackend(job.backend);
  const { trainX, trainY, testX, pred, dim, problem, from, to } = job;
  knnRange(new Float32Array(trainX), new Int32Array(trainY), new Float32Array(testX), dim, problem, from, to, new Int32Array(pred));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
