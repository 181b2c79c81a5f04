// Predicts one range of test rows for KNN.predict with the screening kernel (knn_scan.ts): no
// tfjs backend to start.
import { workerData } from 'node:worker_threads';
import { type KnnScreenJob, screenRange } from './knn_scan.js';

const job = workerData as KnnScreenJob;
const trainX = new Float32Array(job.trainX);
const packed = { panels: new Uint8Array(job.panels), n: trainX.length / job.dim, dim: job.dim, maxL1: job.maxL1 };
screenRange(
  packed,
  trainX,
  new Int32Array(job.trainY),
  new Float32Array(job.testX),
  job.problem,
  job.from,
  job.to,
  new Int32Array(job.pred),
);
