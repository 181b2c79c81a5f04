import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  accuracy,
  confusionMatrix,
  kmeansCluster,
  kmeansClusterParallel,
  knnPredict,
  knnPredictParallel,
  nearSubspacePredict,
} from '../lib/evaluate/index.js';
import { RandomState } from '../lib/math/random.js';
import { symmetricEigen } from '../lib/math/linalg.js';
import { initBackendFor } from './helpers.js';

/** n points per class on k random d-dimensional subspaces of R^p, unit rows. */
function unionOfSubspaces(k: number, n: number, p: number, d: number, seed: number, pointSeed = seed + 1000) {
  const rb = new RandomState(seed);
  const r = new RandomState(pointSeed);
  const x = new Float32Array(k * n * p);
  const y = new Int32Array(k * n);
  for (let c = 0; c < k; c++) {
    const basis = rb.randn(d * p);
    for (let i = 0; i < n; i++) {
      const w = r.randn(d);
      const row = (c * n + i) * p;
      let s = 0;
      for (let j = 0; j < p; j++) {
        let v = 0;
        for (let a = 0; a < d; a++) v += w[a] * basis[a * p + j];
        x[row + j] = v;
        s += v * v;
      }
      for (let j = 0; j < p; j++) x[row + j] /= Math.sqrt(s);
      y[c * n + i] = c;
    }
  }
  return { x, y };
}

test('nearest subspace recovers a union of subspaces exactly (both variants)', async () => {
  await initBackendFor('wasm');
  const tr = unionOfSubspaces(4, 60, 24, 3, 1);
  const te = unionOfSubspaces(4, 60, 24, 3, 1, 77); // the same subspaces, other points
  const r = nearSubspacePredict(tr.x, tr.y, te.x, 24, { nComp: 3 });
  assert.equal(accuracy(r.svd, te.y), 1);
  assert.equal(accuracy(r.pca, te.y), 1);
  assert.throws(() => nearSubspacePredict(tr.x, tr.y, te.x, 24, { nComp: 30 }), /n_comp must be in 1\.\.24/);
});

test('kNN: cosine similarity, majority vote, ties to the smallest label', async () => {
  await initBackendFor('wasm');
  const train = Float32Array.from([1, 0, 0, 1, -1, 0, 0, -1]);
  const labels = Int32Array.from([3, 1, 2, 0]);
  const test1 = Float32Array.from([0.9, 0.1, 0.1, 0.9, -1, 0.05]);
  assert.deepEqual([...knnPredict(train, labels, test1, 2, { k: 1 })], [3, 1, 2]);
  // k = 2 at (1, 1)/√2: neighbours labelled 3 and 1 tie; the smaller label wins.
  assert.deepEqual([...knnPredict(train, labels, Float32Array.from([0.7071, 0.7071]), 2, { k: 2 })], [1]);
  const u = unionOfSubspaces(3, 50, 16, 2, 5);
  const pred = knnPredict(u.x, u.y, u.x, 16, { k: 5, blockSize: 7 });
  assert.ok(accuracy(pred, u.y) > 0.95);
  assert.throws(() => knnPredict(train, labels, test1, 2, { k: 9 }), /k must be in 1\.\.4/);
  // Split over a worker thread (forced: the problem is small): the same predictions.
  const par = await knnPredictParallel(u.x, u.y, u.x, 16, { k: 5, blockSize: 7 }, 2);
  assert.deepEqual([...par], [...pred]);
  await assert.rejects(knnPredictParallel(train, Int32Array.from([0, 1, -1, 2]), test1, 2, { k: 1 }), /train label -1 at row 2/);
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
});

test('k-means restarts on worker threads pick the same clustering as the sequential loop', async () => {
  const u = unionOfSubspaces(5, 300, 16, 3, 9);
  const seq = kmeansCluster(u.x, 16, { nClusters: 5, nInit: 6, randomState: 3 });
  const par = await kmeansClusterParallel(u.x, 16, { nClusters: 5, nInit: 6, randomState: 3 }, 2);
  assert.deepEqual([...par.labels], [...seq.labels]);
  assert.equal(par.inertia, seq.inertia);
  assert.equal(par.nIter, seq.nIter);
});
