// Worker-thread helpers shared by the evaluators that split their work over cores (kNN, k-means,
// EnSC). Training uses its own long-lived workers (train/parallel.ts).
import * as os from 'node:os';
import { Worker } from 'node:worker_threads';

/** Cores this process may use. */
export function availableCores(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/**
 * Runs `script` on a worker thread with `data` as its workerData; every message it posts goes to
 * `onMessage`. Resolves when it exits with code 0; rejects with `what` in the error otherwise.
 */
export function runWorker(script: string, data: unknown, what: string, onMessage?: (m: unknown) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const worker = new Worker(script, { workerData: data });
    if (onMessage) worker.on('message', onMessage);
    worker.on('error', (e) => reject(new Error(`${what} worker failed: ${e.message}`)));
    worker.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${what} worker exited with code ${code}`))));
  });
}

/** A copy of `a` in shared memory, for workers to read without copying again. */
export function sharedCopy(a: Float32Array | Float64Array | Int32Array | Uint8Array): SharedArrayBuffer {
  const buf = new SharedArrayBuffer(a.byteLength);
  new Uint8Array(buf).set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  return buf;
}
