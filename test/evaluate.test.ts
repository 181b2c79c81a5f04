import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomUnitFeatures, subspaceMixture, unitRows } from '../lib/data/synthetic.js';
import {
  accuracy,
  confusionMatrix,
  ENSC_DEFAULTS,
  EnSC,
  KMEANS_DEFAULTS,
  KMeans,
  KNN,
  KNN_DEFAULTS,
  LINEAR_SVC_DEFAULTS,
  LinearSVC,
  NEARSUB_DEFAULTS,
  NearestSubspace,
} from '../lib/evaluate/index.js';
import { featureMatrix } from '../lib/evaluate/input.js';
import { packTrain } from '../lib/accel/knn_scan.js';
import { evaluateRun, evaluationJson, isCrossEntropyRun } from '../lib/runs/evaluate.js';
import { writeNpz } from '../lib/io/npz.js';
import { RandomState } from '../lib/math/random.js';
import { symmetricEigen, symmetricEigenTop } from '../lib/math/linalg.js';
import { initBackendFor, tf } from './helpers.js';

/** n points per class on k random d-dimensional subspaces of R^p, unit rows (the points of RandomState(pointSeed)). */
function unionOfSubspaces(k: number, n: number, p: number, d: number, seed: number, pointSeed = seed + 1000) {
  const m = subspaceMixture({ classes: k, perClass: n, dim: p, subspaceDim: d, seed, pointSeed });
  return { x: m.features, y: m.labels };
}

test('nearest subspace recovers a union of subspaces exactly (both variants)', async () => {
  await initBackendFor('wasm');
  const tr = unionOfSubspaces(4, 60, 24, 3, 1);
  const te = unionOfSubspaces(4, 60, 24, 3, 1, 77); // the same subspaces, other points
  const r = new NearestSubspace({ nComp: 3 }).fit(tr.x, tr.y).predictBoth(te.x);
  assert.equal(accuracy(r.svd, te.y), 1);
  assert.equal(accuracy(r.pca, te.y), 1);
  // With tfjs ops for the Gram matrices and the product (MCR2_SIMD_KERNELS=0; dim 23, not a multiple of 8).
  const cut = (x: Float32Array) => Float32Array.from({ length: (x.length / 24) * 23 }, (_, i) => x[Math.floor(i / 23) * 24 + (i % 23)]);
  const simd = new NearestSubspace({ nComp: 3 }).fit(cut(tr.x), tr.y).predictBoth(cut(te.x));
  process.env.MCR2_SIMD_KERNELS = '0';
  try {
    const ops = new NearestSubspace({ nComp: 3 }).fit(cut(tr.x), tr.y).predictBoth(cut(te.x));
    assert.deepEqual([...ops.svd], [...simd.svd]);
    assert.deepEqual([...ops.pca], [...simd.pca]);
  } finally {
    delete process.env.MCR2_SIMD_KERNELS;
  }
  assert.throws(() => new NearestSubspace({ nComp: 30 }).fit(tr.x, tr.y), /nComp must be in 1\.\.24/);
});

test('kNN: cosine similarity, majority vote, ties to the smallest label', async () => {
  await initBackendFor('wasm');
  const train = Float32Array.from([1, 0, 0, 1, -1, 0, 0, -1]);
  const labels = Int32Array.from([3, 1, 2, 0]);
  const test1 = Float32Array.from([0.9, 0.1, 0.1, 0.9, -1, 0.05]);
  assert.deepEqual([...(await new KNN({ k: 1 }).fit(train, labels).predict(test1))], [3, 1, 2]);
  // k = 2 at (1, 1)/√2: neighbours labelled 3 and 1 tie; the smaller label wins.
  assert.deepEqual([...(await new KNN({ k: 2 }).fit(train, labels).predict(Float32Array.from([0.7071, 0.7071])))], [1]);
  const u = unionOfSubspaces(3, 50, 16, 2, 5);
  const pred = await new KNN({ k: 5, blockSize: 7, threads: 1 }).fit(u.x, u.y).predict(u.x);
  assert.ok(accuracy(pred, u.y) > 0.95);
  assert.throws(() => new KNN({ k: 9 }).fit(train, labels), /k must be in 1\.\.4/);
  // Split over a worker thread (forced: the problem is small): the same predictions.
  const par = await new KNN({ k: 5, blockSize: 7, threads: 2 }).fit(u.x, u.y).predict(u.x);
  assert.deepEqual([...par], [...pred]);
  assert.throws(() => new KNN({ k: 1 }).fit(train, Int32Array.from([0, 1, -1, 2])), /train label -1 at row 2/);
});

