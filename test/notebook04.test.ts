// The committed notebooks/04_selfsup_clustering.ipynb (cpu-profile outputs): its clustering table
// must show what the notebook claims, both clusterings of the MCR²-CTRL features ahead of k-means on
// the raw pixels in NMI, and its outputs must hold no machine-specific path.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { committedNotebook } from './committed_notebook.js';

test('04_selfsup_clustering: committed cpu outputs beat raw-pixel k-means in NMI', () => {
  const { outputs, text, table: tableOf } = committedNotebook('04_selfsup_clustering.ipynb');
  assert.ok(!outputs.some((o) => o.output_type === 'error'), 'no error outputs');
  assert.match(text, /profiles \(this run: cpu\)/);
  assert.doesNotMatch(text, /\/work\/|\/tmp\/|\/home\//, 'machine-specific path in the outputs');
  const table = tableOf('clustering ');
  assert.ok(table, 'clustering table');
  const rows = new Map<string, number[]>();
  for (const m of table.matchAll(
    /<tr><th>\d+<\/th><td>([^<]+)<\/td><td>(\d+)<\/td><td>([\d.]+)<\/td><td>([\d.]+)<\/td><td>([\d.]+)<\/td><\/tr>/g,
  ))
    rows.set(m[1], [Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])]);
  const raw = rows.get('raw pixels, k-means');
  const km = rows.get('MCR²-CTRL features, k-means');
  const ensc = rows.get('MCR²-CTRL features, EnSC');
  assert.ok(raw && km && ensc, `table rows: ${[...rows.keys()].join('; ')}`);
  assert.equal(km[0], raw[0], 'k-means on the same images');
  const rawSame = rows.get('raw pixels, k-means (same rows as EnSC)') ?? raw;
  assert.equal(ensc[0], rawSame[0], 'EnSC scored beside raw-pixel k-means on the same rows');
  assert.ok(km[2] > raw[2], `k-means NMI ${km[2]} vs raw pixels ${raw[2]}`);
  assert.ok(ensc[2] > rawSame[2], `EnSC NMI ${ensc[2]} vs raw pixels ${rawSame[2]}`);
  assert.match(text, /this run: \d+\.\d min on \d+ cores \(cpu profile\)/);
});
