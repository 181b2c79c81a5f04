// The stepping trainer: cell-by-cell steps give the same run as one call, a run stopped mid-epoch
// (closed, killed, interrupted) resumes without a lost or duplicated losses.csv row, features and
// evaluation between cells match evaluating the run folder, and a run trained on 32x32 crops of
// MNIST is evaluated at 32x32 (issue 12).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { displayPath } from '../lib/io/paths.js';
import { evaluateRun } from '../lib/runs/evaluate.js';
import { loadRun } from '../lib/runs/load_run.js';
import { RunFolder } from '../lib/runs/run_folder.js';
import type { SupervisedOptions } from '../lib/train/supervised.js';
import { Trainer, trainSupervised } from '../lib/train/trainer.js';
import { initBackendFor } from './helpers.js';

const emptyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-empty-'));
const tiny = (saveDir: string): Partial<SupervisedOptions> => ({
  arch: 'cnn-small',
  data: 'mnist',
  featureDim: 16,
  epochs: 2,
  batchSize: 100,
  lr: 0.05,
  transform: 'test',
  milestones: [1],
  subset: 300,
  seed: 3,
  workers: 0,
  saveDir,
  dataDir: emptyDir,
});
const quiet = { log: () => {}, progress: false };
const csv = (dir: string) => fs.readFileSync(new RunFolder(dir).lossesFile, 'utf8');

