// Every plot.py figure rendered to PNG by headless Chromium and looked at: the right size, not
// blank (pixel variance above a floor), a title in the JSON and ink in the PNG's title band. Then
// `mcr2 generate` and `mcr2 plot` with every official flag on a tiny run folder.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { initBackend } from '../lib/backend/backend.js';
import type { ImageDataset } from '../lib/data/dataset.js';
import { readNpz } from '../lib/io/npz.js';
import { clusteringConfusionFigure, confusionFigure } from '../lib/plot/confusion.js';
import { absGramGrid, classSingularValues, cosineHistograms, nearestPerComponent, nearestToComponents } from '../lib/plot/data.js';
import { cosineHistogramFigure, heatmapFigure, pcaEpochFigure, pcaFigure } from '../lib/plot/feature_figures.js';
import { accuracyCurveFigure, type Figure, figureTitle, lossFigure, lossLogFigure, trainTestFigure } from '../lib/plot/figure.js';
import { nearestClassFigure, nearestSupFigure, nearestUnsupFigure } from '../lib/plot/nearest.js';
import { closeRenderer, figurePng, findChromium } from '../lib/plot/render.js';
import type { LossRow } from '../lib/runs/run_folder.js';
import { fixture, ROOT } from './helpers.js';

const haveChromium = findChromium() !== undefined;
const skip = haveChromium ? false : 'Chromium is not installed (apt-get install chromium)';

/** What a look at a PNG finds: size, luminance variance, dark pixels in the top band. */
export function lookAtPng(
  buf: Uint8Array,
  titleBand: number,
): { width: number; height: number; variance: number; titleInk: number; colour: number } {
  const png = PNG.sync.read(Buffer.from(buf));
  const { width, height, data } = png;
  let s = 0;
  let s2 = 0;
  let ink = 0;
  let colour = 0;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      const l = 0.299 * data[o] + 0.587 * data[o + 1] + 0.114 * data[o + 2];
      s += l;
      s2 += l * l;
      if (y < titleBand && l < 160) ink++;
      if (Math.max(data[o], data[o + 1], data[o + 2]) - Math.min(data[o], data[o + 1], data[o + 2]) > 60) colour++;
    }
  const n = width * height;
  return { width, height, variance: s2 / n - (s / n) ** 2, titleInk: ink, colour: colour / n };
}

function syntheticImages(n: number, labels: Int32Array): ImageDataset {
  const h = 10;
  const w = 10;
  const images = new Uint8Array(n * h * w);
  for (let i = 0; i < n; i++) for (let p = 0; p < h * w; p++) images[i * h * w + p] = ((i * 37 + p * (labels[i] + 3)) % 17) * 15;
  return {
    name: 'synthetic',
    split: 'train',
    images,
    labels,
    n,
    height: h,
    width: w,
    channels: 1,
    numClasses: 10,
    classes: [...'0123456789'],
    source: 'test',
  };
}

function lossRows(epochs: number, steps: number): LossRow[] {
  const rows: LossRow[] = [];
  for (let e = 0; e < epochs; e++)
    for (let s = 0; s < steps; s++) {
      const t = e * steps + s;
      const R = 40 + 20 * (1 - Math.exp(-t / 30));
      const Rc = 25 - 5 * (1 - Math.exp(-t / 50));
      rows.push({
        epoch: e,
        step: s,
        total: -(R - Rc),
        discrimnLossE: R,
        compressLossE: Rc,
        discrimnLossT: R + 0.1,
        compressLossT: Rc + 0.1,
      });
    }
  return rows;
}

