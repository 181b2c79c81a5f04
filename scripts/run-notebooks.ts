// `npm run notebooks [-- name ...] [-- --out DIR] [-- --kernel tslab|deno]`: executes every notebook
// headless through Jupyter on the tslab kernel (or Deno's, `--kernel deno`: the binary of the npm
// package `deno`, a devDependency, under a kernelspec of its own in a temporary JUPYTER_PATH) with
// MCR2_PROFILE (smoke | cpu | paper; default cpu), in place unless --out is given (then the figures go
// to DIR/figures/ unless MCR2_FIGURES_DIR says otherwise). A failing cell fails the run, and so does a run that changed anything but the outputs
// (cell sources, ids, metadata). Afterwards each notebook's figures/<notebook>/ folder must hold
// fresh, valid figures (PNG and HTML written by this run). Each notebook's wall time is printed,
// with a warning past its profile's budget (smoke 3 minutes, cpu 15). In place (what is committed),
// figures are output as PNG alone (MCR2_FIGURE_OUTPUT=png unless set), so the committed notebooks
// stay small; run a notebook in Jupyter for interactive figures.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { packageRoot } from '../lib/io/paths.js';
import { notebookFiguresDir } from '../lib/notebook/notebook.js';
import { profileName } from '../lib/train/presets.js';
import { checkJupyter } from './jupyter.js';

/** Wall-time budget per notebook (issue 12): smoke 3 minutes on 2 cores (CI), cpu 15. Over it: a warning. */
const BUDGET_S: Partial<Record<string, number>> = { smoke: 180, cpu: 900 };

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Why a figure file is not valid, or undefined if it is. */
export function figureProblem(file: string): string | undefined {
  const buf = fs.readFileSync(file);
  if (file.endsWith('.png')) {
    if (buf.length < 33 || !buf.subarray(0, 8).equals(PNG_MAGIC)) return 'not a PNG file';
    if (buf.toString('latin1', 12, 16) !== 'IHDR') return 'PNG without an IHDR chunk';
    const w = buf.readUInt32BE(16);
    const h = buf.readUInt32BE(20);
    if (w < 100 || h < 100) return `PNG is only ${w}x${h}`;
    if (buf.length < 5000) return `PNG is only ${buf.length} bytes (blank?)`;
    return undefined;
  }
  if (file.endsWith('.html')) {
    const s = buf.toString('utf8');
    if (!s.includes('Plotly.newPlot') || !s.includes('"data"')) return 'HTML without a plotly figure';
    return undefined;
  }
  return undefined;
}

interface NotebookJson {
  nbformat?: number;
  nbformat_minor?: number;
  metadata?: Record<string, unknown>;
  cells: Array<{ id?: string; cell_type: string; source: string | string[]; metadata?: unknown; execution_count?: number | null }>;
}

const text = (s: string | string[]) => (Array.isArray(s) ? s.join('') : s);

/** A cell's metadata without nbclient's per-run timing record (`execution`), which is output too. */
const metaOf = (m: unknown) => {
  const { execution: _, ...rest } = (m ?? {}) as Record<string, unknown>;
  return JSON.stringify(rest);
};

/**
 * How `after` (an executed copy) differs from `before` in anything but outputs: the cells' ids,
 * types, sources, metadata (timing records aside) and execution counts (unless `counts` is false),
 * and the notebook's format and kernel. Empty when re-running changed only the outputs.
 */
