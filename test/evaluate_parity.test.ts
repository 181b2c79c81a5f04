// Evaluators and clustering scores against scikit-learn 1.2 on committed fixtures
// (scripts/fixtures/make_eval_parity.py: Fashion-MNIST through a fixed random projection, and a
// union of subspaces; test/fixtures/eval_parity.{npz,json}).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
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
import { kmeansPlusPlus } from '../lib/evaluate/kmeans.js';
import { readNpz } from '../lib/io/npz.js';
import { RandomState } from '../lib/math/random.js';
import { fixture, initBackendFor } from './helpers.js';

const ref = JSON.parse(fs.readFileSync(fixture('eval_parity.json'), 'utf8'));
const z = readNpz(fixture('eval_parity.npz'));
const trainX = z.train_x.data as Float32Array;
const trainY = z.train_y.data as Int32Array;
const testX = z.test_x.data as Float32Array;
const testY = z.test_y.data as Int32Array;
const DIM = 128;

test('LinearSVC: the weights of scikit-learn LinearSVC(random_state=10), and its accuracy', () => {
  const m = new LinearSVC().fit(trainX, trainY);
  const coef = z.svm_coef.data as Float64Array;
  const intercept = z.svm_intercept.data as Float64Array;
  let worst = 0;
  for (let i = 0; i < coef.length; i++) worst = Math.max(worst, Math.abs(m.coef[i] - coef[i]));
  for (let i = 0; i < intercept.length; i++) worst = Math.max(worst, Math.abs(m.intercept[i] - intercept[i]));
  assert.ok(worst < 1e-12, `max |Δw| = ${worst}`); // liblinear's path, draw for draw
  assert.equal(Math.max(...m.nIter), ref.svm.n_iter);
  assert.ok(m.converged);
  const acc = accuracy(m.predict(testX), testY);
  assert.ok(Math.abs(acc - ref.svm.test_acc) <= 0.005, `test accuracy ${acc} vs scikit-learn ${ref.svm.test_acc}`);
  assert.equal(accuracy(m.predict(trainX), trainY), ref.svm.train_acc);

  // Two classes: one weight vector, positive decisions mean the larger label.
  const pick = (x: Float32Array, y: Int32Array) => {
    const rows = [...y.keys()].filter((i) => y[i] === 0 || y[i] === 6);
    const xs = new Float32Array(rows.length * DIM);
    rows.forEach((r, q) => xs.set(x.subarray(r * DIM, (r + 1) * DIM), q * DIM));
    return { x: xs, y: Int32Array.from(rows, (r) => y[r]) };
  };
  const tr = pick(trainX, trainY);
  const te = pick(testX, testY);
  const b = new LinearSVC().fit(tr.x, tr.y);
  assert.deepEqual([...b.classes], [0, 6]);
  assert.equal(b.coef.length, DIM);
  let wb = Math.abs(b.intercept[0] - ref.svm_binary_0_6.intercept);
  for (let j = 0; j < DIM; j++) wb = Math.max(wb, Math.abs(b.coef[j] - ref.svm_binary_0_6.coef[j]));
  assert.ok(wb < 1e-12, `binary max |Δw| = ${wb}`);
  assert.equal(accuracy(new LinearSVC().fit(tr.x, tr.y).predict(te.x), te.y), ref.svm_binary_0_6.test_acc);

  assert.throws(
    () => new LinearSVC().fit(trainX.subarray(0, 10 * DIM), new Int32Array(10).fill(3)),
    /needs samples of at least 2 classes, got only class 3/,
  );
  assert.throws(
    () => new LinearSVC().fit({ features: trainX, n: 2000, dim: DIM }, trainY.subarray(0, 5)),
    /train features have 2000 rows but 5 labels/,
  );
  assert.throws(() => new LinearSVC({ C: 0 }).fit(trainX, trainY), /C must be positive/);
  const bad = Float32Array.from(trainX.subarray(0, 4 * DIM));
  bad[DIM + 3] = NaN;
  assert.throws(() => new LinearSVC().fit(bad, Int32Array.of(0, 1, 0, 1)), /train feature 131 \(row 1\) is NaN/);
});

