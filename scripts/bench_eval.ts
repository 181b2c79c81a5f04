// Evaluator timings: LinearSVC, kNN, nearest subspace, k-means and EnSC on synthetic MCR²-like
// features (a union of 10 ten-dimensional class subspaces of R^128, each class a cone around its
// own direction, noise, unit rows): 50,000 train and 10,000 test rows (quick: 10,000 and 2,000),
// EnSC on the first 10,000 train rows (quick: 1,000). Where /usr/bin/python3 has scikit-learn, the
// same data goes through scripts/bench_eval_sklearn.py (written to a temporary .npz) and its times
// sit beside ours; the official EnSC in Python is timed on a smaller slice (it takes minutes),
// and ours on that slice too. `speedup` is scikit-learn's time over ours (above 1: we are faster).
//   node dist/scripts/bench_eval.js [--quick]
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend } from '../lib/accel/backend.js';
import {
  accuracy,
  adjustedRandIndex,
  clusteringAccuracy,
  EnSC,
  KMeans,
  KNN,
  LinearSVC,
  NearestSubspace,
  normalizedMutualInfo,
} from '../lib/evaluate/index.js';
import { writeNpz } from '../lib/io/npz.js';
import { packageRoot } from '../lib/io/paths.js';
import { RandomState } from '../lib/math/random.js';

type Json = Record<string, unknown>;

const DIM = 128;
const CLASSES = 10;
const SUB_DIM = 10;
const NOISE = 0.15;

/**
 * n unit rows in R^128 from CLASSES class subspaces of dimension SUB_DIM (fixed bases): each point
 * is its class's basis times (class mean + N(0, I)) plus NOISE·N(0, I/128), normalised.
 */
export function syntheticFeatures(n: number, seed: number): { x: Float32Array; y: Int32Array } {
  const rb = new RandomState(0);
  const bases = Array.from({ length: CLASSES }, () => rb.randn(SUB_DIM * DIM));
  const means = Array.from({ length: CLASSES }, () => rb.randn(SUB_DIM));
  const r = new RandomState(seed);
  const x = new Float32Array(n * DIM);
  const y = new Int32Array(n);
  const v = new Float64Array(DIM);
  for (let i = 0; i < n; i++) {
    const c = r.interval(CLASSES - 1);
    y[i] = c;
    const w = r.randn(SUB_DIM);
    v.fill(0);
    for (let a = 0; a < SUB_DIM; a++) {
      const wa = w[a] + means[c][a];
      for (let j = 0; j < DIM; j++) v[j] += wa * bases[c][a * DIM + j];
    }
    let s = 0;
    for (let j = 0; j < DIM; j++) s += v[j] * v[j];
    const e = r.randn(DIM);
    let t = 0;
    for (let j = 0; j < DIM; j++) {
      v[j] = v[j] / Math.sqrt(s) + (NOISE * e[j]) / Math.sqrt(DIM);
      t += v[j] * v[j];
    }
    for (let j = 0; j < DIM; j++) x[i * DIM + j] = v[j] / Math.sqrt(t);
  }
  return { x, y };
}

function seconds<T>(f: () => T): [T, number] {
  const t = performance.now();
  const out = f();
  return [out, +((performance.now() - t) / 1000).toFixed(3)];
}

function sklearnSide(file: string, enscN: number): Json {
  const py = '/usr/bin/python3';
  if (!fs.existsSync(py)) return { available: false, why: `${py} not found` };
  const probe = spawnSync(py, ['-c', 'import sklearn; print(sklearn.__version__)'], { encoding: 'utf8' });
  if (probe.status !== 0) return { available: false, why: 'python3 has no scikit-learn (Debian: apt-get install python3-sklearn)' };
  const script = path.join(packageRoot(), 'scripts', 'bench_eval_sklearn.py');
  const r = spawnSync(py, [script, file, '--ensc-n', String(enscN)], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) return { available: false, why: `bench_eval_sklearn.py failed: ${r.stderr.slice(-500)}` };
  return { available: true, ...JSON.parse(r.stdout) };
}

/** Also times the npm packages the project first chose (full run only: they are slow). */
async function packages(trainX: Float32Array): Promise<Json> {
  const out: Json = {};
  const { kmeans } = await import('ml-kmeans');
  const rows: number[][] = [];
  for (let i = 0; i < trainX.length / DIM; i++) rows.push(Array.from(trainX.subarray(i * DIM, (i + 1) * DIM)));
  const [res, s] = seconds(() => kmeans(rows, CLASSES, { seed: 10, maxIterations: 300 }));
  out.ml_kmeans = {
    seconds_one_init: s,
    iterations: res.iterations,
    rows: rows.length,
    note: 'no n_init option: x10 for KMeans(n_init=10)',
  };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const SVM = require('ml-svm');
  const { x, y } = syntheticFeatures(2000, 7);
  const feats: number[][] = [];
  for (let i = 0; i < 2000; i++) feats.push(Array.from(x.subarray(i * DIM, (i + 1) * DIM)));
  const svm = new SVM({ C: 1, kernel: 'linear' });
  const [, t] = seconds(() =>
    svm.train(
      feats,
      Array.from(y, (c) => (c === 0 ? 1 : -1)),
    ),
  );
  out.ml_svm = {
    seconds_one_binary_problem: t,
    rows: 2000,
    note: 'SMO on a precomputed n x n kernel: n² memory (20 GB at 50,000 rows), binary only',
  };
  return out;
}

