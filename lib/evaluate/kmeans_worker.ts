// Runs some k-means restarts for kmeans_parallel.ts and posts each result back.
import { parentPort, workerData } from 'node:worker_threads';
import { kmeansRestart, type KMeansProblem } from './kmeans.js';
import type { KMeansJob } from './kmeans_parallel.js';

const job = workerData as KMeansJob;
const p: KMeansProblem = { ...job.problem, xc: new Float64Array(job.problem.xc), norms: new Float64Array(job.problem.norms) };
for (const r of job.restarts) {
  const run = kmeansRestart(p, r);
  parentPort!.postMessage({ r, run });
}
