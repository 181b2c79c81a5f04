// k-means restarts spread over worker threads: restart r gives the same result in any thread
// (kmeans.ts: kmeansRestart), so the winner is the one the sequential loop picks.
import * as os from 'node:os';
import { Worker } from 'node:worker_threads';
import { workerScript } from '../paths.js';
import { bestRun, kmeansProblem, kmeansRestart, type KMeansOptions, type KMeansProblem, type KMeansResult, type Run } from './kmeans.js';

/** What a worker needs: the problem with its arrays in shared memory, and which restarts to run. */
export interface KMeansJob {
  problem: Omit<KMeansProblem, 'xc' | 'norms'> & { xc: SharedArrayBuffer; norms: SharedArrayBuffer };
  restarts: number[];
}

function shared(a: Float64Array): SharedArrayBuffer {
  const buf = new SharedArrayBuffer(a.byteLength);
  new Float64Array(buf).set(a);
  return buf;
}

/** kmeansCluster with its restarts on `threads` threads (this one included); the same result. */
export async function kmeansClusterParallel(x: Float32Array | Float64Array, dim: number, opts: KMeansOptions = {}, threads?: number): Promise<KMeansResult> {
  const p = kmeansProblem(x, dim, opts);
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const t = Math.max(1, Math.min(threads ?? cores, p.nInit));
  const runs: Run[] = new Array(p.nInit);
  const script = workerScript(__dirname, 'kmeans_worker');
  if (t === 1 || script === undefined) {
    for (let r = 0; r < p.nInit; r++) runs[r] = kmeansRestart(p, r);
    return bestRun(p, runs);
  }
  const problem = { ...p, xc: shared(p.xc), norms: shared(p.norms) };
  const share = (i: number) => Array.from({ length: p.nInit }, (_, r) => r).filter((r) => r % t === i);
  const pending = Array.from({ length: t - 1 }, (_, w) => new Promise<void>((resolve, reject) => {
    const job: KMeansJob = { problem, restarts: share(w + 1) };
    const worker = new Worker(script, { workerData: job });
    worker.on('message', (m: { r: number; run: Run }) => { runs[m.r] = m.run; });
    worker.on('error', reject);
    worker.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`k-means worker exited with code ${code}`))));
  }));
  for (const r of share(0)) runs[r] = kmeansRestart(p, r);
  await Promise.all(pending);
  return bestRun(p, runs);
}
