// torchvision's CIFAR "python version" folders (cifar-10-batches-py/, cifar-100-python/), read by
// lib/data/cifar_pickle.ts: pixels and labels as torchvision gives them (test/fixtures/cifar-py and
// cifar_pickles.json from scripts/fixtures/make_cifar_pickles.py), the official data_dir layout,
// clear errors for missing, corrupt and hostile files, and train-sup from such a folder alone.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadDataset } from '../lib/data/index.js';
import { firstN } from '../lib/data/dataset.js';
import { pickle, PickleTuple, PyCall, PyGlobal } from '../lib/io/pickle.js';
import { fixture, ROOT } from './helpers.js';

const D = fixture('cifar-py');
type Split = { n: number; labels: number[]; coarse_labels?: number[]; sha256: string; first_pixels: number[][] };
const expected = JSON.parse(fs.readFileSync(fixture('cifar_pickles.json'), 'utf8')) as {
  cifar10: { classes: string[]; train: Split; test: Split };
  cifar100: { classes: string[]; coarse_classes: string[]; train: Split; test: Split };
};
const sha = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');

function copyTo(layout: string): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-cifarpy-'));
  for (const f of ['cifar-10-batches-py', 'cifar-100-python']) fs.cpSync(path.join(D, f), path.join(root, layout, f), { recursive: true });
  return root;
}

test("CIFAR-10 and CIFAR-100 python-version folders: every pixel and label as torchvision's CIFAR10/CIFAR100 give them", () => {
  for (const split of ['train', 'test'] as const) {
    const c10 = loadDataset('cifar10', split, { dataDir: D });
    const e10 = expected.cifar10[split];
    assert.equal(c10.n, e10.n);
    assert.deepEqual([c10.height, c10.width, c10.channels], [32, 32, 3]);
    assert.equal(sha(c10.images), e10.sha256, `cifar10 ${split} pixels`);
    assert.deepEqual([...c10.images.subarray(0, 6)], e10.first_pixels.flat());
    assert.deepEqual([...c10.labels], e10.labels);
    assert.deepEqual(c10.classes, expected.cifar10.classes);
    assert.equal(c10.source, path.join(D, 'cifar-10-batches-py'));
    const c100 = loadDataset('cifar100', split, { dataDir: D });
    const e100 = expected.cifar100[split];
    assert.equal(sha(c100.images), e100.sha256, `cifar100 ${split} pixels`);
    assert.deepEqual([...c100.labels], e100.labels, 'fine labels, as the official code trains on');
    assert.deepEqual([...(c100.coarseLabels ?? [])], e100.coarse_labels);
    assert.equal(c100.numClasses, 100);
    assert.deepEqual(c100.classes, expected.cifar100.classes);
    const coarse = loadDataset('cifar100coarse', split, { dataDir: D });
    assert.deepEqual([...coarse.labels], e100.coarse_labels, "sparse2coarse of the fine labels = the files' coarse labels");
    assert.deepEqual(coarse.classes, expected.cifar100.coarse_classes);
  }
  assert.deepEqual(
    [...(firstN(loadDataset('cifar100', 'train', { dataDir: D }), 3).coarseLabels ?? [])],
    expected.cifar100.train.coarse_labels?.slice(0, 3),
  );
});

test('the official layout (<data_dir>/cifar10/cifar-10-batches-py) and the folder itself as --data_dir', () => {
  const root = copyTo('cifar10');
  assert.equal(loadDataset('cifar10', 'test', { dataDir: root }).n, 6);
  fs.renameSync(path.join(root, 'cifar10', 'cifar-100-python'), path.join(root, 'cifar100'));
  assert.equal(loadDataset('cifar100', 'test', { dataDir: path.join(root, 'cifar100') }).n, 5, 'files directly in --data_dir');
  assert.equal(loadDataset('cifar10', 'train', { dataDir: path.join(root, 'cifar10', 'cifar-10-batches-py') }).n, 20);
  fs.rmSync(root, { recursive: true });
});

test('missing, corrupt and hostile files: an error naming the file and what is wrong', () => {
  const root = copyTo('');
  const dir = path.join(root, 'cifar-10-batches-py');
  fs.rmSync(path.join(dir, 'data_batch_3'));
  assert.throws(
    () => loadDataset('cifar10', 'train', { dataDir: root }),
    /cifar-10-batches-py: data_batch_3 is missing \(torchvision's cifar-10-batches-py\/ holds data_batch_1, .*cifar-10-python\.tar\.gz/,
  );
  const test_ = path.join(dir, 'test_batch');
  const good = fs.readFileSync(test_);
  fs.writeFileSync(test_, good.subarray(0, 5000));
  assert.throws(() => loadDataset('cifar10', 'test', { dataDir: root }), new RegExp(`${test_}: truncated: BINSTRING`));
  // A batch that would run code when unpickled by Python is refused before anything is called.
  fs.writeFileSync(test_, pickle(new PyCall(new PyGlobal('posix', 'system'), new PickleTuple(['touch /tmp/mcr2-pwned']))));
  assert.throws(() => loadDataset('cifar10', 'test', { dataDir: root }), new RegExp(`${test_}: refusing global 'posix\\.system'`));
  assert.ok(!fs.existsSync('/tmp/mcr2-pwned'));
  fs.writeFileSync(test_, pickle([1, 2, 3]));
  assert.throws(() => loadDataset('cifar10', 'test', { dataDir: root }), /test_batch: holds a list, expected a dict/);
  fs.rmSync(path.join(dir, 'batches.meta'));
  fs.writeFileSync(test_, good);
  assert.throws(() => loadDataset('cifar10', 'test', { dataDir: root }), /batches\.meta is missing/);
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-nocifar-'));
  assert.throws(
    () => loadDataset('cifar100', 'train', { dataDir: empty }),
    /cifar100 train split not found: expected train\.bin in any of: .*; or torchvision's python version, cifar-100-python\/ \(train, meta\), in .*cifar-100-python or .*cifar100\/cifar-100-python \(https:.*cifar-100-python\.tar\.gz\)\nOfficial download: /,
  );
  fs.rmSync(root, { recursive: true });
});

test('mcr2 train-sup --data cifar10 --data_dir D trains from a folder holding only cifar-10-batches-py/', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-trainpy-'));
  fs.cpSync(path.join(D, 'cifar-10-batches-py'), path.join(root, 'D', 'cifar-10-batches-py'), { recursive: true });
  const r = spawnSync(
    process.execPath,
    [
      path.join(ROOT, 'dist', 'lib', 'cli', 'main.js'),
      'train-sup',
      '--data',
      'cifar10',
      '--data_dir',
      'D',
      '--arch',
      'resnet18',
      '--fd',
      '16',
      '--epo',
      '1',
      '--bs',
      '10',
      '--save_dir',
      'runs',
      '--workers',
      '0',
    ],
    { cwd: root, encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /data: cifar10 train, 20 images 32x32x3 from D\/cifar-10-batches-py/);
  const run = path.join(root, 'runs', fs.readdirSync(path.join(root, 'runs'))[0]);
  assert.ok(fs.existsSync(path.join(run, 'checkpoints', 'model-epoch0.safetensors')));
  assert.equal(fs.readFileSync(path.join(run, 'losses.csv'), 'utf8').trim().split('\n').length, 3, 'header + 2 steps');
  fs.rmSync(root, { recursive: true });
});
