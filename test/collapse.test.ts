// Collapse detection (lib/train/collapse.ts): each of the three collapses read from the loss terms
// of real batches, the ΔR ≈ 0 patience, the checkpoint named as the last good one, and a real run
// made to collapse (weight decay 5 at lr 0.1 without momentum shrinks the head until every feature
// is its bias' direction) stopped by the CLI with its two-line message.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { MaximalCodingRateReduction } from '../lib/loss/mcr2.js';
import { RunFolder } from '../lib/runs/run_folder.js';
import type { LoopState } from '../lib/train/callbacks.js';
import { CollapseGuard, collapseOf } from '../lib/train/collapse.js';
import { launch, SUP } from './fault_harness.js';
import { initBackendFor } from './helpers.js';
import { RandomState } from '../lib/math/random.js';

const EPS = 0.5;

/** The loss terms of a batch Z (m x p rows) with labels, from the real loss. */
function terms(z: Float32Array, m: number, p: number, labels: number[]) {
  const loss = new MaximalCodingRateReduction({ eps: EPS });
  const t = tf.tensor2d(z, [m, p]);
  const ev = loss.evaluate(t, Int32Array.from(labels), 2);
  t.dispose();
  return ev.terms;
}

function randomUnit(m: number, p: number, seed: number): Float32Array {
  const r = new RandomState(seed);
  const z = Float32Array.from(r.randn(m * p));
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let j = 0; j < p; j++) s += z[i * p + j] ** 2;
    for (let j = 0; j < p; j++) z[i * p + j] /= Math.sqrt(s);
  }
  return z;
}

test('collapseOf: near-zero norm, rank 1 and ΔR ≈ 0 from the terms of real batches; healthy batches pass', async () => {
  await initBackendFor('wasm');
  const m = 40;
  const p = 16;
  const labels = Array.from({ length: m }, (_, i) => i % 2);
  const opts = { eps: EPS };
  // Healthy: random unit rows.
  assert.equal(collapseOf(terms(randomUnit(m, p, 0), m, p, labels), m, p, opts), undefined);
  // All zero (the reported collapse: weights ~1e-27), and rows of norm 1e-5.
  assert.equal(collapseOf(terms(new Float32Array(m * p), m, p, labels), m, p, opts)?.kind, 'zero');
  assert.equal(
    collapseOf(
      terms(
        randomUnit(m, p, 1).map((v) => v * 1e-5),
        m,
        p,
        labels,
      ),
      m,
      p,
      opts,
    )?.kind,
    'zero',
  );
  // Every row on one line (signs differ): rank 1.
  const line = new Float32Array(m * p);
  for (let i = 0; i < m; i++) line[i * p + 3] = i % 3 === 0 ? -1 : 1;
  const c = collapseOf(terms(line, m, p, labels), m, p, opts);
  assert.equal(c?.kind, 'rank');
  assert.match(c!.what, /rank ≤ 1/);
  // Rank 2, each class the same two directions: ΔR = 0 but not rank 1.
  const same = new Float32Array(m * p);
  for (let i = 0; i < m; i++) same[i * p + (Math.floor(i / 2) % 2)] = 1;
  const t = terms(same, m, p, labels);
  assert.ok(Math.abs(t.discrimnLossT - t.compressLossT) < 1e-4, `ΔR ${t.discrimnLossT - t.compressLossT}`);
  assert.equal(collapseOf(t, m, p, opts)?.kind, 'deltaR');
  // Cross-entropy rows (no R) are not checked.
  assert.equal(collapseOf({ discrimnLossT: Number.NaN, compressLossT: Number.NaN }, m, p, opts), undefined);
});

