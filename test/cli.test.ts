import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from './helpers.js';
import { readNpz } from '../lib/io/npz.js';
import { findChromium } from '../lib/plot/render.js';

const CLI = path.join(ROOT, 'dist', 'lib', 'cli', 'main.js');
const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });

test('mcr2 --help lists the commands; each command has --help with the official flags', () => {
  const r = run(['--help']);
  assert.equal(r.status, 0);
  for (const c of ['train-sup', 'evaluate', 'plot', 'quickstart']) assert.match(r.stdout, new RegExp(`\\b${c}\\b`));
  const h = run(['train-sup', '--help']);
  for (const f of [
    'arch',
    'fd',
    'data',
    'epo',
    'bs',
    'lr',
    'mom',
    'wd',
    'gam1',
    'gam2',
    'eps',
    'lcr',
    'lcs',
    'tail',
    'transform',
    'save_dir',
    'data_dir',
    'pretrain_dir',
    'pretrain_epo',
    'milestones',
    'seed',
  ]) {
    assert.match(h.stdout, new RegExp(`--${f}\\b`));
  }
  assert.match(h.stdout, /--epo INT\n\s+number of epochs for training \(default: 800\)/);
});

test('bad flags and values are named; missing things are errors, not crashes', () => {
  let r = run(['train-sup', '--epochs', '3']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown flag --epochs; this command takes: --arch/);
  r = run(['train-sup', '--bs', 'ten']);
  assert.match(r.stderr, /--bs: expected an integer, got 'ten'/);
  r = run(['evaluate', '--knn']);
  assert.match(r.stderr, /give exactly one of --model_dir and --features/);
  r = run(['evaluate', '--model_dir', 'x']);
  assert.match(r.stderr, /choose at least one method: --svm, --knn, --nearsub, --kmeans, --ensc/);
  r = run(['evaluate', '--model_dir', path.join(os.tmpdir(), 'no-such-run'), '--knn']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /not a run folder: params.json is missing/);
  r = run(['frobnicate']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown command 'frobnicate'/);
});