/** The exact k nearest by float64 dot product (ties: the smaller row), majority vote (ties: the smaller label). */
function bruteKnn(tx: Float32Array, ty: Int32Array, qx: Float32Array, dim: number, k: number, nc: number): Int32Array {
  const n = ty.length;
  const out = new Int32Array(qx.length / dim);
  for (let q = 0; q < out.length; q++) {
    const s: Array<[number, number]> = [];
    for (let i = 0; i < n; i++) {
      let d0 = 0;
      let d1 = 0;
      let j = 0;
      for (; j + 1 < dim; j += 2) {
        d0 += qx[q * dim + j] * tx[i * dim + j];
        d1 += qx[q * dim + j + 1] * tx[i * dim + j + 1];
      }
      if (j < dim) d0 += qx[q * dim + j] * tx[i * dim + j];
      s.push([d0 + d1, i]);
    }
    s.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    const votes = new Float64Array(nc);
    for (let j = 0; j < k; j++) votes[ty[s[j][1]]]++;
    let best = 0;
    for (let c = 1; c < nc; c++) if (votes[c] > votes[best]) best = c;
    out[q] = best;
  }
  return out;
}

test('kNN screening (int16 products, float64 rescoring) finds the exact neighbours: ties, any norms, any dim', async () => {
  await initBackendFor('wasm');
  const r = new RandomState(3);
  // [train rows, test rows, dim, k, kind]: 0 Gaussian, 1 values on a grid of 1/2 (many exact ties),
  // 2 rows of very different norms.
  for (const [n, m, dim, k, kind] of [
    [500, 50, 128, 10, 0],
    [300, 40, 7, 5, 0],
    [257, 33, 3, 1, 1],
    [1000, 20, 64, 20, 1],
    [100, 10, 2, 3, 2],
    [64, 9, 130, 7, 0],
  ]) {
    let tx = Float32Array.from(r.randn(n * dim));
    let qx = Float32Array.from(r.randn(m * dim));
    if (kind === 1) {
      tx = tx.map((v) => Math.round(v * 2) / 2);
      qx = qx.map((v) => Math.round(v * 2) / 2);
    }
    if (kind === 2) for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) tx[i * dim + j] *= (i % 7) + 0.01;
    const ty = r.randint(0, 5, n);
    const want = [...bruteKnn(tx, ty, qx, dim, k, 5)];
    const where = `n=${n} m=${m} dim=${dim} k=${k} kind=${kind}`;
    assert.deepEqual([...(await new KNN({ k, numClasses: 5, threads: 1 }).fit(tx, ty).predict(qx))], want, where);
    assert.deepEqual(
      [...(await new KNN({ k, numClasses: 5, blockSize: 3, threads: 2 }).fit(tx, ty).predict(qx))],
      want,
      `${where}, 2 threads`,
    );
    // The float32 path (no SIMD): the same neighbours but on exact ties of float32 products.
    if (kind !== 1) {
      process.env.MCR2_SIMD_KERNELS = '0';
      try {
        const f = await new KNN({ k, numClasses: 5, threads: 1 }).fit(tx, ty).predict(qx);
        assert.ok(accuracy(f, want) >= 0.9, `${where}, float path`);
      } finally {
        delete process.env.MCR2_SIMD_KERNELS;
      }
    }
  }
  // A non-finite feature: the float path, NaN similarities never chosen.
  const tx = Float32Array.from([1, 0, 0, 1, NaN, 0]);
  assert.deepEqual([...(await new KNN({ k: 1 }).fit(tx, Int32Array.of(0, 1, 2)).predict(Float32Array.of(0.1, 1)))], [1]);
});

