// The numbers behind the plot.py figures against numpy / scikit-learn on a committed fixture
// (scripts/fixtures/make_plot_data.py): per-class singular values, cosine histograms, heat-map
// cells, nearest-component image indices, the moving mean and the clustering confusion matrix.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { initBackend } from '../lib/accel/backend.js';
import { readNpz } from '../lib/io/npz.js';
import { clusteringConfusionFigure } from '../lib/plot/confusion.js';
import {
  absGramGrid,
  classSingularValues,
  cosineHistograms,
  gatherRows,
  histogram,
  nearestPerComponent,
  nearestToComponents,
  sortByClass,
} from '../lib/features/analysis.js';
import { movingAverage } from '../lib/plot/figure.js';
import { fixture } from './helpers.js';

const ref = JSON.parse(fs.readFileSync(fixture('plot_data.json'), 'utf8'));
const z = readNpz(fixture('plot_data.npz'));
const X = z.features.data as Float32Array;
const y = Int32Array.from(z.labels.data);
const pred = Int32Array.from(z.pred.data);
const D: number = ref.dim;
const F = { features: X, labels: y, n: y.length, dim: D };

const close = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test('per-class PCA singular values (centred) match sklearn PCA', () => {
  const s = classSingularValues(F, ref.pca.comp);
  assert.equal(s.perClass.length, ref.classes);
  s.perClass.forEach((v, c) => {
    assert.equal(v.length, ref.pca.comp);
    v.forEach((x, k) => close(x, ref.pca.per_class[c][k], 1e-5, `class ${c} sv ${k}`));
  });
  s.all.forEach((x, k) => close(x, ref.pca.all[k], 1e-4, `all sv ${k}`));
});

test('histogram follows np.histogram (range, edges, last bin closed)', () => {
  const h = histogram(ref.histogram.values, ref.histogram.bins);
  assert.deepEqual(h.counts, ref.histogram.counts);
  h.edges.forEach((e, k) => close(e, ref.histogram.edges[k], 1e-12, `edge ${k}`));
});

test('cosine histograms per class pair match numpy (40 bins, strict upper triangle within a class)', async () => {
  await initBackend('cpu');
  const hs = await cosineHistograms(F, { bins: 40, chunk: 13 });
  assert.equal(hs.length, ref.hist.length);
  let moved = 0;
  for (const [k, h] of hs.entries()) {
    const r = ref.hist[k];
    assert.deepEqual([h.i, h.j, h.total], [r.i, r.j, r.total]);
    assert.equal(
      h.counts.reduce((a, b) => a + b, 0),
      r.total,
    );
    h.edges.forEach((e, b) => close(e, r.edges[b], 1e-6, `pair ${h.i}v${h.j} edge ${b}`));
    // float32 products may differ from numpy's in the last bit: a cosine right at an edge may move.
    for (let b = 0; b < 40; b++) moved += Math.abs(h.counts[b] - r.counts[b]);
  }
  assert.ok(moved <= 4, `${moved} counts differ from numpy's`);
});

test('heat map cells are the exact block means of |ZZᵀ| (items sorted by class)', async () => {
  await initBackend('cpu');
  const g = await absGramGrid(F, ref.heat.res, { chunk: 50 });
  assert.equal(g.res, ref.heat.res);
  assert.deepEqual(Array.from(g.bounds), ref.heat.bounds);
  for (let a = 0; a < g.res; a++) for (let b = 0; b < g.res; b++) close(g.z[a * g.res + b], ref.heat.z[a][b], 2e-6, `cell ${a},${b}`);
  // At full resolution the grid is |ZZᵀ| itself.
  const full = await absGramGrid({ features: X.subarray(0, 20 * D), labels: y.subarray(0, 20), n: 20, dim: D }, 1000);
  assert.equal(full.res, 20);
  const co = sortByClass(y.subarray(0, 20), ref.classes);
  const s = gatherRows(X, D, co.order);
  let dot = 0;
  for (let k = 0; k < D; k++) dot += s[2 * D + k] * s[5 * D + k];
  close(full.z[2 * 20 + 5], Math.abs(dot), 1e-6, 'full-resolution entry');
});

test('nearest-component image indices match sklearn TruncatedSVD', () => {
  const sup = nearestPerComponent(F, 10);
  assert.deepEqual(sup.index, ref.nearcomp_sup);
  const un = nearestToComponents(F, 5, 10);
  ref.nearcomp_unsup.forEach((r: { index: number[]; absproj: number[] }, j: number) => {
    assert.deepEqual(un.index[j], r.index, `component ${j}`);
    un.value[j].forEach((v, k) => close(Math.abs(v), r.absproj[k], 1e-5, `component ${j} projection ${k}`));
  });
  const co = sortByClass(y);
  const c = ref.nearcomp_class.class;
  const members = co.order.subarray(co.offsets[c], co.offsets[c + 1]);
  const cl = nearestToComponents({ features: gatherRows(X, D, members), n: members.length, dim: D }, 8, 10);
  ref.nearcomp_class.rows.forEach((r: { index: number[] }, j: number) =>
    assert.deepEqual(
      cl.index[j].map((i) => members[i]),
      r.index,
      `class ${c} component ${j}`,
    ),
  );
});

test('moving mean over [i−9, i+9] as the official', () => {
  movingAverage(ref.moving_average.input).forEach((v, i) => close(v, ref.moving_average.output[i], 1e-12, `i ${i}`));
});

test('clustering confusion: Hungarian-matched columns, ACC/NMI/ARI as scipy/sklearn', () => {
  const r = clusteringConfusionFigure(pred, y, { title: 'k-means' });
  const c = ref.confusion;
  close(r.acc, c.acc, 1e-12, 'ACC');
  close(r.nmi, c.nmi, 1e-9, 'NMI');
  close(r.ari, c.ari, 1e-9, 'ARI');
  // Column k holds the cluster assigned to class k; the diagonal sums to ACC·N.
  const colOfClass = new Map<number, number>(c.assign_rows.map((row: number, k: number) => [row, c.matrix_cols[c.assign_cols[k]]]));
  c.matrix_rows.forEach((cls: number, k: number) => assert.equal(r.clusterOrder[k], colOfClass.get(k), `class ${cls}`));
  let diag = 0;
  for (let k = 0; k < r.matrix.length; k++) diag += r.matrix[k][k];
  assert.equal(diag, Math.round(c.acc * ref.n));
  // Every count is there: rows are the contingency rows, columns permuted.
  r.matrix.forEach((row, a) =>
    assert.deepEqual(
      [...row].sort((p, q) => p - q),
      [...c.counts[a]].sort((p: number, q: number) => p - q),
    ),
  );
  assert.match(String((r.figure.layout.title as { text: string }).text), /ACC 0\.\d{4}, NMI 0\.\d{4}, ARI 0\.\d{4}/);
  assert.equal(r.clusterOrder.length, c.matrix_cols.length);
});
