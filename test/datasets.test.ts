// The official file formats (CIFAR-10/100 binary, STL-10 binary), image folders (plain or in a
// tar.gz), tar reading/unpacking and downloads, on small files written here in each format.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import * as crypto from 'node:crypto';
import { CIFAR100_COARSE_OF_FINE, classCounts, encodeCifarRecords, encodeStl10Images, loadDataset, tarEntries } from '../lib/data/index.js';
import { downloadFile } from '../lib/data/download.js';
import { extractTar } from '../lib/data/tar.js';
import { RandomState } from '../lib/math/random.js';
import { sharedDir } from './helpers.js';

const tmp = (tag = 'ds') => fs.mkdtempSync(path.join(os.tmpdir(), `mcr2-${tag}-`));
const bytes = (n: number, seed: number) => Uint8Array.from(new RandomState(seed).randint(0, 256, n));

test('CIFAR-10 binary: official folder or files directly; planar RGB becomes NHWC', () => {
  const root = tmp();
  const dir = path.join(root, 'cifar-10-batches-bin');
  fs.mkdirSync(dir);
  const per = 4;
  const all: Uint8Array[] = [];
  for (let b = 1; b <= 6; b++) {
    const imgs = bytes(per * 3072, b);
    all.push(imgs);
    const labels = Array.from({ length: per }, (_, i) => (b + i) % 10);
    fs.writeFileSync(path.join(dir, b <= 5 ? `data_batch_${b}.bin` : 'test_batch.bin'), encodeCifarRecords(imgs, labels));
  }
  const train = loadDataset('cifar10', 'train', { dataDir: root });
  assert.equal(train.n, 20);
  assert.deepEqual([train.height, train.width, train.channels], [32, 32, 3]);
  assert.deepEqual([...train.labels.slice(0, 5)], [1, 2, 3, 4, 2]);
  assert.deepEqual(train.images.subarray(0, per * 3072), all[0]);
  // The raw layout: record byte 1 + c·1024 + y·32 + x is pixel (y, x), channel c.
  const raw = fs.readFileSync(path.join(dir, 'data_batch_1.bin'));
  assert.equal(train.images[(5 * 32 + 7) * 3 + 1], raw[1 + 1024 + 5 * 32 + 7]);
  assert.equal(loadDataset('cifar10', 'test', { dataDir: root }).n, 4);
  assert.equal(loadDataset('cifar10', 'test', { dataDir: dir }).n, 4, 'files directly in --data_dir');
  fs.writeFileSync(path.join(dir, 'test_batch.bin'), raw.subarray(0, 3073 * 2 + 100));
  assert.throws(
    () => loadDataset('cifar10', 'test', { dataDir: root }),
    /test_batch\.bin: 6246 bytes is not a whole number of 3073-byte CIFAR records/,
  );
  fs.rmSync(path.join(dir, 'data_batch_3.bin'));
  assert.throws(
    () => loadDataset('cifar10', 'train', { dataDir: root }),
    /cifar10 train split not found: expected data_batch_1\.bin, .*cifar-10-binary\.tar\.gz/s,
  );
});

test('CIFAR-100 binary: fine labels, and the 20 superclasses of the official table', () => {
  const root = tmp();
  const dir = path.join(root, 'cifar-100-binary');
  fs.mkdirSync(dir);
  const fine = [0, 1, 2, 99, 50, 17];
  fs.writeFileSync(
    path.join(dir, 'train.bin'),
    encodeCifarRecords(
      bytes(6 * 3072, 1),
      fine,
      fine.map((f) => CIFAR100_COARSE_OF_FINE[f]),
    ),
  );
  fs.writeFileSync(path.join(dir, 'test.bin'), encodeCifarRecords(bytes(2 * 3072, 2), [5, 6], [0, 0]));
  const f = loadDataset('cifar100', 'train', { dataDir: root });
  assert.equal(f.numClasses, 100);
  assert.deepEqual([...f.labels], fine);
  const c = loadDataset('cifar100coarse', 'train', { dataDir: root });
  assert.equal(c.numClasses, 20);
  assert.deepEqual([...c.labels], [4, 1, 14, 13, 16, 9]);
  assert.equal(CIFAR100_COARSE_OF_FINE.length, 100);
  assert.deepEqual(classCounts(CIFAR100_COARSE_OF_FINE, 20), new Array(20).fill(5));
  fs.writeFileSync(path.join(dir, 'test.bin'), encodeCifarRecords(bytes(3072, 3), [120], [0]));
  assert.throws(() => loadDataset('cifar100', 'test', { dataDir: root }), /test\.bin: label 120 at index 0 is outside 0\.\.99/);
});

