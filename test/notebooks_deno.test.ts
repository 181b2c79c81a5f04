// Deno's Jupyter kernel (`deno jupyter`, the binary of the npm package `deno`, a devDependency):
// notebooks 00 and 01 executed headless at the smoke profile through `npm run notebooks -- --kernel
// deno`, figures included. The library is the same build (Deno runs dist/'s CommonJS with
// package.json's "type": "commonjs"); the wasm backend, its worker threads, plotly figures rendered
// to PNG by Chromium through playwright-core, and the display adapter's Deno.jupyter path all run.
// docs/notebooks.md has the verdict. Full tier: it needs Jupyter (nbconvert, nbclient) and Chromium.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findChromium } from '../lib/plot/render.js';
import { jupyterExe } from '../scripts/jupyter.js';
import { denoBinary } from '../scripts/run-notebooks.js';
import { ROOT } from './helpers.js';

const skip =
  jupyterExe() === undefined
    ? 'Jupyter (nbconvert) is not installed'
    : findChromium() === undefined
      ? 'Chromium is not installed'
      : denoBinary(ROOT) === undefined
        ? 'the npm package deno is not installed (npm install)'
        : false;

type Output = { output_type: string; text?: string[] | string; data?: Record<string, unknown>; ename?: string; evalue?: string };

test('notebooks 00 and 01 run on the Deno kernel (smoke profile), figures included', { skip, timeout: 30 * 60 * 1000 }, () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-deno-'));
  const r = spawnSync(
    process.execPath,
    [path.join(ROOT, 'dist', 'scripts', 'run-notebooks.js'), '--kernel', 'deno', '00_toy', '01_supervised', '--out', path.join(tmp, 'out')],
    {
      encoding: 'utf8',
      env: {
        ...process.env,
        MCR2_PROFILE: 'smoke',
        MCR2_REQUIRE_PNG: '1',
        MCR2_FIGURES_DIR: path.join(tmp, 'figures'),
        MCR2_SAVE_DIR: path.join(tmp, 'runs'),
      },
    },
  );
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /▶ 00_toy\.ipynb \(MCR2_PROFILE=smoke, kernel deno\)/);
  for (const [name, figures] of [
    ['00_toy', 6],
    ['01_supervised', 12],
  ] as const) {
    const nb = JSON.parse(fs.readFileSync(path.join(tmp, 'out', `${name}.ipynb`), 'utf8'));
    // nbclient records the kernel that ran it: Deno's.
    assert.match(JSON.stringify(nb.metadata.language_info), /typescript/);
    const outputs = nb.cells.flatMap((c: { outputs?: Output[] }) => c.outputs ?? []) as Output[];
    const errors = outputs.filter((o) => o.output_type === 'error').map((o) => `${o.ename}: ${o.evalue}`);
    assert.deepEqual(errors, [], `${name}: error outputs`);
    const text = outputs
      .filter((o) => o.output_type === 'stream')
      .map((o) => (Array.isArray(o.text) ? o.text.join('') : o.text))
      .join('');
    assert.match(text, /backend: wasm via @tensorflow\/tfjs-backend-wasm/, `${name}: the wasm backend`);
    // Figures: one bundle each, interactive (plotly JSON and HTML) with the PNG beside.
    const figs = outputs.filter((o) => o.output_type === 'display_data' && o.data?.['application/vnd.plotly.v1+json'] !== undefined);
    assert.ok(figs.length >= figures, `${name}: ${figs.length} figures`);
    for (const f of figs) assert.ok(typeof f.data!['image/png'] === 'string' && String(f.data!['text/html']).includes('Plotly.newPlot'));
    if (name === '01_supervised') {
      // Training with worker threads, evaluation and the DataFrame tables, as on tslab.
      assert.match(text, /epoch 2\/2 {2}loss -\d/);
      assert.match(text, /split over \d+ threads|on 1 thread|threads/);
      const tables = outputs.filter((o) => String(o.data?.['text/html'] ?? '').includes('<table'));
      const acc = tables.find((o) => String(o.data!['text/plain']).includes('MNIST test accuracy'));
      assert.ok(acc, 'the accuracy table');
      const accs = [...String(acc.data!['text/html']).matchAll(/<td>(0\.\d+)<\/td>/g)].map((m) => Number(m[1]));
      assert.equal(accs.length, 4);
      for (const a of accs) assert.ok(a > 0.85, `smoke accuracy ${a}`);
    }
  }
  fs.rmSync(tmp, { recursive: true, force: true });
});