test('kNN (k = 10, cosine) and nearest subspace (15 components, both variants) match scikit-learn', async () => {
  await initBackendFor('wasm');
  const knn = accuracy(await new KNN({ k: 10, threads: 1 }).fit(trainX, trainY).predict(testX), testY);
  assert.ok(Math.abs(knn - ref.knn10_test_acc) <= 0.005, `kNN ${knn} vs ${ref.knn10_test_acc}`);
  const ns = new NearestSubspace({ nComp: 15 }).fit(trainX, trainY).predictBoth(testX);
  const pca = accuracy(ns.pca, testY);
  const svd = accuracy(ns.svd, testY);
  assert.ok(Math.abs(pca - ref.nearsub15_pca_test_acc) <= 0.005, `nearest subspace (PCA) ${pca} vs ${ref.nearsub15_pca_test_acc}`);
  assert.ok(Math.abs(svd - ref.nearsub15_svd_test_acc) <= 0.005, `nearest subspace (SVD) ${svd} vs ${ref.nearsub15_svd_test_acc}`);
});

test('k-means: scikit-learn KMeans(10, n_init=10, random_state=10): same seeds, same clustering', async () => {
  // k-means++ on the centred data draws the rows scikit-learn draws.
  const mean = new Float64Array(DIM);
  const n = trainY.length;
  for (let i = 0; i < n; i++) for (let j = 0; j < DIM; j++) mean[j] = Math.fround(mean[j] + trainX[i * DIM + j]);
  for (let j = 0; j < DIM; j++) mean[j] = Math.fround(mean[j] / n);
  const xc = Float32Array.from(trainX, (v, t) => v - mean[t % DIM]);
  assert.deepEqual([...kmeansPlusPlus(xc, DIM, 10, new RandomState(10))], ref.kmeans.first_init_indices);

  const r = await new KMeans({ nClusters: 10, nInit: 10, randomState: 10, threads: 1 }).fit(trainX, DIM);
  const sk = z.kmeans_labels.data as Int32Array;
  assert.equal(clusteringAccuracy(r.labels, sk), 1); // the same partition
  assert.equal(r.nIter, ref.kmeans.n_iter);
  assert.ok(Math.abs(r.inertia - ref.kmeans.inertia) < 1e-5 * ref.kmeans.inertia); // scikit-learn sums in float32
  assert.equal(clusteringAccuracy(r.labels, trainY), ref.kmeans.acc);
  assert.ok(Math.abs(normalizedMutualInfo(r.labels, trainY) - ref.kmeans.nmi) < 1e-12);
  assert.ok(Math.abs(adjustedRandIndex(r.labels, trainY) - ref.kmeans.ari) < 1e-12);
  assert.equal(r.centers.length, 10 * DIM);

  await assert.rejects(new KMeans({ nClusters: 6 }).fit(trainX.subarray(0, 5 * DIM), DIM), /5 rows cannot form 6 clusters/);
  assert.throws(() => new KMeans({ nInit: 0 }), /nInit must be a positive integer, got 0/);
  await assert.rejects(new KMeans().fit(trainX.subarray(0, 100), DIM), /not a multiple of dim 128/);
});

test('clustering scores: exactly 1 for the same partition, scikit-learn values otherwise', () => {
  const y = Int32Array.from(trainY);
  const perm = [3, 7, 0, 9, 1, 8, 2, 6, 5, 4];
  const relabeled = Int32Array.from(y, (v) => perm[v] + 100);
  for (const p of [y, relabeled]) {
    assert.equal(clusteringAccuracy(p, y), 1);
    assert.equal(normalizedMutualInfo(p, y), 1);
    assert.equal(adjustedRandIndex(p, y), 1);
  }
  ref.metric_pairs.forEach((m: { truth: number[] | null; pred: number[] | null; acc: number; nmi: number; ari: number }, i: number) => {
    const truth = m.truth ?? [...(z[`pair${i}_truth`].data as Int32Array)];
    const pred = m.pred ?? [...(z[`pair${i}_pred`].data as Int32Array)];
    assert.ok(Math.abs(clusteringAccuracy(pred, truth) - m.acc) < 1e-12, `pair ${i} ACC`);
    assert.ok(
      Math.abs(normalizedMutualInfo(pred, truth) - m.nmi) < 1e-12,
      `pair ${i} NMI ${normalizedMutualInfo(pred, truth)} vs ${m.nmi}`,
    );
    assert.ok(Math.abs(adjustedRandIndex(pred, truth) - m.ari) < 1e-12, `pair ${i} ARI ${adjustedRandIndex(pred, truth)} vs ${m.ari}`);
  });
  assert.throws(() => clusteringAccuracy([1, 2], [1]), /labelings have different lengths \(2 and 1\)/);
  assert.throws(() => normalizedMutualInfo([0.5], [1]), /label 0\.5 at index 0 is not an integer/);
});