export function cellChanges(before: NotebookJson, after: NotebookJson, opts: { counts?: boolean } = {}): string[] {
  const out: string[] = [];
  if (before.nbformat !== after.nbformat || before.nbformat_minor !== after.nbformat_minor)
    out.push(`nbformat ${before.nbformat}.${before.nbformat_minor} became ${after.nbformat}.${after.nbformat_minor}`);
  const kernel = (nb: NotebookJson) => JSON.stringify(nb.metadata?.kernelspec ?? null);
  if (kernel(before) !== kernel(after)) out.push(`kernelspec ${kernel(before)} became ${kernel(after)}`);
  if (before.cells.length !== after.cells.length) {
    out.push(`${before.cells.length} cells became ${after.cells.length}`);
    return out;
  }
  before.cells.forEach((b, i) => {
    const a = after.cells[i];
    const name = `cell ${i}${b.id ? ` (${b.id})` : ''}`;
    if (b.id !== a.id) out.push(`${name}: id ${b.id ?? 'missing'} became ${a.id ?? 'missing'}`);
    if (b.cell_type !== a.cell_type) out.push(`${name}: ${b.cell_type} became ${a.cell_type}`);
    if (text(b.source) !== text(a.source)) out.push(`${name}: source changed`);
    if (metaOf(b.metadata) !== metaOf(a.metadata)) out.push(`${name}: metadata ${metaOf(b.metadata)} became ${metaOf(a.metadata)}`);
    if ((opts.counts ?? true) && (b.execution_count ?? null) !== (a.execution_count ?? null))
      out.push(`${name}: execution count ${b.execution_count ?? null} became ${a.execution_count ?? null}`);
  });
  return out;
}

/** The kernels `--kernel` can name. */
export const KERNELS = ['tslab', 'deno'] as const;
export type KernelName = (typeof KERNELS)[number];

/** Deno's binary from the npm package `deno` (node_modules/.bin/deno), if installed. */
export function denoBinary(root: string): string | undefined {
  const bin = path.join(root, 'node_modules', '.bin', 'deno');
  return fs.existsSync(bin) ? bin : undefined;
}

/**
 * A JUPYTER_PATH folder holding a kernelspec `deno` for this checkout's Deno (`deno jupyter
 * --kernel`), so that nothing is installed into the machine's Jupyter; undefined without Deno.
 */
export function denoKernelPath(root: string): string | undefined {
  const deno = denoBinary(root);
  if (deno === undefined) return undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-deno-kernel-'));
  fs.mkdirSync(path.join(dir, 'kernels', 'deno'), { recursive: true });
  const spec = { argv: [deno, 'jupyter', '--kernel', '--conn', '{connection_file}'], display_name: 'Deno', language: 'typescript' };
  fs.writeFileSync(path.join(dir, 'kernels', 'deno', 'kernel.json'), JSON.stringify(spec));
  return dir;
}

