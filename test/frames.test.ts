// mcr2.frames: danfojs DataFrames of the library's rows. A run's CSV files read as frames hold the
// same numbers, bit for bit; the per-epoch summary (danfojs groupby) equals mcr2.plot.epochMeans;
// evaluations become one row per method; nb.table renders a frame. And danfojs-node stays out of
// `import 'mcr2'` (it loads mathjs, ~1.2 s of CPU) and changes no backend when it loads.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../lib/backend/backend.js';
import type { LossRow } from '../lib/loss/terms.js';
import { epochMeans } from '../lib/plot/figure.js';
import { ACCURACY_HEADER } from '../lib/runs/generate.js';
import { danfo, epochFrame, evaluationFrame, fromRows, LOSS_COLUMNS, lossFrame, readFrame, rowsOf } from '../lib/runs/frames.js';
import { lossesCsvText } from '../lib/runs/run_folder.js';
import { tslabChannel } from '../lib/plot/display.js';
import { showTable } from '../lib/plot/notebook.js';
import { ROOT } from './helpers.js';

function rows(epochs: number, steps: number): LossRow[] {
  const out: LossRow[] = [];
  for (let e = 0; e < epochs; e++)
    for (let s = 0; s < steps; s++) {
      const t = e * steps + s + 1;
      out.push({
        epoch: e,
        step: s,
        total: -Math.log(t + 1) / 3,
        discrimnLossE: 40 + Math.sqrt(t),
        compressLossE: 20 / t,
        discrimnLossT: 41 + Math.sqrt(t) / 7,
        compressLossT: 21 / t + 1e-9,
      });
    }
  return out;
}

test("import 'mcr2' does not load danfojs-node; loading it keeps the backend and the tfjs engine", () => {
  const script = `
    const mcr2 = require(${JSON.stringify(path.join(ROOT, 'dist', 'lib', 'index.js'))});
    const loaded = () => Object.keys(require.cache).some((k) => k.includes('danfojs-node'));
    const before = loaded();
    mcr2.initBackend().then(() => {
      const b = mcr2.tf.getBackend();
      const df = mcr2.frames.fromRows([{ a: 1 }]);
      const engine = require('danfojs-node').tensorflow.engine() === mcr2.tf.engine();
      console.log(JSON.stringify({ before, after: loaded(), backend: [b, mcr2.tf.getBackend()], engine, shape: df.shape }));
    });`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', cwd: ROOT });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.equal(out.before, false, "import 'mcr2' loaded danfojs-node");
  assert.equal(out.after, true);
  assert.equal(out.backend[1], out.backend[0], `the backend changed from ${out.backend[0]} to ${out.backend[1]}`);
  assert.equal(out.engine, true, "danfojs' tfjs is the library's engine");
  assert.deepEqual(out.shape, [1, 1]);
});

