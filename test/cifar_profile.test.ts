// What the CIFAR-10 cpu profiles (notebooks 05–07) rest on: the cnn3 network, batch-norm
// recalibration (cumulative average of batch statistics, as torch.optim.swa_utils.update_bn), a
// cross-entropy network's penultimate features (the official commands' presets: test/presets.test.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { ImageDataset } from '../lib/data/dataset.js';
import { loadImageFolder } from '../lib/data/imagefolder.js';
import { datasetFeatures } from '../lib/features/dataset.js';
import { batchNorms, recalibrateBatchNorm } from '../lib/features/recalibrate.js';
import { createModel } from '../lib/models/index.js';
import { createNetwork, LogitNet } from '../lib/models/network.js';
import { RandomState } from '../lib/math/random.js';
import { initBackendFor, sharedDir, tf } from './helpers.js';

function randomImages(n: number, seed: number): ImageDataset {
  const rng = new RandomState(seed);
  const images = Uint8Array.from(rng.randint(0, 256, n * 32 * 32 * 3));
  const labels = Int32Array.from({ length: n }, (_, i) => i % 10);
  return {
    name: 'random',
    split: 'train',
    images,
    labels,
    n,
    height: 32,
    width: 32,
    channels: 3,
    numClasses: 10,
    classes: [],
    source: 'test',
  };
}

test('cnn3: 651,392 trainable parameters at fd 128, unit-norm features, 32x32x3 input', async () => {
  await initBackendFor('wasm');
  // conv 896 + 18,496 + 73,856, BN 64 + 128 + 256, Linear(2048→256) 524,288, BN 512, Linear(256→128) 32,896
  const m = createModel('cnn3', 128, { seed: 0 });
  assert.equal(m.numParameters(), 651392);
  m.eval();
  const z = tf.tidy(() => m.forward(tf.randomUniform([4, 32, 32, 3])));
  const norms = tf.tidy(() => tf.norm(z, 2, 1).arraySync() as number[]);
  for (const v of norms) assert.ok(Math.abs(v - 1) < 1e-5, `row norm ${v}`);
  z.dispose();
  m.dispose();
});

test('recalibrateBatchNorm: running statistics become the plain average of the batch statistics', async () => {
  await initBackendFor('wasm');
  const ds = randomImages(7, 3); // batches of 3, 4 (a last batch of one image is folded into the previous)
  const m = createModel('cnn3', 16, { seed: 1 });
  const bn = batchNorms(m);
  assert.equal(bn.length, 4);
  const info = recalibrateBatchNorm(m, ds, { batchSize: 3 });
  assert.deepEqual(info, { layers: 4, batches: 2, images: 7 });
  // The first batch norm sees conv1's output: its mean and unbiased variance per batch, averaged.
  const conv1 = m.features.children()[0][1];
  const stats = [
    [0, 3],
    [3, 4],
  ].map(([s, n]) =>
    tf.tidy(() => {
      const x = tf.tensor4d(
        Float32Array.from(ds.images.subarray(s * 3072, (s + n) * 3072), (v) => v / 255),
        [n, 32, 32, 3],
      );
      const y = conv1.forward(x);
      const { mean, variance } = tf.moments(y, [0, 1, 2]);
      const count = n * 32 * 32;
      return [mean.arraySync() as number[], tf.mul(variance, count / (count - 1)).arraySync() as number[]];
    }),
  );
  const want = (k: 0 | 1) => stats[0][k].map((v, i) => (v + stats[1][k][i]) / 2);
  const got = (v: tf.Variable) => v.arraySync() as number[];
  const close = (a: number[], b: number[], what: string) =>
    a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-4 * Math.max(1, Math.abs(b[i])), `${what}[${i}]: ${v} vs ${b[i]}`));
  close(got(bn[0].runningMean), want(0), 'running_mean');
  close(got(bn[0].runningVar), want(1), 'running_var');
  // Back to the exponential average afterwards, and the mode the model was in is kept.
  assert.equal(m.training, true);
  m.eval();
  recalibrateBatchNorm(m, ds, { batchSize: 3 });
  assert.equal(m.training, false);
  m.dispose();
});

test('recalibrateBatchNorm: clear errors for bad sizes', async () => {
  await initBackendFor('wasm');
  const m = createModel('cnn3', 8);
  assert.throws(() => recalibrateBatchNorm(m, randomImages(4, 0), { batchSize: 1 }), /batchSize must be an integer ≥ 2/);
  assert.throws(() => recalibrateBatchNorm(m, randomImages(1, 0)), /needs at least 2 images/);
  m.dispose();
});

test("a cross-entropy network's penultimate features: the head's hidden layer, unit rows", async () => {
  await initBackendFor('wasm');
  const net = createNetwork('cnn3', 128, { logits: 10, seed: 0 });
  assert.ok(net instanceof LogitNet);
  assert.equal(net.penultimateDim(), 256);
  const ds = randomImages(6, 5);
  const f = await datasetFeatures(net, ds, { penultimate: true });
  assert.equal(f.dim, 256);
  assert.equal(f.n, 6);
  for (let i = 0; i < f.n; i++) {
    let s = 0;
    let nonNeg = true;
    for (let j = 0; j < f.dim; j++) {
      s += f.features[i * f.dim + j] ** 2;
      if (f.features[i * f.dim + j] < 0) nonNeg = false;
    }
    assert.ok(Math.abs(s - 1) < 1e-5, `row ${i} norm² ${s}`);
    assert.ok(nonNeg, 'after the ReLU');
  }
  // Logits stay the default; an MCR² network has no penultimate layer to read.
  assert.equal((await datasetFeatures(net, ds)).dim, 10);
  const m = createModel('cnn3', 16);
  await assert.rejects(() => datasetFeatures(m, ds, { penultimate: true }), /not a cross-entropy classifier/);
  net.dispose();
  m.dispose();
});

test('a dataset archive read twice in one process is decoded once; each caller owns its labels', async (t) => {
  const shared = sharedDir();
  const archive = shared && path.join(shared, 'datasets', 'cifar10-jpeg.tar.gz');
  if (!archive || !fs.existsSync(archive)) return t.skip('no ../shared/datasets/cifar10-jpeg.tar.gz here');
  let t0 = Date.now();
  const a = loadImageFolder(archive, 'test', { name: 'cifar10' });
  const first = Date.now() - t0;
  t0 = Date.now();
  const b = loadImageFolder(archive, 'test', { name: 'cifar10' });
  const second = Date.now() - t0;
  assert.equal(a.n, 10000);
  assert.ok(second * 5 < first, `second read ${second} ms, first ${first} ms`);
  assert.equal(a.images, b.images);
  assert.notEqual(a.labels, b.labels);
  a.labels[0] = (a.labels[0] + 1) % 10;
  assert.notEqual(loadImageFolder(archive, 'test', { name: 'cifar10' }).labels[0], a.labels[0]);
});
