// Every figure builder at the sizes the notebooks use (MNIST and CIFAR-sized image grids, 10-class
// matrices, the clustering pair) is at most MAX_FIGURE_WIDTH wide: it fits the classic Notebook's
// output area (~978 px) without a scrollbar, and JupyterLab's and VS Code's. The browser test
// (notebook_live.test.ts) checks the same on a live page.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { ImageDataset } from '../lib/data/dataset.js';
import { clusteringPairFigure, seriesFigure } from '../lib/plot/compare.js';
import { clusteringConfusionFigure, confusionFigure } from '../lib/plot/confusion.js';
import { cosineHistogramFigure, heatmapFigure, pcaEpochFigure, pcaFigure } from '../lib/plot/feature_figures.js';
import { accuracyCurveFigure, type Figure, lossFigure, lossLogFigure, MAX_FIGURE_WIDTH, trainTestFigure } from '../lib/plot/figure.js';
import { augmentationGrid } from '../lib/plot/grid.js';
import { nearestClassFigure, nearestSupFigure, nearestUnsupFigure } from '../lib/plot/nearest.js';

function images(n: number, h: number, w: number, c: number): ImageDataset {
  const data = new Uint8Array(n * h * w * c).map((_, i) => (i * 37) % 251);
  const labels = Int32Array.from({ length: n }, (_, i) => i % 10);
  return {
    name: 'synthetic',
    split: 'train',
    images: data,
    labels,
    n,
    height: h,
    width: w,
    channels: c,
    numClasses: 10,
    classes: [...'0123456789'],
    source: 'test',
  };
}

test('no figure is wider than a notebook output area (MAX_FIGURE_WIDTH)', () => {
  assert.ok(MAX_FIGURE_WIDTH <= 978);
  const rows = Array.from({ length: 40 }, (_, t) => ({
    epoch: Math.floor(t / 10),
    step: t % 10,
    total: -t,
    discrimnLossE: 40 + t,
    compressLossE: 20,
    discrimnLossT: 40 + t,
    compressLossT: 20,
  }));
  const ten = Array.from({ length: 10 }, (_, i) => Array.from({ length: 10 }, (_, j) => (i === j ? 90 : i + j)));
  const pred = Int32Array.from({ length: 500 }, (_, i) => (i * 7) % 10);
  const labels = Int32Array.from({ length: 500 }, (_, i) => i % 10);
  const idx10 = Array.from({ length: 10 }, (_, r) => Array.from({ length: 10 }, (_, c) => r * 10 + c));
  const val10 = idx10.map((r) => r.map((v) => v / 100));
  const figs: Record<string, Figure> = {
    loss: lossFigure(rows),
    loss_log: lossLogFigure(rows),
    traintest: trainTestFigure(rows, rows),
    acc: accuracyCurveFigure([{ epoch: 0, accTrain: 0.9, accTest: 0.8 }]),
    pca: pcaFigure({
      all: [3, 2, 1],
      perClass: [
        [2, 1],
        [1, 0.5],
      ],
    }),
    pca_epoch: pcaEpochFigure([{ epoch: 0, values: [3, 2, 1] }]),
    hist: cosineHistogramFigure({ i: 0, j: 1, counts: [1, 2, 3], edges: [-1, 0, 0.5, 1], total: 6 }),
    heat: heatmapFigure({
      z: Float32Array.from(ten.flat(), (v) => v / 100),
      res: 10,
      bounds: Int32Array.from({ length: 11 }, (_, i) => i),
      offsets: Int32Array.from({ length: 11 }, (_, i) => i),
      n: 10,
    }),
    confusion: confusionFigure(ten, [...'0123456789']),
    clustering: clusteringConfusionFigure(pred, labels, { title: 'k-means' }).figure,
    clustering_pair: clusteringPairFigure({ pred, labels, title: 'a' }, { pred, labels, title: 'b' }, { title: 'pair' }).figure,
    series: seriesFigure([{ r: 0, a: 1, b: 2 }], { x: 'r', y: ['a', 'b'], title: 's' }),
    // notebook 01's nearest-component grid (MNIST 28x28, 10 x 10 with row labels) was 1004 px
    nearcomp_sup_mnist: nearestSupFigure(images(100, 28, 28, 1), idx10, val10, [...'0123456789']),
    nearcomp_sup_cifar: nearestSupFigure(images(100, 32, 32, 3), idx10, val10, [
      'airplane',
      'automobile',
      'bird',
      'cat',
      'deer',
      'dog',
      'frog',
      'horse',
      'ship',
      'truck',
    ]),
    nearcomp_unsup: nearestUnsupFigure(images(100, 32, 32, 3), 0, idx10[0], val10[0]),
    nearcomp_class: nearestClassFigure(images(100, 32, 32, 3), 3, idx10, val10, 'cat'),
    augment_mnist: augmentationGrid(images(10, 28, 28, 1), 'mnist', { images: 5, views: 9 }),
    augment_cifar: augmentationGrid(images(10, 32, 32, 3), 'cifar', { images: 5, views: 12 }),
  };
  for (const [name, fig] of Object.entries(figs)) {
    const w = Number(fig.layout.width ?? 760);
    assert.ok(w <= MAX_FIGURE_WIDTH, `${name}: ${w} px wide`);
    assert.ok(Number.isInteger(w) && Number.isInteger(Number(fig.layout.height ?? 440)), `${name}: whole pixels`);
  }
  // A grid that had to shrink keeps its proportions and its labels inside the figure.
  const sup = figs.nearcomp_sup_mnist;
  assert.ok(Number(sup.layout.width) >= MAX_FIGURE_WIDTH - 20, `${sup.layout.width}: shrunk only as far as needed`);
});
