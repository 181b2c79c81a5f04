// notebooks/01_supervised.ipynb executed headless on the tslab kernel (smoke profile) into a
// temporary copy: the run's per-epoch lines, inline plotly figures with PNGs, the accuracy table,
// valid figure files, and cells identical to the committed file. Full tier (npm run test:all): it
// needs Jupyter, the tslab kernel and Chromium.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cellChanges } from '../scripts/run-notebooks.js';
import { ROOT } from './helpers.js';

const NB_DIR = path.join(ROOT, 'notebooks');

test('01_supervised runs end to end (MCR2_PROFILE=smoke)', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-nb-'));
  const r = spawnSync(
    process.execPath,
    [path.join(ROOT, 'dist', 'scripts', 'run-notebooks.js'), '01_supervised', '--out', path.join(tmp, 'out')],
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
  const nb = JSON.parse(fs.readFileSync(path.join(tmp, 'out', '01_supervised.ipynb'), 'utf8'));
  // Re-running changed only the outputs: every cell's id, source, metadata and count as committed.
  assert.deepEqual(cellChanges(JSON.parse(fs.readFileSync(path.join(NB_DIR, '01_supervised.ipynb'), 'utf8')), nb), []);
  const outputs = nb.cells.flatMap((c: { outputs?: unknown[] }) => c.outputs ?? []) as Array<{
    output_type: string;
    text?: string[] | string;
    data?: Record<string, unknown>;
  }>;
  assert.ok(!outputs.some((o) => o.output_type === 'error'));
  const text = outputs
    .filter((o) => o.output_type === 'stream')
    .map((o) => (Array.isArray(o.text) ? o.text.join('') : o.text))
    .join('');
  assert.match(text, /epoch 2\/2 {2}loss -\d/);
  assert.match(text, /R = 68\.4567, Rc = 53\.4359/);
  const displays = outputs.filter((o) => o.output_type === 'display_data').map((o) => o.data!);
  assert.ok(displays.some((d) => 'application/vnd.plotly.v1+json' in d && 'image/png' in d));
  const table = displays.find((d) => 'text/html' in d && String(d['text/html']).includes('<table'));
  assert.ok(table, 'accuracy table');
  const accs = [...String(table['text/html']).matchAll(/<td>(0\.\d+)<\/td>/g)].map((m) => Number(m[1]));
  assert.equal(accs.length, 4, 'kNN, nearest subspace (SVD, PCA), LinearSVC');
  for (const a of accs) assert.ok(a > 0.85, `smoke accuracy ${a}`);
  assert.match(text, /run folder: \S*sup_cnn-small\+128_mnist/);
  assert.match(text, /wrote \S*losses_test\.csv: 200 rows, 2 checkpoints/);
  const figures = ['loss_theoretical', 'confusion_nearsub', 'loss_empirical', 'loss_log', 'pca', 'hist_0v0', 'hist_4v9', 'heatmap'];
  for (const f of [...figures, 'nearcomp_sup', 'traintest', 'acc'].flatMap((n) => [`${n}.png`, `${n}.html`])) {
    assert.ok(fs.existsSync(path.join(tmp, 'figures', '01_supervised', f)), f);
  }
});
