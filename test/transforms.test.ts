// The official transforms on tensors: shapes, ranges, seeds, and the properties each must have.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { loadDataset, type ImageDataset } from '../lib/data/index.js';
import { adjustHue, gaussianKernel, getTransform } from '../lib/data/transforms.js';
import { AugmentLoader } from '../lib/data/augment.js';
import { corruptLabels, countChanged } from '../lib/data/corrupt.js';
import { RandomState } from '../lib/math/random.js';
import { fixture, initBackendFor, tf } from './helpers.js';

/** A small colour dataset: 40 random 32x32 RGB images (smooth, so blur and crops are visible), 4 classes. */
function colourSet(n = 40, side = 32): ImageDataset {
  const r = new RandomState(5);
  const images = new Uint8Array(n * side * side * 3);
  for (let i = 0; i < n; i++) {
    const [a, b, c] = r.random(3);
    for (let y = 0; y < side; y++)
      for (let x = 0; x < side; x++) {
        const o = ((i * side + y) * side + x) * 3;
        images[o] = Math.round(255 * a * (x / side));
        images[o + 1] = Math.round(255 * b * (y / side));
        images[o + 2] = Math.round(255 * c);
      }
  }
  return {
    name: 'colours',
    split: 'train',
    images,
    labels: Int32Array.from({ length: n }, (_, i) => i % 4),
    n,
    height: side,
    width: side,
    channels: 3,
    numClasses: 4,
    classes: ['a', 'b', 'c', 'd'],
    source: 'memory',
  };
}

const asTensor = (ds: ImageDataset, k: number) =>
  tf.tensor4d(
    Float32Array.from(ds.images.subarray(0, k * ds.height * ds.width * ds.channels), (v) => v / 255),
    [k, ds.height, ds.width, ds.channels],
  );

test('every transform: output size, values in [0,1], same seed same views, other seed other views', async () => {
  await initBackendFor('wasm');
  const colour = colourSet();
  const mnist = loadDataset('mnist', 'test', { dataDir: os.tmpdir() });
  const big = colourSet(6, 96);
  const cases: Array<[string, ImageDataset, [number, number]]> = [
    ['default', colour, [32, 32]],
    ['cifar', colour, [32, 32]],
    ['stl10', big, [96, 96]],
    ['mnist', mnist, [28, 28]],
    ['fashionmnist', mnist, [28, 28]],
    ['test', colour, [32, 32]],
  ];
  for (const [name, ds, [h, w]] of cases) {
    const t = getTransform(name);
    const x = asTensor(ds, 6);
    const a = t.apply(x, new RandomState(1));
    const b = t.apply(x, new RandomState(1));
    const c = t.apply(x, new RandomState(2));
    assert.deepEqual(a.shape, [6, h, w, ds.channels], name);
    const av = a.dataSync();
    assert.ok(
      av.every((v) => v >= -1e-6 && v <= 1 + 1e-6),
      `${name}: values in [0, 1]`,
    );
    assert.deepEqual([...av], [...b.dataSync()], `${name}: same seed, same views`);
    if (name !== 'test') assert.notDeepEqual([...av], [...c.dataSync()], `${name}: another seed, other views`);
    tf.dispose([x, a, b, c]);
  }
  assert.throws(() => getTransform('sepia'), /unknown transform 'sepia'/);
});

test('default: every view is a 32x32 window of the image padded by 8, maybe mirrored', async () => {
  await initBackendFor('wasm');
  const ds = colourSet(8);
  const x = asTensor(ds, 8);
  const y = getTransform('default').apply(x, new RandomState(3));
  const xv = x.arraySync() as number[][][][];
  const yv = y.arraySync() as number[][][][];
  for (let i = 0; i < 8; i++) {
    let found = false;
    for (let top = 0; top <= 16 && !found; top++)
      for (let left = 0; left <= 16 && !found; left++)
        for (const flip of [false, true]) {
          const at = (yy: number, xx: number, c: number) => {
            const sy = yy + top - 8;
            const sx = (flip ? 31 - xx : xx) + left - 8;
            return sy < 0 || sy > 31 || sx < 0 || sx > 31 ? 0 : xv[i][sy][sx][c];
          };
          let ok = true;
          for (let yy = 0; yy < 32 && ok; yy++)
            for (let xx = 0; xx < 32 && ok; xx++)
              for (let c = 0; c < 3; c++) if (Math.abs(at(yy, xx, c) - yv[i][yy][xx][c]) > 1e-6) ok = false;
          if (ok) found = true;
        }
    assert.ok(found, `view ${i} is an exact padded crop`);
  }
});