/** Row-by-row comparison of our representation matrix with the reference one. */
function compareRows(name: string, C: { n: number; indptr: Int32Array; indices: Int32Array; values: Float64Array }) {
  const rp = z[`${name}_C_indptr`].data as Int32Array;
  const ri = z[`${name}_C_indices`].data as Int32Array;
  const rv = z[`${name}_C_data`].data as Float64Array;
  let same = 0;
  let worst = 0;
  for (let i = 0; i < C.n; i++) {
    const ours = new Map<number, number>();
    for (let p = C.indptr[i]; p < C.indptr[i + 1]; p++) ours.set(C.indices[p], C.values[p]);
    let d = 0;
    for (let p = rp[i]; p < rp[i + 1]; p++) {
      d = Math.max(d, Math.abs(rv[p] - (ours.get(ri[p]) ?? 0)));
      ours.delete(ri[p]);
    }
    for (const v of ours.values()) d = Math.max(d, Math.abs(v));
    if (d < 1e-8) same++;
    worst = Math.max(worst, d);
  }
  return { same: same / C.n, worst };
}

test('EnSC: the official algorithm (gamma 300) recovers a union of subspaces as the reference does', async () => {
  await initBackendFor('wasm');
  const x = z.subspaces_x.data as Float32Array;
  const y = z.subspaces_y.data as Int32Array;
  const r = await new EnSC({ nClusters: 6, threads: 1 }).fit(x, 32);
  assert.equal(clusteringAccuracy(r.labels, y), ref.ensc_subspaces.acc);
  assert.equal(normalizedMutualInfo(r.labels, y), 1);
  r.eigenvalues.forEach((v, c) => assert.ok(Math.abs(v - ref.ensc_subspaces.eigenvalues[c]) < 1e-6, `eigenvalue ${c}: ${v}`));
  // The lasso solutions agree with scikit-learn's LassoLars except on a few rows where its path
  // loses accuracy on nearly dependent atoms (there our objective is the lower one).
  const { same, worst } = compareRows('ensc_subspaces', r.representation);
  assert.ok(same >= 0.9, `${same} of the rows agree`);
  assert.ok(worst < 2e-3, `worst row differs by ${worst}`);
  assert.ok(Math.abs(r.representation.indices.length - ref.ensc_subspaces.nnz) < 0.01 * ref.ensc_subspaces.nnz);
  // tau other than 1 warns and uses 1, as the official code (issue 12; test/evaluate.test.ts checks the result).
  const warned: string[] = [];
  await assert.rejects(new EnSC({ tau: 0.9, nClusters: 601, warn: (m) => warned.push(m) }).fit(x, 32), /nClusters must be in 1\.\.600/);
  assert.match(warned[0], /tau = 0\.9 needs an elastic-net solver/);
  await assert.rejects(new EnSC({ nClusters: 601 }).fit(x, 32), /nClusters must be in 1\.\.600/);
});

test('EnSC on Fashion-MNIST features (gamma 50): supports that grow, same clustering as the reference', async () => {
  await initBackendFor('wasm');
  const x = trainX.subarray(0, 300 * DIM);
  const y = trainY.subarray(0, 300);
  const r = await new EnSC({ nClusters: 10, gamma: 50, threads: 1 }).fit(x, DIM);
  const R = ref.ensc_fmnist300_gamma50;
  r.eigenvalues.forEach((v, c) => assert.ok(Math.abs(v - R.eigenvalues[c]) < 1e-4, `eigenvalue ${c}: ${v} vs ${R.eigenvalues[c]}`));
  const { same } = compareRows('ensc_fmnist300', r.representation);
  assert.ok(same >= 0.85, `${same} of the rows agree`);
  assert.ok(Math.abs(clusteringAccuracy(r.labels, y) - R.acc) <= 0.02, `ACC ${clusteringAccuracy(r.labels, y)} vs ${R.acc}`);
  assert.ok(clusteringAccuracy(r.labels, z.ensc_fmnist300_labels.data as Int32Array) >= 0.95);
  // Rows split over a worker thread (forced, with small blocks so both threads get some): the same C and labels.
  const par = await new EnSC({ nClusters: 10, gamma: 50, blockRows: 32, threads: 2 }).fit(x, DIM);
  assert.deepEqual([...par.representation.indices], [...r.representation.indices]);
  assert.deepEqual([...par.representation.values], [...r.representation.values]);
  assert.deepEqual([...par.labels], [...r.labels]);
});