test('CollapseGuard: ΔR ≈ 0 stops after `patience` steps in a row; the checkpoint named is the last one taken before the collapse began', () => {
  const run = new RunFolder(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-collapse-')), 'run'));
  run.create({ arch: 'cnn-small', fd: 16, lr: 0.1, wd: 5 });
  // Epochs 0 and 1 complete (4 steps each).
  for (const e of [0, 1]) for (const f of [run.modelFile(e), run.optimizerFile(e)]) fs.writeFileSync(f, 'x');
  const state = (epoch: number, step: number): LoopState =>
    ({ epoch, epochs: 9, step: step + 1, stepsPerEpoch: 4, model: { featureDim: 16 }, run, describe: {} }) as unknown as LoopState;
  const row = (epoch: number, step: number, dR: number) => ({
    row: { epoch, step, total: -dR, discrimnLossE: 20, compressLossE: 20 - dR, discrimnLossT: 20, compressLossT: 20 - dR },
    images: 40,
    ms: 1,
  });
  const guard = new CollapseGuard({ eps: EPS, patience: 5 });
  // A healthy step, then ΔR ≈ 0 from epoch 1, step 3 (flat step 7) on: the fifth such step stops the run.
  const flat = [
    [0, 0, 3],
    [1, 2, 2],
    [1, 3, 1e-4],
    [2, 0, -1e-4],
    [2, 1, 0],
    [2, 2, 1e-5],
  ] as const;
  for (const [e, s, d] of flat) guard.onStepEnd(state(e, s), row(e, s, d));
  // A healthy step in between resets the count.
  guard.onStepEnd(state(2, 3), row(2, 3, 0.5));
  for (const [e, s] of [
    [3, 0],
    [3, 1],
    [3, 2],
    [3, 3],
  ])
    guard.onStepEnd(state(e, s), row(e, s, 0));
  // Four flat steps since the reset, the fifth stops; the collapse began at flat step 12 (epoch 3, step 0):
  // epoch 1's checkpoint (the weights of step 8) is good.
  assert.throws(
    () => guard.onStepEnd(state(4, 0), row(4, 0, 0)),
    /the features collapsed at epoch 4, step 0: ΔR stayed within 0\.001 of 0 for 5 steps .*the last good checkpoint is .*model-epoch1\.safetensors \(epoch 1\)\.\nLower --lr or --wd \(now --lr 0\.1, --wd 5\)/s,
  );
  // Had it begun at epoch 2, step 0 (flat step 8), epoch 1's checkpoint would hold collapsed weights: epoch 0's is named.
  const g2 = new CollapseGuard({ eps: EPS, patience: 2 });
  g2.onStepEnd(state(2, 0), row(2, 0, 0));
  assert.throws(() => g2.onStepEnd(state(2, 1), row(2, 1, 0)), /last good checkpoint is .*model-epoch0\.safetensors \(epoch 0\)/);
});

test('a run made to collapse (weight decay 5, lr 0.1, no momentum) stops with the step, what collapsed, what to change and the last good checkpoint', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-collapse-run-'));
  const args = SUP.map((a, i) => (SUP[i - 1] === '--epo' ? '20' : SUP[i - 1] === '--lr' ? '0.1' : a));
  const r = await launch([...args, '--wd', '5', '--mom', '0', '--save_dir', dir]);
  assert.equal(r.code, 1, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 2, r.stderr);
  const m = r.stderr.match(
    /the features collapsed at epoch (\d+), step (\d+): the batch's features have rank ≤ 1 .*; training stopped and the last good checkpoint is (\S+) \(epoch (\d+)\)/,
  );
  assert.ok(m, r.stderr);
  const [epoch, , file, good] = [Number(m[1]), Number(m[2]), m[3], Number(m[4])];
  assert.ok(epoch >= 1 && epoch < 10, `collapsed at epoch ${epoch}`);
  assert.ok(good < epoch, `good checkpoint ${good} before epoch ${epoch}`);
  assert.ok(fs.existsSync(file), file);
  assert.match(
    lines[1],
    /^Lower --lr or --wd \(now --lr 0\.1, --wd 5\) and start again with another --tail, or go on from the good checkpoint with --pretrain_dir \S+ --pretrain_epo \d+\.$/,
  );
});