test('every figure renders to a PNG of its size, not blank, with its title drawn', { skip }, async () => {
  await initBackend('cpu');
  const z = readNpz(fixture('plot_data.npz'));
  const X = z.features.data as Float32Array;
  const y = Int32Array.from(z.labels.data);
  const pred = Int32Array.from(z.pred.data);
  const D = 16;
  const ds = syntheticImages(y.length, y);
  const rows = lossRows(4, 25);
  const hs = await cosineHistograms(X, y, D);
  const sup = nearestPerComponent(X, y, D, 10);
  const un = nearestToComponents(X, D, 2, 10);
  const spectra = classSingularValues(X, y, D, 8);
  const figs: Record<string, Figure> = {
    loss: lossFigure(rows, 'theoretical'),
    loss_log: lossLogFigure(rows),
    traintest: trainTestFigure(rows, lossRows(4, 5)),
    acc: accuracyCurveFigure([0, 5, 10, 15].map((e) => ({ epoch: e, accTrain: 0.9 + e / 200, accTest: 0.88 + e / 250 }))),
    pca: pcaFigure(spectra),
    pca_epoch: pcaEpochFigure([
      { epoch: 0, values: spectra.all },
      { epoch: 3, values: spectra.perClass[0] },
    ]),
    hist: cosineHistogramFigure(hs[1]),
    heat: heatmapFigure(await absGramGrid(X, y, D, 50)),
    nearcomp_sup: nearestSupFigure(ds, sup.index, sup.value),
    nearcomp_unsup: nearestUnsupFigure(ds, 0, un.index[0], un.value[0]),
    nearcomp_class: nearestClassFigure(ds, 3, [un.index[0], un.index[1]], [un.value[0], un.value[1]]),
    confusion: confusionFigure(
      [
        [50, 0, 2],
        [0, 40, 0],
        [3, 0, 45],
      ],
      ['a', 'b', 'c'],
    ),
    clustering: clusteringConfusionFigure(pred, y, { title: 'k-means' }).figure,
  };
  try {
    for (const [name, fig] of Object.entries(figs)) {
      assert.ok(figureTitle(fig).length > 5, `${name}: JSON title`);
      const png = await figurePng(fig);
      const top = Number((fig.layout.margin as { t?: number } | undefined)?.t ?? 100);
      const look = lookAtPng(png, top * 2);
      assert.equal(look.width, Number(fig.layout.width ?? 760) * 2, `${name}: width`);
      assert.equal(look.height, Number(fig.layout.height ?? 440) * 2, `${name}: height`);
      // Not blank: the data drawn. Axes, grid and title alone are grey and give a luminance variance
      // of about 250, so a sparse line chart (the 4-point accuracy curve: 289) is told apart by its
      // coloured pixels (the traces); grey image grids by their variance.
      assert.ok(
        look.variance > 300 || look.colour > 0.002,
        `${name}: blank? luminance variance ${look.variance.toFixed(0)}, ${(look.colour * 100).toFixed(2)}% coloured pixels`,
      );
      assert.ok(look.titleInk > 200, `${name}: no title drawn (${look.titleInk} dark pixels in the top ${top * 2} rows)`);
      // The spec survives JSON (what <name>.json holds) unchanged.
      assert.deepEqual(JSON.parse(JSON.stringify(fig)).layout.title, fig.layout.title);
    }
  } finally {
    await closeRenderer();
  }
});

test('confusion colours: a zero cell is white and blank, the largest count darkest', () => {
  const fig = confusionFigure(
    [
      [9, 0],
      [1, 5],
    ],
    ['0', '1'],
  );
  const t = fig.data[0] as { colorscale: Array<[number, string]>; zmin: number; zmax: number; text: string[][] };
  assert.deepEqual(t.colorscale[0], [0, '#ffffff']);
  assert.equal(t.zmin, 0);
  assert.equal(t.zmax, 9);
  assert.equal(t.text[0][1], '');
  assert.equal(t.colorscale[t.colorscale.length - 1][1], '#08306b');
});

const CLI = path.join(ROOT, 'dist', 'lib', 'cli', 'main.js');
const cli = (args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, MCR2_REQUIRE_PNG: '1' } });