test("a run's losses.csv and accuracy.csv as frames: losses.csv's columns, the same numbers", async () => {
  await initBackend('cpu');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-frames-'));
  const r = rows(3, 5);
  fs.writeFileSync(path.join(dir, 'losses.csv'), lossesCsvText(r));
  fs.writeFileSync(path.join(dir, 'losses_test.csv'), lossesCsvText(rows(2, 4)));
  fs.writeFileSync(path.join(dir, 'accuracy.csv'), `${ACCURACY_HEADER}\n0,0.9,0.85\n5,0.95,0.9`);
  const df = readFrame(dir);
  assert.deepEqual(df.columns, [...LOSS_COLUMNS]);
  assert.deepEqual(df.shape, [15, 7]);
  const v = df.values as number[][];
  for (let i = 0; i < r.length; i++) {
    const x = r[i];
    // losses.csv holds repr-exact floats: the frame's numbers are the rows', bit for bit.
    assert.deepEqual(v[i], [x.epoch, x.step, x.total, x.discrimnLossE, x.compressLossE, x.discrimnLossT, x.compressLossT]);
  }
  assert.deepEqual(lossFrame(r).values, df.values);
  assert.deepEqual(readFrame(dir, 'losses_test').shape, [8, 7]);
  const acc = readFrame(dir, 'accuracy');
  assert.deepEqual(acc.columns, ['epoch', 'acc_train', 'acc_test']);
  assert.deepEqual(acc.values, [
    [0, 0.9, 0.85],
    [5, 0.95, 0.9],
  ]);
  // Per epoch: steps, each term's mean and ΔR, as epochMeans.
  const ep = epochFrame(df);
  assert.deepEqual(ep.columns, ['epoch', 'steps', ...LOSS_COLUMNS.slice(2), 'delta_r']);
  const m = epochMeans(r);
  const e = ep.values as number[][];
  assert.deepEqual(
    e.map((row) => row.slice(0, 2)),
    [
      [0, 5],
      [1, 5],
      [2, 5],
    ],
  );
  for (let i = 0; i < 3; i++) {
    assert.ok(Math.abs(e[i][7] - m.dR[i]) < 1e-12, `epoch ${i}: delta_r ${e[i][7]} vs ${m.dR[i]}`);
    const mean = r.filter((x) => x.epoch === i).reduce((a, x) => a + x.total, 0) / 5;
    assert.ok(Math.abs(e[i][2] - mean) < 1e-12);
  }
  assert.throws(() => readFrame(path.join(dir, 'nope')), /ENOENT|no such file/);
  assert.throws(() => lossFrame([]), /no rows yet/);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('evaluations, rows and rows by name as frames; nb.table shows a frame', () => {
  const ev = evaluationFrame({ knn: 0.99, nearsub: { svd: 0.98, pca: 0.97 }, svm: 0.991 }, { k: 10, nComp: 15 });
  assert.deepEqual(rowsOf(ev), [
    { method: 'kNN (k=10)', accuracy: 0.99 },
    { method: 'nearest subspace, SVD (15)', accuracy: 0.98 },
    { method: 'nearest subspace, PCA (15)', accuracy: 0.97 },
    { method: 'LinearSVC', accuracy: 0.991 },
  ]);
  const cl = evaluationFrame({ ce: 0.7, kmeans: { acc: 0.5, nmi: 0.4, ari: 0.3 } });
  assert.deepEqual(cl.columns, ['method', 'accuracy', 'nmi', 'ari']);
  assert.deepEqual(cl.values, [
    ['cross-entropy (argmax)', 0.7, Number.NaN, Number.NaN],
    ['k-means', 0.5, 0.4, 0.3],
  ]);
  assert.throws(() => evaluationFrame({}), /no scores/);
  const byName = fromRows({ smoke: { epochs: 1, lr: 0.05 }, cpu: { epochs: 2 } });
  assert.deepEqual(byName.index, ['smoke', 'cpu']);
  assert.deepEqual(byName.values, [
    [1, 0.05],
    [2, Number.NaN],
  ]);
  // danfojs does the work a pandas reader expects: sort, filter, group.
  const results = fromRows([
    { ratio: 0.6, loss: 'ce', acc: 0.75 },
    { ratio: 0, loss: 'mcr2', acc: 0.97 },
    { ratio: 0.6, loss: 'mcr2', acc: 0.92 },
    { ratio: 0, loss: 'ce', acc: 0.97 },
  ]);
  const sorted = results.sortValues('ratio');
  assert.deepEqual(sorted.column('ratio').values, [0, 0, 0.6, 0.6]);
  const byRatio = results.groupby(['ratio']).col(['acc']).min();
  assert.deepEqual(byRatio.values, [
    [0, 0.97],
    [0.6, 0.75],
  ]);
  assert.equal(danfo().DataFrame, (results as object).constructor);
  // nb.table: text and HTML of a frame, as of rows; outside a notebook the text is printed.
  assert.equal(tslabChannel(), undefined);
  const log = console.log;
  const lines: string[] = [];
  console.log = (s: string) => lines.push(s);
  try {
    showTable(ev, 'test accuracy');
  } finally {
    console.log = log;
  }
  assert.equal(
    lines[0],
    [
      'test accuracy',
      '   method                      accuracy',
      '0  kNN (k=10)                  0.9900',
      '1  nearest subspace, SVD (15)  0.9800',
      '2  nearest subspace, PCA (15)  0.9700',
      '3  LinearSVC                   0.9910',
    ].join('\n'),
  );
  tf.disposeVariables();
});