test('kNN screening groups rows by class subspace and skips groups a bound rules out: still the exact neighbours', async () => {
  await initBackendFor('wasm');
  // 6 classes of 800 on 5-dimensional subspaces of R^48 with noise, 300 outliers (random rows,
  // mislabelled, some of norm 3), a row repeated (exact ties).
  const m = subspaceMixture({ classes: 6, perClass: 800, dim: 48, subspaceDim: 5, noise: 0.1, seed: 11 });
  const out = randomUnitFeatures(300, 48, 12);
  const n = 4800 + 300;
  const tx = new Float32Array(n * 48);
  tx.set(m.features);
  tx.set(out.subarray(0, 300 * 48), 4800 * 48);
  for (let i = 0; i < 40; i++) tx.set(tx.subarray(0, 48), (100 + i) * 48);
  for (let i = 4900; i < 4960; i++) for (let j = 0; j < 48; j++) tx[i * 48 + j] *= 3;
  const ty = Int32Array.from({ length: n }, (_, i) => (i < 4800 ? m.labels[i] : i % 6));
  const te = subspaceMixture({ classes: 6, perClass: 30, dim: 48, subspaceDim: 5, noise: 0.1, seed: 11, pointSeed: 99 });
  const qx = new Float32Array((180 + 20) * 48);
  qx.set(te.features);
  qx.set(tx.subarray(0, 48), 180 * 48); // a query equal to the repeated row
  qx.set(randomUnitFeatures(19, 48, 13), 181 * 48);
  const packed = packTrain(tx, 48, ty);
  assert.ok(packed !== undefined && packed.groups.length === 7, 'six bounded groups and the unbounded one');
  for (const k of [1, 10, 45]) {
    const want = [...bruteKnn(tx, ty, qx, 48, k, 6)];
    const knn = new KNN({ k, threads: 1 }).fit(tx, ty);
    assert.deepEqual([...(await knn.predict(qx))], want, `k=${k}`);
    const st = knn.lastStats!;
    if (k <= 10) assert.ok(st.scanned / st.queries < 0.6 * n, `k=${k}: ${st.scanned / st.queries} rows scanned a test row`);
    assert.deepEqual([...(await new KNN({ k, threads: 2, blockSize: 24 }).fit(tx, ty).predict(qx))], want, `k=${k}, 2 threads`);
  }
});

test('metrics and the symmetric eigensolver', () => {
  assert.equal(accuracy([1, 2, 3, 4], [1, 2, 0, 4]), 0.75);
  assert.deepEqual(confusionMatrix([0, 1, 1], [0, 1, 0], 2), [
    [1, 1],
    [0, 1],
  ]);
  assert.throws(() => accuracy([1], [1, 2]), /1 predictions for 2 labels/);
  const a = [4, 1, 2, 1, 3, 0, 2, 0, 5];
  const { values, vectors } = symmetricEigen(a, 3);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < 3; i++) {
      let av = 0;
      for (let j = 0; j < 3; j++) av += a[i * 3 + j] * vectors[j * 3 + c];
      assert.ok(Math.abs(av - values[c] * vectors[i * 3 + c]) < 1e-12);
    }
  }
  assert.ok(values[0] >= values[1] && values[1] >= values[2]);
  // The top eigenpairs alone (nearest subspace): symmetricEigen's, to rounding.
  const r = new RandomState(4);
  for (const [n, count] of [
    [128, 15],
    [37, 5],
    [3, 1],
  ]) {
    const x = r.randn(n * 2 * n);
    const g = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) for (let t = 0; t < 2 * n; t++) g[i * n + j] += x[i * 2 * n + t] * x[j * 2 * n + t];
    const full = symmetricEigen(g, n);
    const top = symmetricEigenTop(g, n, count);
    for (let t = 0; t < count; t++) {
      assert.equal(top.values[t], full.values[t]);
      for (let i = 0; i < n; i++) assert.ok(Math.abs(top.vectors[i * count + t] - full.vectors[i * n + t]) < 1e-12, `n=${n} vector ${t}`);
    }
  }
});

