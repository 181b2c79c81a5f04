// The committed notebooks (every notebooks/*.ipynb): each carries the outputs of its run, with no
// machine-specific path in them, and fixed cell ids, so that re-running one changes only its
// outputs. (Executing one is test/notebooks_run.test.ts, in the full tier: it needs Jupyter.)
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cellChanges } from '../scripts/run-notebooks.js';
import { ROOT } from './helpers.js';

const NB_DIR = path.join(ROOT, 'notebooks');
/** Folders of this machine that must not appear in committed outputs. */
const MACHINE_PATHS = ['/work/', '/tmp/', '/root/', '/home/'];

interface Output {
  output_type: string;
  text?: string[] | string;
  data?: Record<string, unknown>;
}
interface Cell {
  id?: string;
  cell_type: string;
  source: string | string[];
  metadata?: Record<string, unknown>;
  outputs?: Output[];
}

const committed = () =>
  fs
    .readdirSync(NB_DIR)
    .filter((f) => f.endsWith('.ipynb'))
    .sort();

test('there are notebooks 00 to 02 at least, each named NN_name.ipynb', () => {
  const names = committed();
  for (const n of names) assert.match(n, /^\d\d_[a-z0-9_]+\.ipynb$/, n);
  for (const p of ['00_', '01_', '02_'])
    assert.ok(
      names.some((n) => n.startsWith(p)),
      `no notebook ${p}*`,
    );
});

for (const name of committed()) {
  test(`${name} is committed with its outputs, fixed cell ids and no machine path`, () => {
    const raw = fs.readFileSync(path.join(NB_DIR, name), 'utf8');
    const nb = JSON.parse(raw) as { nbformat: number; nbformat_minor: number; cells: Cell[] };
    assert.ok(nb.nbformat === 4 && nb.nbformat_minor >= 5, `${name}: nbformat ${nb.nbformat}.${nb.nbformat_minor} (cell ids need 4.5)`);
    const ids = nb.cells.map((c) => c.id);
    assert.ok(
      ids.every((id) => typeof id === 'string' && id !== ''),
      `${name}: every cell needs an id (else Jupyter adds random ones on each run)`,
    );
    assert.equal(new Set(ids).size, ids.length, `${name}: cell ids repeat`);
    const code = nb.cells.filter((c) => c.cell_type === 'code');
    const outputs = code.flatMap((c) => c.outputs ?? []);
    assert.ok(outputs.length > 0, `${name} has no outputs: commit it after a run (npm run notebooks -- ${name.slice(0, 2)})`);
    const ran = code.filter((c) => (c.outputs ?? []).length > 0).length;
    assert.ok(ran >= code.length / 2, `${name}: only ${ran} of ${code.length} code cells have outputs`);
    const errors = outputs.filter((o) => o.output_type === 'error' || (o.output_type === 'stream' && /^\w*Error: /m.test(String(o.text))));
    assert.equal(errors.length, 0, `${name}: error outputs: ${JSON.stringify(errors).slice(0, 300)}`);
    assert.ok(
      outputs.some((o) => o.output_type === 'display_data' && o.data !== undefined && 'image/png' in o.data),
      `${name}: no figure with a PNG (what GitHub shows)`,
    );
    for (const p of MACHINE_PATHS) {
      const at = raw.indexOf(p);
      assert.equal(at, -1, `${name} contains the machine path ${p}: …${raw.slice(Math.max(0, at - 60), at + 60)}…`);
    }
  });
}

test('cellChanges: only outputs may change on a re-run', () => {
  const nb = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'tslab' } },
    cells: [
      { id: 'a', cell_type: 'markdown', source: ['# x'], metadata: {} },
      { id: 'b', cell_type: 'code', source: ['1 +', ' 1'], metadata: {}, execution_count: null, outputs: [] },
    ],
  };
  const rerun = structuredClone(nb);
  (rerun.cells[1] as Cell).outputs = [{ output_type: 'stream', text: '2' }];
  (rerun.cells[1] as Cell).source = '1 + 1'; // the same text, as one string
  assert.deepEqual(cellChanges(nb, rerun), []);
  // nbclient's timing record is output too (the runner turns it off: record_timing=False).
  (rerun.cells[1].metadata as Record<string, unknown>).execution = { 'iopub.status.busy': 'now' };
  assert.deepEqual(cellChanges(nb, rerun), []);
  const bad = structuredClone(nb);
  bad.cells[0].id = 'random-id';
  bad.cells[1].source = ['2'];
  (bad.cells[1].metadata as Record<string, unknown>).tags = ['x'];
  assert.deepEqual(cellChanges(nb, bad), [
    'cell 0 (a): id a became random-id',
    'cell 1 (b): source changed',
    'cell 1 (b): metadata {} became {"tags":["x"]}',
  ]);
  assert.deepEqual(cellChanges(nb, { ...nb, cells: nb.cells.slice(1) }), ['2 cells became 1']);
});