test('stepping cell by cell gives the run one call gives; readers between cells', async () => {
  await initBackendFor('wasm');
  const whole = await trainSupervised(tiny(fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-whole-'))), quiet);
  whole.model.dispose();

  const lines: string[] = [];
  const t = await Trainer.create(tiny(fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-step-'))), {
    log: (l) => lines.push(l),
    progress: false,
  });
  try {
    assert.deepEqual([t.epoch, t.step, t.lr, t.stepsPerEpoch, t.done], [0, 0, 0.05, 3, false]);
    const rows = await t.runSteps(2);
    assert.deepEqual(
      rows.map((r) => [r.epoch, r.step]),
      [
        [0, 0],
        [0, 1],
      ],
    );
    assert.deepEqual([t.epoch, t.step], [0, 2]);
    assert.equal(t.losses().length, 2);
    const s0 = await t.runEpoch(); // the rest of epoch 0
    assert.equal(s0?.epoch, 0);
    assert.deepEqual([t.epoch, t.step, t.lr], [1, 0, 0.005000000000000001]);
    const r0 = t.losses().filter((r) => r.epoch === 0);
    assert.ok(Math.abs(s0!.total - r0.reduce((a, r) => a + r.total, 0) / 3) < 1e-12, 'the summary is the mean of its rows');
    assert.ok(lines.some((l) => l.startsWith('epoch 1/2  loss -')));
    const more = await t.runSteps(10); // only 3 steps are left
    assert.equal(more.length, 3);
    assert.ok(t.done);
    assert.equal((await t.runEpoch()) ?? 'none', 'none');
    assert.equal(csv(t.runDir), csv(whole.runDir), 'same rows, bit for bit');
    const fig = t.lossFigure();
    assert.equal(fig.data.length, 3);
    assert.equal((fig.data[0].y as number[]).length, 6);
    // Between cells: features in inference mode and the evaluation the run folder would give.
    const f = await t.features('train');
    assert.deepEqual([f.n, f.dim], [300, 16]);
    assert.ok(Math.abs(f.features.subarray(0, 16).reduce((a, v) => a + v * v, 0) - 1) < 1e-4, 'unit rows');
    const ev = await t.evaluate({ knn: 5, nearsub: 5 });
    const ref = await evaluateRun({ modelDir: t.runDir, knn: true, k: 5, nearsub: true, nComp: 5, log: () => {} });
    assert.equal(ev.knn, ref.knn);
    assert.deepEqual(ev.nearsub, ref.nearsub);
    assert.ok(ev.knn! > 0.5, `kNN ${ev.knn}`);
  } finally {
    await t.close();
  }
  await assert.rejects(t.runEpoch(), (e: Error) => {
    // No "(closed)" after "closed"; the run folder as the notebooks print paths (project-relative).
    assert.match(e.message, /^this trainer is closed; Trainer\.open\(trainer\.runDir\) resumes its run, \S+$/);
    assert.equal(e.message.split(', ').pop(), displayPath(t.runDir));
    return true;
  });
});

test('a run stopped mid-epoch resumes with losses.csv cut to the last complete epoch', async () => {
  await initBackendFor('wasm');
  const ref = await trainSupervised(tiny(fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-ref-'))), quiet);
  ref.model.dispose();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-stop-'));
  const t = await Trainer.create(tiny(dir), quiet);
  await t.runSteps(4); // epoch 0 and one step of epoch 1
  assert.deepEqual([t.epoch, t.step, t.losses().length], [1, 1, 4]);
  // A kernel interrupt: the run stops after the step under way, state intact, and continues.
  let listening = 0;
  const u = await Trainer.open(
    t.runDir,
    {},
    {
      ...quiet,
      interruptible: true,
      onStep: (r) => {
        listening = process.listenerCount('SIGINT');
        if (r.step === 1) u.interrupt();
      },
    },
  );
  // Opening the folder again closed the first trainer; the second resumed after epoch 0.
  await assert.rejects(t.runSteps(1), /this trainer is closed/);
  assert.deepEqual([u.epoch, u.step, u.losses().length], [1, 0, 3]);
  await u.runEpoch();
  assert.ok(listening > 0, 'a SIGINT listener while running');
  assert.deepEqual([u.epoch, u.step, u.done, u.losses().length], [1, 2, false, 5]);
  await u.runEpoch();
  assert.ok(u.done);
  assert.equal(csv(u.runDir), csv(ref.runDir), 'no row lost or duplicated');
  const w = await u.finish();
  w.model.dispose();
  const ck = (d: string) => fs.readFileSync(new RunFolder(d).modelFile(1));
  assert.ok(ck(u.runDir).equals(ck(ref.runDir)), 'same final weights');
  // A folder whose run is complete opens as done.
  const v = await Trainer.open(u.runDir, {}, quiet);
  assert.ok(v.done);
  await v.close();
});

test('a run trained on 32x32 crops of MNIST (transform default) is evaluated at 32x32', async () => {
  await initBackendFor('wasm');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-crop-'));
  const r = await trainSupervised({ ...tiny(dir), transform: 'default', epochs: 1 }, quiet);
  r.model.dispose();
  const params = new RunFolder(r.runDir).readParams();
  assert.deepEqual(params.input_shape, [32, 32, 1]);
  const ev = await evaluateRun({ modelDir: r.runDir, knn: true, k: 5, log: () => {} });
  assert.ok(ev.knn! > 0.2, `kNN ${ev.knn}`);
  // A run folder written before input_shape was recorded: the size comes from its transform.
  delete params.input_shape;
  new RunFolder(r.runDir).writeParams(params);
  const old = loadRun(r.runDir, undefined, [28, 28, 1]);
  assert.deepEqual(old.inputShape, [32, 32, 1]);
  old.model.dispose();
});

test('options are checked by name, as the notebook spells them', async () => {
  await initBackendFor('wasm');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-opt-'));
  await assert.rejects(Trainer.create({ ...tiny(dir), epochs: 1.5 }, quiet), /^OptionError: epochs must be a positive integer, got 1.5$/);
  await assert.rejects(Trainer.create({ ...tiny(dir), featureDim: 0 }, quiet), /featureDim must be a positive integer/);
  await assert.rejects(Trainer.create({ ...tiny(dir), loss: 'hinge' as 'ce' }, quiet), /unknown loss 'hinge'; available: mcr2, ce/);
  await assert.rejects(
    Trainer.createSelfSup({ ...tiny(dir), numAug: 200 }, quiet),
    /batchSize \(100\) must be at least the views per image \(200\)/,
  );
  await assert.rejects(
    Trainer.create({ ...tiny(dir), epo: 2 } as Partial<SupervisedOptions>, quiet),
    /unknown supervised training option epo/,
  );
});