test('k-means restarts on worker threads pick the same clustering as the sequential loop', async () => {
  const u = unionOfSubspaces(5, 300, 16, 3, 9);
  const seq = await new KMeans({ nClusters: 5, nInit: 6, randomState: 3, threads: 1 }).fit(u.x, 16);
  const par = await new KMeans({ nClusters: 5, nInit: 6, randomState: 3, threads: 2 }).fit(u.x, 16);
  assert.deepEqual([...par.labels], [...seq.labels]);
  assert.equal(par.inertia, seq.inertia);
  assert.equal(par.nIter, seq.nIter);
  // predict: the nearest centre, so the train rows get their own labels back.
  assert.deepEqual([...seq.predict({ features: u.x, n: 1500, dim: 16 })], [...seq.labels]);
  // Without the SIMD products (lib/accel/row_dots.ts; odd dim 15 too): the same clustering.
  for (const [x, dim] of [
    [u.x, 16],
    [u.x.subarray(0, 1500 * 15), 15],
  ] as const) {
    const simd = await new KMeans({ nClusters: 5, nInit: 6, randomState: 3, threads: 1 }).fit(x, dim);
    process.env.MCR2_SIMD_KERNELS = '0';
    try {
      const js = await new KMeans({ nClusters: 5, nInit: 6, randomState: 3, threads: 1 }).fit(x, dim);
      assert.deepEqual([...js.labels], [...simd.labels], `dim ${dim}`);
      assert.equal(js.nIter, simd.nIter);
      assert.ok(Math.abs(js.inertia - simd.inertia) <= 1e-12 * js.inertia);
    } finally {
      delete process.env.MCR2_SIMD_KERNELS;
    }
  }
});

