// Executes notebooks/01_supervised.ipynb headless on the tslab kernel (smoke profile) and checks
// its outputs: the run's per-epoch lines, an inline plotly figure with a PNG, the accuracy table,
// and valid figure files.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from './helpers.js';

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
  assert.equal(accs.length, 3);
  for (const a of accs) assert.ok(a > 0.85, `smoke accuracy ${a}`);
  for (const f of ['loss_theoretical.png', 'loss_theoretical.html', 'confusion_nearsub.png', 'confusion_nearsub.html']) {
    assert.ok(fs.existsSync(path.join(tmp, 'figures', '01_supervised', f)), f);
  }
});
