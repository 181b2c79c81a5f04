// The committed notebooks/04_selfsup_clustering.ipynb (cpu-profile outputs): its clustering table
// must show what the notebook claims, both clusterings of the MCR²-CTRL features ahead of k-means on
// the raw pixels in NMI, and its outputs must hold no machine-specific path.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './helpers.js';

interface Output {
  output_type: string;
  text?: string[] | string;
  data?: Record<string, string[] | string>;
}

const joined = (v: string[] | string | undefined) => (Array.isArray(v) ? v.join('') : (v ?? ''));

test('04_selfsup_clustering: committed cpu outputs beat raw-pixel k-means in NMI', () => {
  const nb = JSON.parse(fs.readFileSync(path.join(ROOT, 'notebooks', '04_selfsup_clustering.ipynb'), 'utf8'));
  const outputs = nb.cells.flatMap((c: { outputs?: Output[] }) => c.outputs ?? []) as Output[];
  assert.ok(!outputs.some((o) => o.output_type === 'error'), 'no error outputs');
  const text = outputs
    .map(
      (o) =>
        joined(o.text) +
        Object.values(o.data ?? {})
          .map(joined)
          .join(''),
    )
    .join('\n');
  assert.match(text, /profiles \(this run: cpu\)/);
  assert.doesNotMatch(text, /\/work\/|\/tmp\/|\/home\//, 'machine-specific path in the outputs');
  const table = outputs.map((o) => joined(o.data?.['text/html'])).find((h) => h.includes('<caption>clustering '));
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