test('one shape helper for every evaluator: flat, { features, n, dim }, number[][], tensors; errors name the call', async () => {
  await initBackendFor('wasm');
  const flat = Float32Array.from([1, 0, 0, 1, -1, 0]);
  const rows = [
    [1, 0],
    [0, 1],
    [-1, 0],
  ];
  const asObj = featureMatrix({ features: flat, n: 3, dim: 2 }, 'f(x)');
  assert.equal(asObj.features, flat); // no copy
  assert.deepEqual([...featureMatrix(rows, 'f(x)').features], [...flat]);
  const t = tf.tensor2d(flat, [3, 2]);
  assert.deepEqual(featureMatrix(t, 'f(x)').dim, 2);
  t.dispose();
  assert.equal(featureMatrix(flat, 'f(x)', { rows: 3 }).dim, 2);
  assert.throws(() => featureMatrix(flat, 'KMeans.fit(x)'), /KMeans\.fit\(x\): a flat array of features needs its row length/);
  assert.throws(() => featureMatrix(flat, 'KNN.fit(x)', { rows: 4 }), /KNN\.fit\(x\): 6 feature values do not split into 4 rows/);
  assert.throws(() => featureMatrix([[1, 2], [3]], 'KNN.fit(x)'), /KNN\.fit\(x\): row 1 has 1 values, row 0 has 2/);
  assert.throws(() => featureMatrix({ features: flat, n: 4, dim: 2 }, 'f(x)'), /features hold 6 values, not n x dim = 4 x 2/);
  assert.throws(() => featureMatrix(tf.zeros([2, 2, 2]), 'f(x)'), /must be 2-D \(n x dim\), got shape \[2,2,2\]/);

  // Every estimator takes labelled features ({ features, labels, n, dim }) without y.
  const u = subspaceMixture({ classes: 3, perClass: 40, dim: 12, subspaceDim: 2, seed: 4 });
  const v = subspaceMixture({ classes: 3, perClass: 20, dim: 12, subspaceDim: 2, seed: 4, pointSeed: 9 });
  assert.equal(await new KNN().fit(u).score(v), 1);
  assert.equal(new NearestSubspace({ nComp: 2 }).fit(u).score(v), 1);
  assert.equal(new NearestSubspace({ nComp: 2, variant: 'pca' }).fit(u).score(v), 1);
  const svm = new LinearSVC().fit(u);
  assert.equal(svm.score(v), accuracy(svm.predict(v.features), v.labels)); // (subspaces through 0: not linearly separable)
  assert.deepEqual([...svm.classes], [0, 1, 2]);
  assert.equal(svm.decisionFunction(v).length, 3 * 60);
  // number[][] rows and a flat array give the same predictions.
  const vRows = Array.from({ length: v.n }, (_, i) => [...v.features.subarray(i * 12, (i + 1) * 12)]);
  assert.deepEqual([...svm.predict(vRows)], [...svm.predict(v.features)]);
  assert.throws(() => svm.predict(new Float32Array(10)), /LinearSVC\.predict\(x\): features \(10 values\) are not a multiple of dim 12/);
  assert.throws(() => new LinearSVC().predict(v), /LinearSVC: predict is not available before fit\(\)/);
  assert.throws(() => new KNN().fit(u.features), /KNN\.fit\(x, y\): no labels: pass y/);
  assert.throws(() => new KNN({ threads: 0 }), /threads must be a positive integer or 'auto', got 0/);
  const km = await new KMeans({ nClusters: 3 }).fit(u);
  assert.equal(km.centers.length, 3 * 12);
  assert.throws(() => new KMeans().labels, /KMeans: labels is not available before fit\(\)/);
});

test('the defaults live in one constant per evaluator (the official ones)', () => {
  assert.deepEqual({ ...KNN_DEFAULTS }, { k: 5, threads: 'auto' });
  assert.deepEqual({ ...NEARSUB_DEFAULTS }, { nComp: 30, variant: 'svd' });
  assert.equal(KMEANS_DEFAULTS.nClusters, 10);
  assert.equal(KMEANS_DEFAULTS.nInit, 10);
  assert.equal(KMEANS_DEFAULTS.randomState, 10);
  assert.equal(ENSC_DEFAULTS.gamma, 300);
  assert.equal(ENSC_DEFAULTS.tau, 1);
  assert.equal(ENSC_DEFAULTS.nClusters, 10);
  assert.equal(LINEAR_SVC_DEFAULTS.C, 1);
  assert.equal(LINEAR_SVC_DEFAULTS.randomState, 10);
  assert.equal(new KNN().k, 5);
  assert.equal(new NearestSubspace().nComp, 30);
  assert.equal(new KMeans().options.nInit, 10);
  assert.equal(new EnSC().options.gamma, 300);
});

test('EnSC with tau other than 1 warns and uses 1, as the official code', async () => {
  await initBackendFor('wasm');
  const u = subspaceMixture({ classes: 3, perClass: 30, dim: 16, subspaceDim: 2, seed: 2 });
  const warnings: string[] = [];
  const a = await new EnSC({ nClusters: 3, tau: 0.9, warn: (m) => warnings.push(m) }).fit(u);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /tau = 0\.9 needs an elastic-net solver; using tau = 1/);
  const b = await new EnSC({ nClusters: 3 }).fit(u);
  assert.deepEqual([...a.labels], [...b.labels]);
  assert.deepEqual([...a.representation.values], [...b.representation.values]);
  assert.equal(accuracy(b.labels, u.labels), 1);
});

