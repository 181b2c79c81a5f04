import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RunFolder, LOSS_HEADER } from '../lib/runs/run_folder.js';
import { supervisedPlan, type SupervisedOptions } from '../lib/train/supervised.js';
import { trainSupervised } from '../lib/train/trainer.js';
import { evaluateRun } from '../lib/runs/evaluate.js';
import { initBackendFor } from './helpers.js';

const tiny = (saveDir: string): Partial<SupervisedOptions> => ({
  arch: 'cnn-small',
  data: 'mnist',
  featureDim: 32,
  epochs: 2,
  batchSize: 100,
  lr: 0.05,
  momentum: 0.9,
  weightDecay: 5e-4,
  eps: 0.5,
  transform: 'test',
  milestones: [1],
  subset: 300,
  seed: 7,
  workers: 0,
  saveDir,
  dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-empty-')),
});

const quiet = { log: () => {}, progress: false };

test('a tiny supervised run writes the official run folder and is deterministic', async () => {
  await initBackendFor('wasm');
  const dirA = fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-train-'));
  const dirB = fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-train-'));
  const a = await trainSupervised(tiny(dirA), quiet);
  const b = await trainSupervised(tiny(dirB), quiet);
  a.model.dispose();
  b.model.dispose();
  assert.equal(path.basename(a.runDir), 'sup_cnn-small+32_mnist_epo2_bs100_lr0.05_mom0.9_wd0.0005_gam11.0_gam21.0_eps0.5_lcr0.0');
  const run = new RunFolder(a.runDir);
  const text = fs.readFileSync(run.lossesFile, 'utf8');
  assert.ok(
    text.startsWith(`${LOSS_HEADER}\n`) && !text.endsWith('\n'),
    'official CSV layout: header, "\\n"-prefixed rows, no trailing newline',
  );
  const rows = run.readLosses();
  assert.equal(rows.length, 6);
  assert.deepEqual(
    rows.map((r) => [r.epoch, r.step]),
    [
      [0, 0],
      [0, 1],
      [0, 2],
      [1, 0],
      [1, 1],
      [1, 2],
    ],
  );
  for (const r of rows) assert.ok(Math.abs(r.total - (-r.discrimnLossE + r.compressLossE)) < 1e-3);
  const mean = (e: number) => rows.filter((r) => r.epoch === e).reduce((a, r) => a + r.total, 0) / 3;
  assert.ok(mean(1) < mean(0), 'the loss goes down');
  assert.equal(text, fs.readFileSync(new RunFolder(b.runDir).lossesFile, 'utf8'), 'same seed, same losses');
  const params = JSON.parse(fs.readFileSync(run.paramsFile, 'utf8'));
  assert.deepEqual(Object.keys(params), [...Object.keys(params)].sort());
  assert.equal(params.lr, 0.05);
  assert.deepEqual(run.checkpointEpochs(), [0, 1]);
  assert.ok(fs.existsSync(run.optimizerFile(1)) && !fs.existsSync(run.optimizerFile(0)), 'only the latest optimizer state is kept');
  for (const d of ['figures', 'plabels']) assert.ok(fs.existsSync(path.join(a.runDir, d)));
  const ev = await evaluateRun({ modelDir: a.runDir, knn: true, k: 5, nearsub: true, nComp: 5, log: () => {} });
  assert.equal(ev.epoch, 1);
  assert.equal(ev.train.n, 300);
  assert.ok(ev.knn! > 0.5 && ev.nearsub!.svd > 0.5, `accuracies ${ev.knn} ${ev.nearsub!.svd}`);
});

test('an interrupted run resumes from its last checkpoint with losses.csv intact', async () => {
  await initBackendFor('wasm');
  const full = fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-full-'));
  const cut = fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-cut-'));
  const a = await trainSupervised(tiny(full), quiet);
  a.model.dispose();
  // Interrupted during epoch 1, after two of its steps were logged.
  await assert.rejects(
    trainSupervised(tiny(cut), {
      ...quiet,
      onStep: (r) => {
        if (r.epoch === 1 && r.step === 1) throw new Error('interrupted');
      },
    }),
    /interrupted/,
  );
  const run = new RunFolder(path.join(cut, path.basename(a.runDir)));
  assert.equal(run.readLosses().length, 5);
  const lines: string[] = [];
  const c = await trainSupervised(tiny(cut), { log: (s) => lines.push(s), progress: false });
  c.model.dispose();
  assert.ok(lines.some((l) => l.startsWith('resuming') && l.endsWith('after epoch 0')));
  assert.equal(c.epochsRun, 1);
  assert.equal(fs.readFileSync(run.lossesFile, 'utf8'), fs.readFileSync(new RunFolder(a.runDir).lossesFile, 'utf8'));
  // Rerunning a finished run trains nothing; other parameters under the same name are refused.
  const d = await trainSupervised(tiny(cut), quiet);
  d.model.dispose();
  assert.equal(d.epochsRun, 0);
  const p = JSON.parse(fs.readFileSync(run.paramsFile, 'utf8'));
  fs.writeFileSync(run.paramsFile, JSON.stringify({ ...p, seed: 99 }));
  await assert.rejects(trainSupervised(tiny(cut), quiet), /exists with other parameters \(seed\)/);
});

test('bad training input is reported by name', async () => {
  await initBackendFor('wasm');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-bad-'));
  // Named as the caller spelled them: option keys here, flags on the command line (test/cli.test.ts).
  await assert.rejects(
    trainSupervised({ ...tiny(dir), batchSize: 0 }, quiet),
    /^OptionError: batchSize must be a positive integer, got 0$/,
  );
  await assert.rejects(trainSupervised({ ...tiny(dir), corruptRatio: 2 }, quiet), /corruptRatio must be in \[0, 1\], got 2/);
  await assert.rejects(trainSupervised({ ...tiny(dir), arch: 'nope' }, quiet), /unknown arch 'nope'; available: /);
  await assert.rejects(
    trainSupervised({ ...tiny(dir), bs: 10 } as Partial<SupervisedOptions>, quiet),
    /unknown supervised training option bs; known: arch, featureDim/,
  );
  await assert.rejects(evaluateRun({ modelDir: dir, knn: true, log: () => {} }), /not a run folder: params.json is missing/);
});

test('a batch larger than the training set is one batch of all of it, said in the log and params.json', async () => {
  await initBackendFor('wasm');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-bigbatch-'));
  const lines: string[] = [];
  const plan = supervisedPlan({ ...tiny(dir), batchSize: 1000 }, (l) => lines.push(l));
  assert.equal(plan.batchSize, 300);
  assert.equal(plan.stepsPerEpoch, 1);
  assert.equal(plan.params.bs, 1000);
  assert.equal(plan.params.batch_size_used, 300);
  assert.match(lines.join('\n'), /batch size 1000 is larger than the training set: one batch of all 300 images a step/);
  plan.model.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});
