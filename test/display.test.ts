// The display adapter (lib/plot/display.ts): mime bundles reach tslab through the channel its own
// display API writes to, and Deno through Deno.jupyter.broadcast; when tslab's internals move, the
// adapter says so (and this test fails on the installed tslab). Then: the emitted declarations
// (dist/**/*.d.ts) type-check under the TypeScript that tslab checks notebook cells with (5.0.4),
// with tslab's module options, on a probe that uses the API the notebooks use.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { displayBundle, frontend, tslabChannel } from '../lib/plot/display.js';
import { showTable } from '../lib/plot/notebook.js';
import { ROOT } from './helpers.js';

type Msg = { data: Record<string, unknown>; metadata: Record<string, unknown>; transient: Record<string, unknown> };

test("tslab: bundles go down the channel of tslab's display API; a moved channel is an error that says so", () => {
  const jupyterJs = require.resolve('tslab/dist/jupyter.js', { paths: [ROOT] });
  const jupyter = require(jupyterJs) as { lastWriteDisplayData: ((m: Msg, update: boolean) => void) | null };
  assert.ok('lastWriteDisplayData' in jupyter, `${jupyterJs} no longer exports lastWriteDisplayData: update lib/plot/display.ts`);
  // What tslab's public display API itself calls (tslab/dist/public.js): the adapter reaches the same.
  assert.match(fs.readFileSync(path.join(path.dirname(jupyterJs), 'public.js'), 'utf8'), /jupyter\.lastWriteDisplayData\(/);
  assert.equal(jupyter.lastWriteDisplayData, null, 'no cell is running');
  assert.equal(frontend(), undefined);
  assert.equal(displayBundle({ 'text/plain': 'x' }), false, 'outside a cell nothing is sent');
  const sent: Array<[Msg, boolean]> = [];
  jupyter.lastWriteDisplayData = (m, u) => sent.push([m, u]);
  try {
    assert.equal(frontend(), 'tslab');
    const bundle = { 'text/html': '<b>x</b>', 'image/png': 'iVBOR', 'text/plain': 'x' };
    assert.equal(displayBundle(bundle, { 'image/png': { width: 760 } }), true);
    assert.deepEqual(sent, [[{ data: bundle, metadata: { 'image/png': { width: 760 } }, transient: {} }, false]]);
    // A table is one bundle: HTML and text.
    showTable([{ method: 'kNN', accuracy: 0.99 }], 'caption');
    assert.deepEqual(Object.keys(sent[1][0].data), ['text/html', 'text/plain']);
  } finally {
    jupyter.lastWriteDisplayData = null;
  }
  // tslab's module loaded without the export: the adapter fails saying what moved and where.
  const moved = {
    [path.join('/x', 'node_modules', 'tslab', 'dist', 'jupyter.js')]: { exports: { somethingElse: 1 } } as unknown as NodeJS.Module,
  };
  assert.throws(
    () => tslabChannel(moved),
    /tslab's display channel moved: .*tslab\/dist\/jupyter\.js no longer exports lastWriteDisplayData.*lib\/plot\/display\.ts/,
  );
});

test('Deno: bundles go out as display_data through Deno.jupyter.broadcast', async () => {
  const sent: Array<[string, Record<string, unknown>]> = [];
  const g = globalThis as { Deno?: unknown };
  g.Deno = { jupyter: { broadcast: async (type: string, content: Record<string, unknown>) => void sent.push([type, content]) } };
  try {
    assert.equal(frontend(), 'deno');
    assert.equal(displayBundle({ 'text/plain': 'y' }, { a: 1 }), true);
    assert.deepEqual(sent, [['display_data', { data: { 'text/plain': 'y' }, metadata: { a: 1 }, transient: {} }]]);
  } finally {
    delete g.Deno;
  }
  // Under `deno run`, reading Deno.jupyter throws: that is no notebook, not an error.
  g.Deno = {
    get jupyter() {
      throw new Error('Deno.jupyter is only available in `deno jupyter` subcommand');
    },
  };
  try {
    assert.equal(frontend(), undefined);
    assert.equal(displayBundle({ 'text/plain': 'z' }), false);
  } finally {
    delete g.Deno;
  }
});

/** What this test uses of the TypeScript 5.0 compiler API (this project builds with TypeScript 7, which has none). */
interface Ts50 {
  version: string;
  ModuleKind: { ESNext: number };
  ModuleResolutionKind: { Node10: number };
  ScriptTarget: { ES2022: number };
  createProgram(files: string[], options: Record<string, unknown>): { getSourceFiles(): Array<{ fileName: string }> };
  getPreEmitDiagnostics(program: unknown): Array<{ file?: { fileName: string }; messageText: unknown }>;
  flattenDiagnosticMessageText(m: unknown, newLine: string): string;
}

test("dist/lib/index.d.ts type-checks under tslab's TypeScript 5.0.4 with tslab's options", () => {
  const tslabDir = path.dirname(require.resolve('tslab/package.json', { paths: [ROOT] }));
  const ts = require(require.resolve('@tslab/typescript-for-tslab', { paths: [tslabDir] })) as Ts50;
  assert.match(ts.version, /^5\.0\./, `tslab's TypeScript is ${ts.version}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-dts-'));
  const probe = path.join(dir, 'probe.ts');
  // What notebook cells do; the last line is a deliberate error, proving the types are read (not any).
  fs.writeFileSync(
    probe,
    `import * as mcr2 from 'mcr2';
async function cells() {
  const nb = await mcr2.notebook('01_supervised');
  const P = nb.pick({ smoke: { epochs: 1 }, cpu: { epochs: 2 }, paper: { epochs: 8 } });
  const t = nb.track(await mcr2.Trainer.create({ ...mcr2.train.SUPERVISED_PRESETS.mnistProtocol, ...P, saveDir: nb.saveDir }, nb.hooks));
  const s = await t.runEpoch();
  const ev = await t.evaluate({ knn: 10, nearsub: 15 });
  const acc: number = ev.knn + ev.nearsub.svd + (s?.total ?? 0);
  const df = mcr2.frames.evaluationFrame(ev, { k: 10 });
  nb.table(df, 'accuracy');
  nb.table(mcr2.frames.epochFrame(mcr2.frames.readFrame(t.runDir)));
  const rows: number = df.shape[0] + acc;
  await nb.show(t.lossFigure(), 'loss');
  await nb.end();
  const wrong: string = ev.knn;
  return [rows, wrong];
}
cells();
`,
  );
  const program = ts.createProgram([probe], {
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    esModuleInterop: true,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts'],
    strict: true,
    noEmit: true,
    // Checked here (tslab itself skips .d.ts checks): an error in our declarations must show.
    skipLibCheck: false,
    types: ['node'],
    typeRoots: [path.join(ROOT, 'node_modules', '@types')],
    baseUrl: dir,
    paths: { mcr2: [path.join(ROOT, 'dist', 'lib', 'index.d.ts')] },
  });
  const dist = path.join(ROOT, 'dist') + path.sep;
  const ours = program.getSourceFiles().filter((f) => f.fileName.startsWith(dist));
  assert.ok(ours.length > 50, `${ours.length} of our declaration files read`);
  const diags = ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file === undefined || d.file.fileName.startsWith(dist) || d.file.fileName === probe)
    .map((d) => `${d.file ? path.relative(ROOT, d.file.fileName) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
  fs.rmSync(dir, { recursive: true, force: true });
  assert.equal(diags.length, 1, diags.join('\n'));
  assert.match(diags[0], /probe\.ts: Type 'number' is not assignable to type 'string'/);
});