test("cifar: about 20% of views are grey, jitter changes colours; blur kernels are cv2's", async () => {
  await initBackendFor('wasm');
  const ds = colourSet(40);
  const x = asTensor(ds, 40);
  const reps = tf.concat([x, x, x, x, x]) as tf.Tensor4D;
  const y = getTransform('cifar').apply(reps, new RandomState(8)).arraySync() as number[][][][];
  const grey = y.filter((img) => img.every((row) => row.every(([r, g, b]) => Math.abs(r - g) < 1e-5 && Math.abs(g - b) < 1e-5))).length;
  assert.ok(grey >= 25 && grey <= 60, `${grey} of 200 views grey (expected about 40)`);
  const k = gaussianKernel(3, 1);
  [0.27406862, 0.45186276, 0.27406862].forEach((v, i) => assert.ok(Math.abs(k[i] - v) < 1e-7));
  assert.ok(Math.abs(gaussianKernel(9, 0.7).reduce((a, b) => a + b, 0) - 1) < 1e-12);
  // Hue: a third of a turn sends red to green; zero keeps colours.
  const red = tf.tensor4d([1, 0, 0, 0.2, 0.5, 0.9], [1, 1, 2, 3]);
  const turned = adjustHue(red, tf.tensor4d([1 / 3], [1, 1, 1, 1])).dataSync();
  [0, 1, 0].forEach((v, i) => assert.ok(Math.abs(turned[i] - v) < 1e-5, `red → green ${[...turned]}`));
  const same = adjustHue(red, tf.tensor4d([0], [1, 1, 1, 1])).dataSync();
  [...red.dataSync()].forEach((v, i) => assert.ok(Math.abs(same[i] - v) < 1e-5));
});

test('mnist: affine views keep the digit near the centre (ink is moved, not lost)', async () => {
  await initBackendFor('wasm');
  const ds = loadDataset('mnist', 'test', { dataDir: os.tmpdir() });
  const x = asTensor(ds, 50);
  const y = getTransform('mnist').apply(x, new RandomState(4));
  const inkIn = tf.sum(x).dataSync()[0];
  const inkOut = tf.sum(y).dataSync()[0];
  assert.ok(inkOut > 0.6 * inkIn && inkOut < 1.3 * inkIn, `ink ${inkIn} → ${inkOut}`);
});

test('AugmentLoader: image-major views, plain first view, batch-index labels; random and balance samplers', async () => {
  await initBackendFor('wasm');
  const ds = colourSet(40);
  const loader = new AugmentLoader(ds, { batchSize: 24, numAug: 4, transform: getTransform('cifar'), sampler: 'random' });
  assert.equal(loader.numImg, 6);
  assert.equal(loader.steps, 6);
  const batches = [...loader.epoch(new RandomState(1))];
  assert.equal(batches.length, 6);
  const b = batches[1];
  assert.deepEqual(b.shape, [24, 32, 32, 3]);
  assert.deepEqual([...b.images], [6, 7, 8, 9, 10, 11], 'in dataset order, as the official sampler');
  assert.deepEqual([...b.batchIdx.slice(0, 9)], [0, 0, 0, 0, 1, 1, 1, 1, 2]);
  assert.deepEqual([...b.labels.slice(0, 5)], [2, 2, 2, 2, 3]);
  const size = 32 * 32 * 3;
  for (let j = 0; j < size; j++) assert.equal(b.data[4 * size + j], Math.fround(ds.images[7 * size + j] / 255));
  const again = [...new AugmentLoader(ds, { batchSize: 24, numAug: 4, transform: getTransform('cifar') }).epoch(new RandomState(1))];
  assert.deepEqual([...again[1].data], [...b.data], 'seeded views');
  const shuffled = [
    ...new AugmentLoader(ds, { batchSize: 24, numAug: 4, transform: getTransform('cifar'), shuffle: true }).epoch(new RandomState(1)),
  ];
  assert.notDeepEqual([...shuffled[0].images], [0, 1, 2, 3, 4, 5]);
  const bal = new AugmentLoader(ds, { batchSize: 16, numAug: 2, transform: getTransform('cifar'), sampler: 'balance' });
  assert.equal(bal.steps, 5);
  for (const bb of bal.epoch(new RandomState(2))) {
    const counts = [0, 0, 0, 0];
    for (const i of bb.images) counts[ds.labels[i]]++;
    assert.deepEqual(counts, [2, 2, 2, 2]);
  }
  assert.throws(
    () => new AugmentLoader(ds, { batchSize: 24, numAug: 50, transform: getTransform('cifar') }),
    /--bs \(24\) must be at least --aug \(50\)/,
  );
  assert.throws(
    () => new AugmentLoader(ds, { batchSize: 18, numAug: 2, transform: getTransform('cifar'), sampler: 'balance' }),
    /9 images per batch cannot be split evenly over 4 classes/,
  );
  assert.throws(
    () => [
      ...new AugmentLoader(loadDataset('mnist', 'test', { dataDir: os.tmpdir() }), {
        batchSize: 20,
        numAug: 2,
        transform: getTransform('default'),
      }).epoch(new RandomState(1)),
    ],
    /makes 32x32 views of 28x28 images/,
  );
});

test('label corruption: all four official modes match numpy exactly (fixture)', () => {
  const f = JSON.parse(fs.readFileSync(fixture('corruptions.json'), 'utf8'));
  for (const c of f.cases) {
    const got = corruptLabels(f.labels, c.mode, c.ratio, c.seed);
    assert.equal(countChanged(got, c.labels), 0, `${c.mode} ratio ${c.ratio} seed ${c.seed}`);
    assert.ok(countChanged(got, f.labels) > 0);
  }
  assert.deepEqual([...corruptLabels([1, 2, 3], 'noisify_pairflip', 0, 1)], [1, 2, 3]);
});