test('backend selection: MCR2_BACKEND forces one and reports a bad choice', () => {
  let r = run(['backend'], { MCR2_BACKEND: 'cpu' });
  assert.equal(r.status, 0);
  assert.match(r.stdout, /backend: cpu/);
  r = run(['backend'], { MCR2_BACKEND: '' });
  assert.match(r.stdout, /backend: (tensorflow|webgpu|wasm)/);
  r = run(['backend'], { MCR2_BACKEND: 'quantum' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /MCR2_BACKEND=quantum: unknown backend/);
  if (!fs.existsSync(path.join(ROOT, 'node_modules', '@tensorflow', 'tfjs-node-gpu'))) {
    r = run(['backend'], { MCR2_BACKEND: 'tensorflow-gpu' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /tfjs-node-gpu not installed/);
  }
});

test('train-sup, evaluate and plot from the command line on a tiny run', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-cli-'));
  const t = run([
    'train-sup',
    '--arch',
    'cnn-small',
    '--data',
    'mnist',
    '--fd',
    '16',
    '--epo',
    '1',
    '--bs',
    '100',
    '--lr',
    '0.05',
    '--transform',
    'test',
    '--subset',
    '200',
    '--save_dir',
    dir,
  ]);
  assert.equal(t.status, 0, t.stderr);
  assert.match(t.stdout, /855,232|trainable parameters/);
  const runDir = path.join(dir, 'sup_cnn-small+16_mnist_epo1_bs100_lr0.05_mom0.9_wd0.0005_gam11.0_gam21.0_eps0.5_lcr0.0');
  assert.ok(fs.existsSync(path.join(runDir, 'checkpoints', 'model-epoch0.safetensors')));
  const e = run(['evaluate', '--model_dir', runDir, '--knn', '--k', '3', '--nearsub', '--n_comp', '4']);
  assert.equal(e.status, 0, e.stderr);
  assert.match(e.stdout, /^kNN: 0\.\d+$/m);
  assert.match(e.stdout, /^PCA: 0\.\d+$/m);
  assert.match(e.stdout, /^SVD: 0\.\d+$/m);
  // PNG needs Chromium (the full tier's test/figures.test.ts looks at every one); HTML and JSON do not.
  const png = findChromium() !== undefined;
  const p = run(['plot', '--model_dir', runDir, '--loss'], { MCR2_REQUIRE_PNG: png ? '1' : '' });
  assert.equal(p.status, 0, p.stderr);
  for (const f of ['loss_theoretical', 'loss_empirical'].flatMap((n) => [`${n}.html`, `${n}.json`, ...(png ? [`${n}.png`] : [])])) {
    assert.ok(fs.existsSync(path.join(runDir, 'figures', 'loss', f)), f);
  }
  // extract → an .npz that evaluate --features reads back; --json prints one object.
  const out = path.join(dir, 'ext');
  const x = run(['extract', '--model_dir', runDir, '--save_dir', out]);
  assert.equal(x.status, 0, x.stderr);
  const file = path.join(out, `${path.basename(runDir)}_epoch0.npz`);
  const z = readNpz(file);
  assert.deepEqual(z.features.shape, [200, 16]);
  assert.deepEqual(z.test_features.shape, [10000, 16]);
  assert.equal(z.labels.dtype, 'int32');
  const j = run(['evaluate', '--features', file, '--knn', '--k', '3', '--svm', '--kmeans', '--nearsub', '--n_comp', '4', '--json']);
  assert.equal(j.status, 0, j.stderr);
  const res = JSON.parse(j.stdout);
  assert.deepEqual(Object.keys(res), ['svm', 'knn', 'nearsub', 'kmeans']);
  assert.ok(res.knn > 0.5 && res.svm > 0.5 && res.nearsub.svd > 0.5 && res.kmeans.nmi > 0.2, j.stdout);
  const save = run(['evaluate', '--model_dir', runDir, '--kmeans', '--save']);
  assert.match(save.stdout, /^KMeans: 0\.\d+$/m);
  assert.ok(fs.existsSync(path.join(runDir, 'plabels', 'kmeans_epoch0.npy')));
});

test('summary, data, train-selfsup and the cross-entropy baseline from the command line', () => {
  const s = run(['summary', '--arch', 'resnet18', '--fd', '128']);
  assert.equal(s.status, 0, s.stderr);
  assert.match(s.stdout, /trainable parameters: 11,497,664\n?$/);
  const d = run(['data', '--data', 'mnist', '--lcr', '0.2']);
  const info = JSON.parse(d.stdout);
  assert.equal(info.train.images, 60000);
  assert.equal(info.train.corrupt.changed, 10829);
  assert.equal(
    info.test.class_counts.reduce((a: number, b: number) => a + b, 0),
    10000,
  );
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-ss-'));
  const t = run([
    'train-selfsup',
    '--arch',
    'cnn-small',
    '--data',
    'mnist',
    '--fd',
    '16',
    '--transform',
    'mnist',
    '--bs',
    '40',
    '--aug',
    '4',
    '--subset',
    '80',
    '--epo',
    '1',
    '--lr',
    '0.01',
    '--save_dir',
    dir,
    '--workers',
    '0',
  ]);
  assert.equal(t.status, 0, t.stderr);
  const name = 'selfsup_cnn-small+16_mnist_epo1_bs40_aug4+mnist_lr0.01_mom0.9_wd0.0005_gam11.0_gam210.0_eps2.0';
  const rows = fs.readFileSync(path.join(dir, name, 'losses.csv'), 'utf8').split('\n');
  assert.equal(rows.length, 1 + 8, '80 images / 10 per batch');
  const ce = run([
    'train-sup',
    '--arch',
    'cnn-small',
    '--data',
    'mnist',
    '--epo',
    '1',
    '--bs',
    '50',
    '--lr',
    '0.05',
    '--transform',
    'test',
    '--subset',
    '200',
    '--loss',
    'ce',
    '--save_dir',
    dir,
    '--workers',
    '0',
  ]);
  assert.equal(ce.status, 0, ce.stderr);
  const ceDir = path.join(dir, 'sup_cnn-small+128_mnist_epo1_bs50_lr0.05_mom0.9_wd0.0005_gam11.0_gam21.0_eps0.5_lcr0.0_ce');
  assert.match(fs.readFileSync(path.join(ceDir, 'losses.csv'), 'utf8'), /\n0,0,[0-9.]+,NaN,NaN,NaN,NaN/);
  const ev = run(['evaluate', '--model_dir', ceDir, '--knn']);
  assert.match(ev.stdout, /^CE: 0\.\d+$/m);
});

test('a training run killed with SIGKILL resumes from its last checkpoint and ends as if never stopped', async () => {
  const base = [
    'train-sup',
    '--arch',
    'cnn-small',
    '--data',
    'mnist',
    '--fd',
    '16',
    '--epo',
    '3',
    '--bs',
    '100',
    '--lr',
    '0.05',
    '--transform',
    'test',
    '--subset',
    '400',
    '--workers',
    '0',
    '--milestones',
    '2',
  ];
  const whole = fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-whole-'));
  const cut = fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-kill-'));
  assert.equal(run([...base, '--save_dir', whole]).status, 0);
  const name = 'sup_cnn-small+16_mnist_epo3_bs100_lr0.05_mom0.9_wd0.0005_gam11.0_gam21.0_eps0.5_lcr0.0';
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [CLI, ...base, '--save_dir', cut], { stdio: 'ignore' });
  const losses = path.join(cut, name, 'losses.csv');
  // Kill it once a row of epoch 1 is logged (mid-epoch: its checkpoint is not written yet).
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (fs.existsSync(losses) && /\n1,1,/.test(fs.readFileSync(losses, 'utf8'))) {
        clearInterval(timer);
        child.kill('SIGKILL');
        resolve();
      }
    }, 20);
    child.on('exit', () => {
      clearInterval(timer);
      reject(new Error('the run finished before it could be killed'));
    });
  });
  await new Promise((r) => child.on('exit', r));
  const again = run([...base, '--save_dir', cut]);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /resuming .* after epoch 0/);
  assert.equal(fs.readFileSync(losses, 'utf8'), fs.readFileSync(path.join(whole, name, 'losses.csv'), 'utf8'));
  const ck = (d: string) => fs.readFileSync(path.join(d, name, 'checkpoints', 'model-epoch2.safetensors'));
  assert.ok(ck(cut).equals(ck(whole)), 'same final weights');
});
