// `mcr2 gaussian2d` and `mcr2 mnist1d` (the official ReduNet drivers) at toy sizes: the run folder the
// official driver writes (params.json, loss CSVs, features, acc JSONs) and the network, which loads
// and gives the saved features again.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readNpy } from '../lib/io/npz.js';
import { ReduNet } from '../lib/redunet/redunet.js';
import { ROOT } from './helpers.js';

const CLI = path.join(ROOT, 'dist', 'lib', 'cli', 'main.js');
const run = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

test('mcr2 gaussian2d writes the official run folder; its network loads and gives the saved features', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-g2d-'));
  const r = run(['gaussian2d', '--data', '1', '--samples', '30', '--layers', '20', '--save_dir', dir, '--no_figures']);
  assert.equal(r.status, 0, r.stderr);
  const folder = path.join(dir, 'gaussian2d', 'data1_noise0.1', 'samples30_layers20_eps0.1_eta0.5');
  assert.ok(fs.existsSync(folder), `${folder}\n${r.stdout}`);
  const params = JSON.parse(fs.readFileSync(path.join(folder, 'params.json'), 'utf8'));
  assert.deepEqual([params.data, params.samples, params.layers, params.eps, params.eta], [1, 30, 20, 0.1, 0.5]);
  const csv = fs
    .readFileSync(path.join(folder, 'loss', 'train.csv'), 'utf8')
    .trim()
    .split('\n');
  assert.equal(csv[0], ',loss_total,loss_expd,loss_comp');
  assert.equal(csv.length, 21);
  const acc = JSON.parse(fs.readFileSync(path.join(folder, 'acc_test.json'), 'utf8'));
  assert.deepEqual(Object.keys(acc), ['knn', 'nearsub-svd', 'svm']);
  assert.ok(acc.svm > 0.9, `svm ${acc.svm}`);
  const x = readNpy(path.join(folder, 'features', 'X_test_features.npy'));
  const z = readNpy(path.join(folder, 'features', 'Z_test_features.npy'));
  assert.deepEqual(z.shape, [60, 2]);
  const net = ReduNet.load(path.join(folder, 'model.safetensors'));
  assert.equal(net.layerCount, 20);
  const again = await net.transform({ features: x.data as Float64Array, n: 60, dim: 2 });
  assert.deepEqual([...again.features], [...(z.data as Float64Array)]);
  const bad = run(['gaussian2d', '--samples', '5']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /the following arguments are required: --data/);
});

test('mcr2 mnist1d (argparse-style --classes) writes the four sets of the official driver', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-m1d-'));
  const r = run([
    'mnist1d',
    ...['--samples', '2', '--channels', '5', '--time', '12', '--classes', '0', '1', '7', '--outchannels', '3', '--ksize', '3'],
    ...['--layers', '2', '--save_dir', dir, '--no_figures'],
  ]);
  assert.equal(r.status, 0, r.stderr);
  const folder = path.join(dir, 'mnist1d-classes017', 'time12channels5samples2_layers2_outchannels3_ksize3_eps0.1_eta0.5');
  for (const set of ['train', 'test', 'translate_train', 'translate_test']) {
    assert.ok(fs.existsSync(path.join(folder, 'loss', `${set}.csv`)), `${set}.csv`);
    assert.ok(fs.existsSync(path.join(folder, `acc_${set}.json`)), `acc_${set}.json`);
  }
  assert.deepEqual(readNpy(path.join(folder, 'features', 'X_train_features.npy')).shape, [6, 5, 12]);
  assert.deepEqual(readNpy(path.join(folder, 'features', 'Z_translate_test_features.npy')).shape, [30, 3, 12]);
  const summary = JSON.parse(fs.readFileSync(path.join(folder, 'accuracies.json'), 'utf8'));
  assert.deepEqual(Object.keys(summary), ['train', 'test', 'translate_train', 'translate_test']);
});
