// Nearest subspace with fewer rows per class than dimensions (ReduNet's 10 images a class in 4,000
// dimensions) takes each class's subspace from its n_j x n_j Gram matrix: the same predictions as
// the dim x dim path, which the same rows repeated (same subspaces, more rows than dimensions) take.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { initBackend } from '../lib/backend/backend.js';
import { NearestSubspace } from '../lib/evaluate/nearsub.js';
import { RandomState } from '../lib/math/random.js';

test('nearest subspace: fewer rows than dimensions gives the subspaces of the dim x dim path', async () => {
  await initBackend('wasm');
  const dim = 40;
  const n = 30;
  const r = new RandomState(2);
  const x = Float32Array.from(r.randn(n * dim));
  const y = Int32Array.from({ length: n }, (_, i) => i % 3);
  const t = { features: Float32Array.from(r.randn(200 * dim)), n: 200, dim };
  const few = new NearestSubspace({ nComp: 4 }).fit({ features: x, n, dim }, y).predictBoth(t);
  const x5 = new Float32Array(5 * n * dim);
  for (let k = 0; k < 5; k++) x5.set(x, k * n * dim);
  const many = new NearestSubspace({ nComp: 4 })
    .fit(
      { features: x5, n: 5 * n, dim },
      Int32Array.from({ length: 5 * n }, (_, i) => i % 3),
    )
    .predictBoth(t);
  assert.deepEqual([...few.svd], [...many.svd]);
  assert.deepEqual([...few.pca], [...many.pca]);
  // A class's own rows are at distance 0 from its subspace when nComp reaches its row count.
  const own = new NearestSubspace({ nComp: 10 }).fit({ features: x, n, dim }, y).predict({ features: x, n, dim });
  assert.deepEqual([...own], [...y]);
});
