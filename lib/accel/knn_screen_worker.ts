// Predicts one range of test rows for KNN.predict with the screening kernel (knn_scan.ts): no
// tfjs backend to start (the dense kernels it uses for bounds are its own WebAssembly).
import { workerData } from 'node:worker_threads';
import { type KnnScreenJob, screenRange } from './knn_scan.js';

const job = workerData as KnnScreenJob;
const packed = {
  ...job.packed,
  panels: new Uint8Array(job.packed.panels),
  rows: new Int32Array(job.packed.rows),
  bases: new Float32Array(job.packed.bases),
};
screenRange(
  packed,
  new Float32Array(job.trainX),
  new Int32Array(job.trainY),
  new Float32Array(job.testX),
  job.problem,
  job.from,
  job.to,
  new Int32Array(job.pred),
);