test('mcr2 generate --test --train_acc, then mcr2 plot with every official flag on a tiny run', { skip }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-fig-'));
  const t = cli([
    'train-sup',
    '--arch',
    'cnn-small',
    '--data',
    'mnist',
    '--fd',
    '16',
    '--epo',
    '2',
    '--bs',
    '100',
    '--lr',
    '0.05',
    '--transform',
    'test',
    '--subset',
    '300',
    '--save_dir',
    dir,
  ]);
  assert.equal(t.status, 0, t.stderr);
  const runDir = path.join(dir, fs.readdirSync(dir)[0]);
  const g = cli(['generate', '--model_dir', runDir, '--test', '--train_acc']);
  assert.equal(g.status, 0, g.stderr);
  const test = fs.readFileSync(path.join(runDir, 'losses_test.csv'), 'utf8').split('\n');
  assert.equal(test[0], 'epoch,step,loss,discrimn_loss_e,compress_loss_e,discrimn_loss_t,compress_loss_t');
  assert.equal(test.length, 1 + 2 * 100, 'two checkpoints x 100 test batches of 100');
  assert.match(test[200], /^1,99,-?\d/);
  const acc = fs.readFileSync(path.join(runDir, 'accuracy.csv'), 'utf8').split('\n');
  assert.equal(acc[0], 'epoch,acc_train,acc_test');
  assert.equal(acc.length, 2, 'epoch 0 only (every 5th)');
  const [, accTrain, accTest] = acc[1].split(',').map(Number);
  assert.ok(accTrain > 0.5 && accTest > 0.4, acc[1]);
  const flags = [
    'loss',
    'loss_log',
    'pca',
    'pca_epoch',
    'hist',
    'heat',
    'traintest',
    'acc',
    'nearcomp_sup',
    'nearcomp_unsup',
    'nearcomp_class',
  ];
  const p = cli(['plot', '--model_dir', runDir, ...flags.map((f) => `--${f}`), '--comp', '3', '--class_', '1', '--heat_res', '100']);
  assert.equal(p.status, 0, p.stderr);
  const expect = [
    'loss/loss_theoretical',
    'loss/loss_empirical',
    'loss_log/loss_theoretical',
    'pca/pca_classVclass_epoch1',
    'pca/pca_class1',
    'hist/hist_0v0',
    'hist/hist_3v9',
    'hist/hist_9v9',
    'heatmaps/heatmat_epoch1',
    'traintest/loss_traintest',
    'acc/acc_traintest',
    'nearcomp_sup/nearest_data',
    'nearcomp_unsup/nearest_comp0',
    'nearcomp_unsup/nearest_comp2',
    'nearcomp_class/nearest_class1',
  ];
  for (const e of expect)
    for (const ext of ['png', 'html', 'json']) assert.ok(fs.existsSync(path.join(runDir, 'figures', `${e}.${ext}`)), `${e}.${ext}`);
  assert.equal(fs.readdirSync(path.join(runDir, 'figures', 'hist')).filter((f) => f.endsWith('.png')).length, 55);
  assert.ok(!fs.existsSync(path.join(runDir, 'figures', 'nearcomp_unsup', 'nearest_comp3.png')), '--comp 3 draws 3 components');
  const heat = JSON.parse(fs.readFileSync(path.join(runDir, 'figures', 'heatmaps', 'heatmat_epoch1.json'), 'utf8'));
  assert.equal(heat.data[0].z.length, 100);
  // Diagonal cells (same class, near each other) are more similar than the average cell.
  const zz: number[][] = heat.data[0].z;
  const diag = zz.reduce((s, r, i) => s + r[i], 0) / 100;
  const mean = zz.flat().reduce((s, v) => s + v, 0) / 10000;
  assert.ok(diag > mean, `diagonal ${diag} vs mean ${mean}`);
  assert.match(p.stdout, /Plot saved to: .*heatmat_epoch1\.png/);
  // evaluate --kmeans --save also saves the Hungarian-matched confusion matrix.
  const e = cli(['evaluate', '--model_dir', runDir, '--kmeans', '--save']);
  assert.equal(e.status, 0, e.stderr);
  const conf = JSON.parse(fs.readFileSync(path.join(runDir, 'figures', 'clustering', 'kmeans_epoch1.json'), 'utf8'));
  assert.match(conf.layout.title.text, /^k-means on the train features: ACC 0\.\d{4}, NMI 0\.\d{4}, ARI -?0\.\d{4}$/);
  assert.ok(fs.existsSync(path.join(runDir, 'figures', 'clustering', 'kmeans_epoch1.png')));
});
