// The committed CIFAR-10 notebooks (cpu-profile outputs) and their headline numbers: 05's
// supervised accuracies on all 10,000 test images, 06's corruption table with cross-entropy's
// features judged like MCR²'s, 07's clustering table with the pixels' k-means and EnSC beside;
// each under 15 minutes on 2 cores, every figure a PNG, no machine path.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { committedNotebook } from './committed_notebook.js';

/** The numbers in the cells of an HTML table, row by row (header row excluded). */
function tableRows(html: string): string[][] {
  return [...html.matchAll(/<tr><th>[^<]*<\/th>(.*?)<\/tr>/g)]
    .map((m) => [...m[1].matchAll(/<td>([^<]*)<\/td>/g)].map((c) => c[1]))
    .filter((r) => r.length > 0);
}

function common(file: string, figures: number) {
  const nb = committedNotebook(file);
  assert.ok(!nb.outputs.some((o) => o.output_type === 'error'), 'no error outputs');
  assert.match(nb.text, /profile: cpu/);
  assert.doesNotMatch(nb.text, /\/work\/|\/tmp\/|\/home\//, 'machine-specific path in the outputs');
  const pngs = nb.outputs.filter((o) => o.data?.['image/png'] !== undefined).length;
  assert.equal(pngs, figures, `${figures} figures as PNG`);
  const t = nb.text.match(/this run: (\d+\.\d) min on 2 cores \(cpu profile\)/);
  assert.ok(t, 'the closing time line');
  assert.ok(Number(t[1]) <= 15, `${t[1]} min on 2 cores`);
  return nb;
}

test('05_cifar10_supervised: all of CIFAR-10, 4 epochs; accuracies of both batch-norm statistics and the pixels', () => {
  const nb = common('05_cifar10_supervised.ipynb', 5);
  assert.match(nb.text, /data: cifar10 train, 50000 images 32x32x3 from \$MCR2_DATA_DIR\//);
  assert.match(nb.text, /epoch 4\/4 /);
  const table = nb.table('CIFAR-10 test accuracy, 10000 test images, trained on 50000');
  assert.ok(table, 'accuracy table');
  const rows = tableRows(table);
  assert.equal(rows.length, 3);
  const [running, recal, pixels] = rows.map((r) => r.slice(1).map(Number));
  for (const a of [...running, ...recal]) assert.ok(a > 0.5 && a < 1, `feature accuracy ${a}`);
  assert.ok(pixels[0] > 0.2 && pixels[0] < 0.4, `kNN on pixels ${pixels[0]}`);
  assert.ok(Math.max(...recal) > pixels[0] + 0.15, 'the features beat the pixels');
  // The headline (issue 18): nearest subspace and the SVM at 0.60 or more on all 10,000 test images.
  assert.ok(recal[1] >= 0.6 && recal[2] >= 0.6, `nearest subspace ${recal[1]}, SVM ${recal[2]}`);
  assert.ok(running[1] >= 0.6 && running[2] >= 0.6, `running statistics: nearest subspace ${running[1]}, SVM ${running[2]}`);
});

test('06_cifar10_label_corruption: MCR² and CE (its features and its classifier) at ratios 0, 0.2, 0.5', () => {
  const nb = common('06_cifar10_label_corruption.ipynb', 1);
  const table = nb.table('CIFAR-10 test accuracy under label corruption (cpu profile, 8000 training images)');
  assert.ok(table, 'corruption table');
  const rows = tableRows(table).map((r) => r.map(Number));
  assert.deepEqual(
    rows.map((r) => r[0]),
    [0, 0.2, 0.5],
  );
  assert.equal(rows[0][1], 0, 'no label changed at ratio 0');
  assert.ok(rows[2][1] > 3000 && rows[2][1] < 4000, `labels changed at 0.5: ${rows[2][1]}`);
  for (const r of rows) for (const a of r.slice(2)) assert.ok(a > 0.15 && a < 1, `accuracy ${a}`);
  const verdict = nb.text.match(/at ratio 0\.5: MCR²'s best ([\d.]+) vs cross-entropy's best ([\d.]+) .*: MCR² is (ahead|NOT ahead)/);
  assert.ok(verdict, 'the verdict line at the highest ratio');
  // Columns: ratio, labels changed, MCR² kNN / nearest subspace / SVM, CE kNN / nearest subspace / SVM, CE classifier.
  const top = rows[2];
  assert.equal(Number(verdict[1]), Math.max(top[2], top[3], top[4]));
  assert.equal(Number(verdict[2]), Math.max(top[5], top[6], top[7], top[8]));
  assert.equal(verdict[3], Number(verdict[1]) > Number(verdict[2]) ? 'ahead' : 'NOT ahead');
  // The committed cpu run (2026-12-02): cross-entropy ahead at laptop size, at 0.5 as at 0.
  assert.equal(verdict[3], 'NOT ahead');
});

test('07_cifar10_selfsup_clustering: MCR²-CTRL k-means and EnSC beside the pixels, confusion matrices', () => {
  const nb = common('07_cifar10_selfsup_clustering.ipynb', 4);
  const table = nb.table('clustering 2000 CIFAR-10 training images into 10 clusters (cpu profile');
  assert.ok(table, 'clustering table');
  const rows = tableRows(table);
  assert.deepEqual(
    rows.map((r) => r[0]),
    ['raw pixels, k-means', 'raw pixels, EnSC', 'MCR²-CTRL features, k-means', 'MCR²-CTRL features, EnSC'],
  );
  for (const r of rows) for (const v of r.slice(2).map(Number)) assert.ok(v >= 0 && v < 1, `score ${v}`);
  // The committed cpu run: the learned features ahead of the pixels by NMI, with k-means and with EnSC.
  const nmi = rows.map((r) => Number(r[3]));
  assert.ok(nmi[2] > nmi[0], `k-means NMI: features ${nmi[2]} vs pixels ${nmi[0]}`);
  assert.ok(nmi[3] > nmi[1], `EnSC NMI: features ${nmi[3]} vs pixels ${nmi[1]}`);
});
