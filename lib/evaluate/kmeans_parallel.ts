// k-means restarts spread over worker threads: restart r gives the same result in any thread
// (kmeans.ts: kmeansRestart), so the winner is the one the sequential loop picks.
import { workerScript } from '../io/paths.js';
import { availableCores, runWorker, sharedCopy } from '../backend/threads.js';
import { bestRun, kmeansProblem, kmeansRestart, type KMeansOptions, type KMeansProblem, type KMeansResult, type Run } from './kmeans.js';

/** What a worker needs: the problem with its arrays in shared memory, and which restarts to run. */
export interface KMeansJob {
  problem: Omit<KMeansProblem, 'xc' | 'norms'> & { xc: SharedArrayBuffer; norms: SharedArrayBuffer };
  restarts: number[];
}

/** kmeansCluster with its restarts on `threads` threads (this one included); the same result. */
export async function kmeansClusterParallel(
  x: Float32Array | Float64Array,
  dim: number,
  opts: KMeansOptions = {},
  threads?: number,
): Promise<KMeansResult> {
  const p = kmeansProblem(x, dim, opts);
  const t = Math.max(1, Math.min(threads ?? availableCores(), p.nInit));
  const runs: Run[] = new Array(p.nInit);
  const script = workerScript(__dirname, 'kmeans_worker');
  if (t === 1 || script === undefined) {
    for (let r = 0; r < p.nInit; r++) runs[r] = kmeansRestart(p, r);
    return bestRun(p, runs);
  }
  const problem = { ...p, xc: sharedCopy(p.xc), norms: sharedCopy(p.norms) };
  const share = (i: number) => Array.from({ length: p.nInit }, (_, r) => r).filter((r) => r % t === i);
  const pending = Array.from({ length: t - 1 }, (_, w) => {
    const job: KMeansJob = { problem, restarts: share(w + 1) };
    return runWorker(script, job, 'k-means', (m) => {
      const { r, run } = m as { r: number; run: Run };
      runs[r] = run;
    });
  });
  for (const r of share(0)) runs[r] = kmeansRestart(p, r);
  await Promise.all(pending);
  return bestRun(p, runs);
}
