// Computes one range of rows of EnSC's self-expression for EnSC.fit (ensc.ts), on its
// own tfjs backend, and posts the triplets back.
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend } from '../accel/backend.js';
import { selfExpression, type EnscJob } from './ensc.js';

async function main(): Promise<void> {
  const job = workerData as EnscJob;
  await initBackend(job.backend);
  const t = selfExpression(new Float32Array(job.x), job.dim, job.params, job.from, job.to);
  parentPort!.postMessage(t, [t.rows.buffer as ArrayBuffer, t.cols.buffer as ArrayBuffer, t.vals.buffer as ArrayBuffer]);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
