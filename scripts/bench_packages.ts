// Why the evaluators are the project's own: CPU seconds of the npm packages it first chose against
// its own on the same synthetic features (bench_eval.ts's: 10 classes, 128 dims, unit rows), one
// thread each, CPU time (what a shared machine still measures fairly).
//   node dist/scripts/bench_packages.js [--rows N]
// ml-kmeans: one k-means++ initialisation and Lloyd to convergence, against mcr2's KMeans with
// nInit 1 (scikit-learn's algorithm and seeds); ml-svm: one binary linear SVM (SMO on an n x n
// kernel) against mcr2's LinearSVC (liblinear's dual coordinate descent) on the same two classes.
import { initBackend } from '../lib/backend/backend.js';
import { KMeans } from '../lib/evaluate/kmeans.js';
import { LinearSVC } from '../lib/evaluate/svm.js';
import { syntheticFeatures } from './bench_eval.js';

const DIM = 128;

function cpu<T>(f: () => T): [T, number] {
  const c = process.cpuUsage();
  const r = f();
  const u = process.cpuUsage(c);
  return [r, (u.user + u.system) / 1e6];
}

async function cpuAsync<T>(f: () => Promise<T>): Promise<[T, number]> {
  const c = process.cpuUsage();
  const r = await f();
  const u = process.cpuUsage(c);
  return [r, (u.user + u.system) / 1e6];
}

async function main(): Promise<void> {
  const i = process.argv.indexOf('--rows');
  const n = i >= 0 ? Number(process.argv[i + 1]) : 20000;
  await initBackend('cpu');
  const { x } = syntheticFeatures(n, 1);
  const rows: number[][] = [];
  for (let r = 0; r < n; r++) rows.push(Array.from(x.subarray(r * DIM, (r + 1) * DIM)));
  const { kmeans } = await import('ml-kmeans');
  const [pkg, tPkg] = cpu(() => kmeans(rows, 10, { seed: 10, maxIterations: 300 }));
  const [, tOurs] = await cpuAsync(() => new KMeans({ nClusters: 10, nInit: 1, threads: 1 }).fit({ features: x, n, dim: DIM }));
  console.log(
    `k-means, ${n} x ${DIM}, one initialisation: ml-kmeans ${tPkg.toFixed(2)} s CPU (${pkg.iterations} iterations), mcr2 KMeans ${tOurs.toFixed(2)} s CPU: ${(tPkg / tOurs).toFixed(1)}x`,
  );
  const m = Math.min(n, 2000);
  const s = syntheticFeatures(m, 7);
  const feats: number[][] = [];
  for (let r = 0; r < m; r++) feats.push(Array.from(s.x.subarray(r * DIM, (r + 1) * DIM)));
  const labels = Array.from(s.y, (c) => (c === 0 ? 1 : -1));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const SVM = require('ml-svm');
  const [, tSvm] = cpu(() => new SVM({ C: 1, kernel: 'linear' }).train(feats, labels));
  const [, tLin] = cpu(() =>
    new LinearSVC().fit(
      { features: s.x, n: m, dim: DIM },
      Int32Array.from(labels, (v) => (v > 0 ? 1 : 0)),
    ),
  );
  console.log(
    `linear SVM, ${m} x ${DIM}, one binary problem: ml-svm ${tSvm.toFixed(2)} s CPU (n x n kernel: ${((m * m * 8) / 2 ** 20).toFixed(0)} MB here, ${((50000 * 50000 * 8) / 2 ** 30).toFixed(0)} GB at 50,000 rows), mcr2 LinearSVC ${tLin.toFixed(2)} s CPU: ${(tSvm / tLin).toFixed(1)}x`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