test('synthetic features: unit rows, random unit features, subspace mixtures', () => {
  // randomUnitFeatures is what the notebooks wrote by hand: normalised RandomState(seed).randn.
  const z = randomUnitFeatures(50, 8, 3);
  const g = new RandomState(3).randn(50 * 8);
  for (let i = 0; i < 50; i++) {
    let s = 0;
    for (let j = 0; j < 8; j++) s += g[i * 8 + j] ** 2;
    for (let j = 0; j < 8; j++) assert.equal(z[i * 8 + j], Math.fround(g[i * 8 + j] / Math.sqrt(s)));
  }
  assert.deepEqual([...unitRows([3, 4, 0, 0], 2)], [0.6, 0.8, 0, 0].map(Math.fround));
  assert.throws(() => unitRows([1, 2, 3], 2), /3 values are not a multiple of dim 2/);
  const m = subspaceMixture({ classes: 3, dim: 10, subspaceDim: 2, perClass: 7, noise: 0.1, seed: 5 });
  assert.equal(m.n, 21);
  assert.deepEqual([...m.labels.subarray(0, 8)], [0, 0, 0, 0, 0, 0, 0, 1]);
  for (let i = 0; i < m.n; i++) {
    let s = 0;
    for (let j = 0; j < 10; j++) s += m.features[i * 10 + j] ** 2;
    assert.ok(Math.abs(s - 1) < 1e-6);
  }
  // Same seed: same subspaces; another pointSeed: other points on them.
  const other = subspaceMixture({ classes: 3, dim: 10, subspaceDim: 2, perClass: 7, noise: 0.1, seed: 5, pointSeed: 99 });
  assert.deepEqual([...other.bases], [...m.bases]);
  assert.notDeepEqual([...other.features], [...m.features]);
  assert.throws(() => subspaceMixture({ subspaceDim: 40, dim: 32 }), /subspaceDim 40 exceeds dim 32/);
});

test('a cross-entropy run needs no evaluation method (its CE accuracy)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-ce-'));
  assert.equal(isCrossEntropyRun(dir), false);
  fs.writeFileSync(path.join(dir, 'params.json'), JSON.stringify({ loss: 'ce', num_classes: 10 }));
  assert.equal(isCrossEntropyRun(dir), true);
  fs.writeFileSync(path.join(dir, 'params.json'), JSON.stringify({ loss: 'mcr2' }));
  assert.equal(isCrossEntropyRun(dir), false);
  assert.equal(isCrossEntropyRun(path.join(dir, 'nope')), false);
});

test('evaluateRun on saved features: the official defaults from the constants, tau warns, any thread count the same', async () => {
  await initBackendFor('wasm');
  const a = subspaceMixture({ classes: 3, perClass: 40, dim: 16, subspaceDim: 2, seed: 1 });
  const b = subspaceMixture({ classes: 3, perClass: 20, dim: 16, subspaceDim: 2, seed: 1, pointSeed: 5 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-evrun-'));
  const file = path.join(dir, 'features.npz');
  writeNpz(file, {
    train_features: { data: a.features, shape: [a.n, 16] },
    train_labels: { data: a.labels },
    test_features: { data: b.features, shape: [b.n, 16] },
    test_labels: { data: b.labels },
  });
  const warnings: string[] = [];
  const opts = { features: file, knn: true, nearsub: true, nComp: 2, kmeans: true, ensc: true, nClusters: 3, tau: 0.5, log: () => {} };
  const r1 = await evaluateRun({ ...opts, threads: 1, warn: (m: string) => warnings.push(m) });
  const r2 = await evaluateRun({ ...opts, threads: 2, warn: () => {} });
  assert.match(warnings.join('\n'), /tau = 0\.5 needs an elastic-net solver; using tau = 1/);
  assert.deepEqual(evaluationJson(r1), evaluationJson(r2));
  assert.equal(r1.knn, 1);
  assert.deepEqual(r1.nearsub, { pca: 1, svd: 1 });
  assert.equal(r1.ensc!.nmi, 1);
  assert.deepEqual([...r1.predictions.kmeans!], [...r2.predictions.kmeans!]);
});
