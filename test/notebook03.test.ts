// The committed notebooks/03_label_corruption.ipynb (cpu-profile outputs): its table must show the
// paper's claim, at the highest corruption ratio MCR²'s nearest subspace and SVM ahead of
// cross-entropy, and its outputs must hold no machine-specific path.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { committedNotebook } from './committed_notebook.js';

test('03_label_corruption: committed cpu outputs show MCR² ahead of cross-entropy at the highest ratio', () => {
  const { outputs, text, table: tableOf } = committedNotebook('03_label_corruption.ipynb');
  assert.ok(!outputs.some((o) => o.output_type === 'error'), 'no error outputs');
  assert.match(text, /profile cpu: /);
  assert.doesNotMatch(text, /\/work\/|\/tmp\/|\/home\//, 'machine-specific path in the outputs');
  const table = tableOf('MNIST test accuracy under label corruption');
  assert.ok(table, 'accuracy table');
  const header = [...table.matchAll(/<th>([^<]+)<\/th>/g)].map((m) => m[1]);
  assert.deepEqual(header.slice(0, 6), ['ratio', 'labels changed', 'MCR² kNN', 'MCR² nearest subspace', 'MCR² SVM', 'CE']);
  const rows = [...table.matchAll(/<tr><th>\d+<\/th>((?:<td>[\d.]+<\/td>){6})<\/tr>/g)].map((m) =>
    [...m[1].matchAll(/<td>([\d.]+)<\/td>/g)].map((c) => Number(c[1])),
  );
  assert.ok(rows.length >= 3, `${rows.length} ratios`);
  for (let i = 1; i < rows.length; i++) assert.ok(rows[i][0] > rows[i - 1][0], 'ratios ascending');
  const [ratio, changed, , nearsub, svm, ce] = rows[rows.length - 1];
  assert.ok(ratio >= 0.5 && changed > 0, `highest ratio ${ratio}, ${changed} labels changed`);
  assert.ok(nearsub > ce, `nearest subspace ${nearsub} vs CE ${ce} at ratio ${ratio}`);
  assert.ok(svm > ce, `SVM ${svm} vs CE ${ce} at ratio ${ratio}`);
  assert.ok(rows[0][5] > 0.9, `CE learns clean labels: ${rows[0][5]}`);
  assert.match(text, /this run: \d+\.\d min on \d+ cores/);
});
