// Runs some k-means restarts for KMeans.fit (kmeans.ts) and posts each result back.
import { parentPort, workerData } from 'node:worker_threads';
import { type KMeansJob, type KMeansProblem, kmeansRestart } from './kmeans.js';

const job = workerData as KMeansJob;
const p: KMeansProblem = { ...job.problem, xc: new Float64Array(job.problem.xc), norms: new Float64Array(job.problem.norms) };
for (const r of job.restarts) {
  const run = kmeansRestart(p, r);
  parentPort!.postMessage({ r, run });
}