test('STL-10 binary: column-major channels, labels 1..10; stl10 = train + test, stl10sup = train', () => {
  const root = tmp();
  const dir = path.join(root, 'stl10_binary');
  fs.mkdirSync(dir);
  const side = 96 * 96 * 3;
  const tr = bytes(3 * side, 4);
  const te = bytes(2 * side, 5);
  fs.writeFileSync(path.join(dir, 'train_X.bin'), encodeStl10Images(tr));
  fs.writeFileSync(path.join(dir, 'train_y.bin'), Uint8Array.from([1, 10, 5]));
  fs.writeFileSync(path.join(dir, 'test_X.bin'), encodeStl10Images(te));
  fs.writeFileSync(path.join(dir, 'test_y.bin'), Uint8Array.from([2, 3]));
  const all = loadDataset('stl10', 'train', { dataDir: root });
  assert.equal(all.n, 5);
  assert.deepEqual([...all.labels], [0, 9, 4, 1, 2]);
  assert.deepEqual(all.images.subarray(0, side), tr.subarray(0, side));
  const raw = fs.readFileSync(path.join(dir, 'train_X.bin'));
  // Column-major: byte c·9216 + x·96 + y is pixel (y, x), channel c.
  assert.equal(all.images[(10 * 96 + 70) * 3 + 2], raw[2 * 9216 + 70 * 96 + 10]);
  assert.equal(loadDataset('stl10sup', 'train', { dataDir: root }).n, 3);
  assert.equal(loadDataset('stl10', 'test', { dataDir: root }).n, 2);
  fs.writeFileSync(path.join(dir, 'test_y.bin'), Uint8Array.from([0, 3]));
  assert.throws(() => loadDataset('stl10', 'test', { dataDir: root }), /test_y\.bin: label 0 at index 0 is outside 1\.\.10/);
  fs.writeFileSync(path.join(dir, 'test_X.bin'), raw.subarray(0, side + 7));
  assert.throws(() => loadDataset('stl10', 'test', { dataDir: root }), /test_X\.bin: .* is not a whole number of 96x96x3 STL-10 images/);
  assert.throws(
    () => loadDataset('stl10', 'train', { dataDir: tmp() }),
    /stl10 train split not found: expected train_X\.bin, train_y\.bin, test_X\.bin, test_y\.bin.*stl10_binary\.tar\.gz/s,
  );
});

