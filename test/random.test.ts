import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { fixture } from './helpers.js';
import { RandomState } from '../lib/math/random.js';

const np = JSON.parse(fs.readFileSync(fixture('numpy_random.json'), 'utf8'));

test('RandomState reproduces numpy legacy draws bit for bit', () => {
  assert.deepEqual([...new RandomState(10).random(5)], np.random_sample_seed10);
  const r = new RandomState(123);
  assert.deepEqual([...r.randint(0, 10, 20)], np.randint_0_10_seed123);
  assert.deepEqual([...r.randint(5, 1000, 20)], np.randint_5_1000_after);
  assert.deepEqual([...new RandomState(7).permutation(37)], np.permutation_37_seed7);
  const g = [...new RandomState(0).randn(7)];
  g.forEach((v, i) => assert.ok(Math.abs(v - np.randn_seed0_first7[i]) < 1e-14, `randn[${i}]`));
  assert.deepEqual([...new RandomState(2 ** 32 - 1).uniform(-1, 1, 5)], np.uniform_m1_1_seedmax);
});

test('the official label-corruption draw (choice without, then with replacement)', () => {
  const r = new RandomState(10);
  const idx = r.choice(60000, 12000, false);
  const lab = r.choice(10, 12000, true);
  const want = np['corrupt_60000_0.2_seed10'];
  assert.deepEqual([...idx.slice(0, 10)], want.first_idx);
  assert.deepEqual([...lab.slice(0, 10)], want.first_labels);
  assert.equal(
    idx.reduce((a, b) => a + b, 0),
    want.idx_sum,
  );
  assert.equal(
    lab.reduce((a, b) => a + b, 0),
    want.label_sum,
  );
  // The reference protocol's fingerprint (docs/reference-results.md §1): first five indices and new labels.
  assert.deepEqual([...idx.slice(0, 5)], [4883, 28477, 8527, 38347, 3363]);
  assert.deepEqual([...lab.slice(0, 5)], [6, 8, 4, 3, 3]);
});

test('reference-results loss-check inputs: randn(1000,128) then randint(0,10,1000) from seed 0', () => {
  const r = new RandomState(0);
  const z = r.randn(1000 * 128);
  const y = r.randint(0, 10, 1000);
  const want = np.loss_check;
  assert.ok(Math.abs(z.reduce((a, b) => a + b, 0) - want.z_sum) < 1e-9);
  assert.equal(z[0], want.z_00);
  assert.equal(
    y.reduce((a, b) => a + b, 0),
    want.labels_sum,
  );
  assert.deepEqual([...y.slice(0, 10)], want.labels_first);
});

test('seed validation', () => {
  assert.throws(() => new RandomState(-1), /seed must be an integer/);
  assert.throws(() => new RandomState(1.5), /seed must be an integer/);
});