function main(): number {
  const args = process.argv.slice(2);
  let outDir: string | undefined;
  const names: string[] = [];
  let kernel: KernelName = 'tslab';
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--out') {
      outDir = path.resolve(args[++i]);
      // The figures go beside the notebooks written there, not over the committed ones in figures/.
      process.env.MCR2_FIGURES_DIR ??= path.join(outDir, 'figures');
    } else if (args[i] === '--kernel') {
      const k = args[++i];
      if (!(KERNELS as readonly string[]).includes(k)) {
        console.error(`--kernel: expected ${KERNELS.join(' or ')}, got ${k}`);
        return 2;
      }
      kernel = k as KernelName;
    } else names.push(args[i]);
  }
  const profile = profileName();
  const root = packageRoot();
  const nbDir = path.join(root, 'notebooks');
  const all = fs
    .readdirSync(nbDir)
    .filter((f) => f.endsWith('.ipynb'))
    .sort();
  const chosen = names.length === 0 ? all : all.filter((f) => names.some((n) => f.startsWith(n)));
  if (chosen.length === 0) {
    console.error(`no notebook matches ${names.join(', ')}; have ${all.join(', ')}`);
    return 1;
  }
  const jupyter = checkJupyter(root);
  if (jupyter.problem && (kernel === 'tslab' || jupyter.exe === undefined)) {
    console.error(jupyter.problem);
    return 1;
  }
  let kernelEnv: Record<string, string> = {};
  if (kernel === 'deno') {
    const dir = denoKernelPath(root);
    if (dir === undefined) {
      console.error('--kernel deno: the npm package deno is not installed (it is a devDependency: npm install)');
      return 1;
    }
    kernelEnv = { JUPYTER_PATH: [dir, process.env.JUPYTER_PATH].filter(Boolean).join(path.delimiter) };
  }
  let failed = 0;
  const times: string[] = [];
  for (const nb of chosen) {
    const start = Date.now();
    console.log(`▶ ${nb} (MCR2_PROFILE=${profile}${kernel === 'tslab' ? '' : `, kernel ${kernel}`})`);
    const cmd = [
      'nbconvert',
      '--to',
      'notebook',
      '--execute',
      `--ExecutePreprocessor.kernel_name=${kernel}`,
      '--ExecutePreprocessor.timeout=-1',
      // No per-cell timestamps in the cell metadata: a re-run then changes only the outputs.
      '--ExecutePreprocessor.record_timing=False',
      ...(outDir ? ['--output-dir', outDir] : ['--inplace']),
      path.join(nbDir, nb),
    ];
    const before = JSON.parse(fs.readFileSync(path.join(nbDir, nb), 'utf8')) as NotebookJson;
    const r = spawnSync(jupyter.exe!, cmd, {
      stdio: 'inherit',
      env: { ...(outDir ? {} : { MCR2_FIGURE_OUTPUT: 'png' }), ...process.env, ...kernelEnv, MCR2_PROFILE: profile },
      cwd: nbDir,
    });
    const secs = ((Date.now() - start) / 1000).toFixed(0);
    if (r.status !== 0) {
      console.error(`✗ ${nb}: a cell failed (${secs} s)`);
      failed++;
      continue;
    }
    // Re-running must change only the outputs (cell ids fixed in the file; timing records are output).
    const after = JSON.parse(fs.readFileSync(path.join(outDir ?? nbDir, nb), 'utf8')) as NotebookJson;
    // Execution counts are the kernel's: tslab reports none (the committed null), Deno numbers cells.
    const changes = cellChanges(before, after, { counts: kernel === 'tslab' });
    if (changes.length > 0) {
      console.error(`✗ ${nb}: running it changed more than its outputs:\n  ${changes.join('\n  ')}`);
      failed++;
      continue;
    }
    const figDir = notebookFiguresDir(path.basename(nb, '.ipynb'));
    const fresh = fs.existsSync(figDir)
      ? fs
          .readdirSync(figDir)
          .map((f) => path.join(figDir, f))
          .filter((f) => fs.statSync(f).mtimeMs >= start - 1000)
      : [];
    const problems = fresh.map((f) => [f, figureProblem(f)] as const).filter(([, p]) => p !== undefined);
    const pngs = fresh.filter((f) => f.endsWith('.png')).length;
    const htmls = fresh.filter((f) => f.endsWith('.html')).length;
    if (problems.length > 0 || pngs === 0 || htmls === 0) {
      for (const [f, p] of problems) console.error(`✗ ${path.relative(root, f)}: ${p}`);
      if (pngs === 0 || htmls === 0)
        console.error(`✗ ${nb}: expected fresh PNG and HTML figures in ${path.relative(root, figDir)}/ (found ${pngs} PNG, ${htmls} HTML)`);
      failed++;
      continue;
    }
    console.log(`✓ ${nb} in ${secs} s; ${pngs} PNG + ${htmls} HTML figures in ${path.relative(root, figDir)}/`);
    const budget = BUDGET_S[profile];
    if (budget !== undefined && Number(secs) > budget)
      console.log(`⚠ ${nb}: ${secs} s is over the ${profile} profile's ${budget / 60}-minute budget per notebook`);
    times.push(`${nb} ${secs} s`);
  }
  if (times.length > 1) console.log(`times (${profile}): ${times.join(', ')}`);
  return failed === 0 ? 0 : 1;
}

if (require.main === module) process.exit(main());