export async function benchEvaluators(opts: { quick: boolean; enscRows?: number }): Promise<Record<string, unknown>> {
  const quick = opts.quick;
  const nTrain = quick ? 10000 : 50000;
  const nTest = quick ? 2000 : 10000;
  const nEnsc = opts.enscRows ?? (quick ? 1000 : 10000);
  const nEnscPy = quick ? 300 : 1000;
  const info = await initBackend();
  const train = syntheticFeatures(nTrain, 1);
  const test = syntheticFeatures(nTest, 2);
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const ours: Json = {};

  const [svmPred, svmS] = seconds(() => new LinearSVC().fit(train.x, train.y).predict(test.x));
  ours.svm = { seconds: svmS, test_acc: accuracy(svmPred, test.y) };
  log(`svm: ${svmS} s`);
  const knn0 = performance.now();
  const knnPred = await new KNN({ k: 10 }).fit(train.x, train.y).predict(test.x);
  const knnS = +((performance.now() - knn0) / 1000).toFixed(3);
  ours.knn = { seconds: knnS, test_acc: accuracy(knnPred, test.y) };
  log(`knn: ${knnS} s`);
  const [ns, nsS] = seconds(() => new NearestSubspace({ nComp: 15 }).fit(train.x, train.y).predictBoth(test.x));
  ours.nearsub = { seconds: nsS, pca_test_acc: accuracy(ns.pca, test.y), svd_test_acc: accuracy(ns.svd, test.y) };
  log(`nearsub: ${nsS} s`);
  const km0 = performance.now();
  const km = await new KMeans({ nClusters: CLASSES, nInit: 10, randomState: 10 }).fit(train.x, DIM);
  const kmS = +((performance.now() - km0) / 1000).toFixed(3);
  ours.kmeans = {
    seconds: kmS,
    acc: clusteringAccuracy(km.labels, train.y),
    nmi: normalizedMutualInfo(km.labels, train.y),
    ari: adjustedRandIndex(km.labels, train.y),
    n_iter: km.nIter,
    inertia: km.inertia,
  };
  log(`kmeans: ${kmS} s`);
  const enscRun = async (n: number): Promise<Json> => {
    const x = train.x.subarray(0, n * DIM);
    const y = train.y.subarray(0, n);
    const e0 = performance.now();
    const r = await new EnSC({ nClusters: CLASSES }).fit(x, DIM);
    const s = +((performance.now() - e0) / 1000).toFixed(3);
    log(`ensc n=${n}: ${s} s`);
    return { seconds: s, n, acc: clusteringAccuracy(r.labels, y), nmi: normalizedMutualInfo(r.labels, y), parts_seconds: r.seconds };
  };
  ours.ensc_small = await enscRun(nEnscPy);
  ours.ensc = await enscRun(nEnsc);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-bench-eval-'));
  const file = path.join(dir, 'data.npz');
  let sk: Json;
  try {
    writeNpz(file, {
      train_x: { data: train.x, shape: [nTrain, DIM] },
      train_y: { data: train.y },
      test_x: { data: test.x, shape: [nTest, DIM] },
      test_y: { data: test.y },
      ensc_x: { data: train.x.subarray(0, nEnscPy * DIM), shape: [nEnscPy, DIM] },
      ensc_y: { data: train.y.subarray(0, nEnscPy) },
    });
    sk = sklearnSide(file, nEnscPy);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  log(`scikit-learn: ${sk.available ? 'done' : sk.why}`);

  const skS = (k: string): number | null => ((sk[k] as Json | undefined)?.seconds as number | undefined) ?? null;
  const row = (method: string, our: number, theirs: number | null, what: string) => ({
    method,
    what,
    ours_s: our,
    sklearn_s: theirs === null ? null : +theirs.toFixed(3),
    speedup: theirs === null ? null : +(theirs / our).toFixed(2),
  });
  const o = (k: string) => (ours[k] as Json).seconds as number;
  const table = [
    row('svm', o('svm'), skS('svm'), `LinearSVC fit ${nTrain} + predict ${nTest}`),
    row('knn', o('knn'), skS('knn'), `k=10 cosine, ${nTest} vs ${nTrain} (reference: numpy)`),
    row('nearsub', o('nearsub'), skS('nearsub'), 'both variants, 15 components, fit + score'),
    row('kmeans', o('kmeans'), skS('kmeans'), `KMeans(10, n_init=10) on ${nTrain}`),
    row('ensc', o('ensc_small'), skS('ensc'), `EnSC gamma 300 on ${nEnscPy} (reference: official algorithm in Python)`),
    row('ensc_full', o('ensc'), null, `EnSC gamma 300 on ${nEnsc} (ours only)`),
  ];
  const out: Json = {
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
    backend: info.name,
    data: {
      train: [nTrain, DIM],
      test: [nTest, DIM],
      classes: CLASSES,
      subspace_dim: SUB_DIM,
      noise: NOISE,
      ensc_rows: nEnsc,
      ensc_python_rows: nEnscPy,
    },
    ours,
    sklearn: sk,
    table,
  };
  if (!quick) out.packages = await packages(train.x);
  return out;
}

if (require.main === module) {
  const ei = process.argv.indexOf('--ensc-rows');
  benchEvaluators({ quick: process.argv.includes('--quick'), enscRows: ei >= 0 ? Number(process.argv[ei + 1]) : undefined })
    .then((r) => console.log(JSON.stringify(r, null, 2)))
    .catch((e) => {
      console.error(e);
      process.exit(1);
    });
}