/** A minimal ustar archive writer for the tests. */
function tarOf(files: Array<[string, Uint8Array]>): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, data] of files) {
    const h = Buffer.alloc(512);
    h.write(name, 0, 'utf8');
    h.write('0000644\0', 100);
    h.write('0000000\0', 108);
    h.write('0000000\0', 116);
    h.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
    h.write('00000000000\0', 136);
    h.write('        ', 148);
    h.write('0', 156);
    h.write('ustar\0', 257);
    h.write('00', 263);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(h, Buffer.from(data), Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

function pngOf(w: number, h: number, seed: number): Buffer {
  const { PNG } = require('pngjs') as typeof import('pngjs');
  const png = new PNG({ width: w, height: h });
  const px = bytes(w * h * 4, seed);
  for (let i = 3; i < px.length; i += 4) px[i] = 255;
  png.data = Buffer.from(px);
  return PNG.sync.write(png);
}

test('image folders: plain or inside a tar.gz, sorted classes, size and format errors named', () => {
  const root = tmp('if');
  for (const [cls, n] of [
    ['cat', 2],
    ['ant', 3],
  ] as const) {
    fs.mkdirSync(path.join(root, 'train', cls), { recursive: true });
    for (let i = 0; i < n; i++) fs.writeFileSync(path.join(root, 'train', cls, `${i}.png`), pngOf(5, 4, i + (cls === 'cat' ? 10 : 0)));
  }
  fs.writeFileSync(path.join(root, 'train', 'notes.txt'), 'not an image folder');
  const ds = loadDataset('imagefolder', 'train', { dataDir: root });
  assert.deepEqual(ds.classes, ['ant', 'cat']);
  assert.deepEqual([...ds.labels], [0, 1, 0, 1, 0], 'classes interleaved: every prefix covers every class');
  assert.deepEqual([ds.n, ds.height, ds.width, ds.channels], [5, 4, 5, 3]);
  const first = pngOf(5, 4, 0);
  const { PNG } = require('pngjs') as typeof import('pngjs');
  const rgba = PNG.sync.read(first).data;
  assert.deepEqual([...ds.images.subarray(0, 6)], [rgba[0], rgba[1], rgba[2], rgba[4], rgba[5], rgba[6]]);
  // The same tree inside a tar.gz, with a wrapper folder as archives usually have.
  const entries: Array<[string, Uint8Array]> = [];
  for (const cls of ['ant', 'cat']) {
    for (const f of fs.readdirSync(path.join(root, 'train', cls)))
      entries.push([`tree/train/${cls}/${f}`, fs.readFileSync(path.join(root, 'train', cls, f))]);
  }
  const archive = path.join(tmp('tgz'), 'tree.tar.gz');
  fs.writeFileSync(archive, zlib.gzipSync(tarOf(entries.reverse())));
  const fromTar = loadDataset('imagefolder', 'train', { dataDir: archive });
  assert.deepEqual(fromTar.images, ds.images);
  assert.deepEqual(fromTar.labels, ds.labels);
  fs.writeFileSync(path.join(root, 'train', 'cat', '9.png'), pngOf(6, 4, 3));
  assert.throws(() => loadDataset('imagefolder', 'train', { dataDir: root }), /cat\/9\.png: 6x4, but the other images are 5x4/);
  fs.writeFileSync(path.join(root, 'train', 'cat', '9.png'), 'garbage');
  assert.throws(() => loadDataset('imagefolder', 'train', { dataDir: root }), /cat\/9\.png: (cannot decode image|not a PNG or JPEG file)/);
  assert.throws(() => loadDataset('imagefolder', 'test', { dataDir: tmp('empty') }), /no images found/);
});

test('tar: entries, streaming unpack, and paths outside the destination refused', async () => {
  const tar = tarOf([
    ['a/b.txt', Buffer.from('hello')],
    ['c.bin', bytes(1000, 1)],
  ]);
  const entries = [...tarEntries(zlib.gzipSync(tar))];
  assert.deepEqual(
    entries.map((e) => e.path),
    ['a/b.txt', 'c.bin'],
  );
  assert.equal(Buffer.from(entries[0].data).toString(), 'hello');
  const dir = tmp('tar');
  const file = path.join(dir, 'x.tar.gz');
  fs.writeFileSync(file, zlib.gzipSync(tar));
  const out = path.join(dir, 'out');
  const written = await extractTar(file, out);
  assert.equal(written.length, 2);
  assert.equal(fs.readFileSync(path.join(out, 'a', 'b.txt'), 'utf8'), 'hello');
  const evil = path.join(dir, 'evil.tar.gz');
  fs.writeFileSync(evil, zlib.gzipSync(tarOf([['../escape.txt', Buffer.from('x')]])));
  await assert.rejects(extractTar(evil, out), /refusing to write \.\.\/escape\.txt outside/);
  const bad = Buffer.from(tar);
  bad[10] ^= 0xff;
  assert.throws(() => [...tarEntries(bad, 'bad.tar')], /bad\.tar: tar header checksum mismatch/);
});

test('downloads: MD5 checked, nothing left behind on a mismatch', async () => {
  const payload = zlib.gzipSync(tarOf([['cifar-10-batches-bin/test_batch.bin', encodeCifarRecords(bytes(3072, 9), [3])]]));
  const server = http.createServer((req, res) => {
    if (req.url === '/moved') {
      res.writeHead(302, { location: '/file.tar.gz' });
      res.end();
    } else if (req.url === '/file.tar.gz') {
      res.writeHead(200, { 'content-length': payload.length });
      res.end(payload);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  try {
    const dir = tmp('dl');
    const dest = path.join(dir, 'cifar-10-binary.tar.gz');
    const md5 = crypto.createHash('md5').update(payload).digest('hex');
    await downloadFile(`http://127.0.0.1:${port}/moved`, dest, md5, false);
    await extractTar(dest, dir);
    assert.equal(loadDataset('cifar10', 'test', { dataDir: dir }).labels[0], 3);
    const other = path.join(dir, 'x.tar.gz');
    await assert.rejects(downloadFile(`http://127.0.0.1:${port}/file.tar.gz`, other, '0'.repeat(32), false), /checksum mismatch/);
    assert.ok(!fs.existsSync(other) && !fs.existsSync(`${other}.part`));
    await assert.rejects(downloadFile(`http://127.0.0.1:${port}/nope`, other, md5, false), /HTTP 404/);
  } finally {
    server.close();
  }
});

test('CIFAR-10 as an image folder (../shared/datasets/cifar10-jpeg.tar.gz) under --data cifar10', (t) => {
  const shared = sharedDir();
  const archive = shared && path.join(shared, 'datasets', 'cifar10-jpeg.tar.gz');
  if (!archive || !fs.existsSync(archive)) {
    t.skip('../shared/datasets/cifar10-jpeg.tar.gz not present');
    return;
  }
  const ds = loadDataset('cifar10', 'test', { dataDir: path.dirname(archive) });
  assert.equal(ds.n, 10000);
  assert.deepEqual([ds.height, ds.width, ds.channels], [32, 32, 3]);
  assert.deepEqual(ds.classes, ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']);
  assert.deepEqual(classCounts(ds.labels, 10), new Array(10).fill(1000));
  let mean = 0;
  for (let i = 0; i < ds.images.length; i += 97) mean += ds.images[i];
  mean /= Math.ceil(ds.images.length / 97);
  assert.ok(mean > 100 && mean < 140, `mean pixel ${mean}`);
});
