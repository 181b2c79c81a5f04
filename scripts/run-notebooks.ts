// `npm run notebooks [-- name ...] [-- --out DIR]`: executes every notebook headless through Jupyter
// on the tslab kernel with MCR2_PROFILE (smoke | cpu | paper; default cpu), in place unless --out is
// given. A failing cell fails the run. Afterwards each notebook's figures/<notebook>/ folder must
// hold fresh, valid figures (PNG and HTML written by this run). In place (what is committed),
// figures are output as PNG alone (MCR2_FIGURE_OUTPUT=png unless set), so the committed notebooks
// stay small; run a notebook in Jupyter for interactive figures.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { notebookFiguresDir, packageRoot } from '../lib/io/paths.js';
import { profileName } from '../lib/train/profiles.js';
import { checkJupyter } from './jupyter.js';

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

function main(): number {
  const args = process.argv.slice(2);
  let outDir: string | undefined;
  const names: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--out') outDir = path.resolve(args[++i]);
    else names.push(args[i]);
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
  if (jupyter.problem) {
    console.error(jupyter.problem);
    return 1;
  }
  let failed = 0;
  for (const nb of chosen) {
    const start = Date.now();
    console.log(`▶ ${nb} (MCR2_PROFILE=${profile})`);
    const cmd = [
      'nbconvert',
      '--to',
      'notebook',
      '--execute',
      '--ExecutePreprocessor.kernel_name=tslab',
      '--ExecutePreprocessor.timeout=-1',
      ...(outDir ? ['--output-dir', outDir] : ['--inplace']),
      path.join(nbDir, nb),
    ];
    const r = spawnSync(jupyter.exe!, cmd, {
      stdio: 'inherit',
      env: { ...(outDir ? {} : { MCR2_FIGURE_OUTPUT: 'png' }), ...process.env, MCR2_PROFILE: profile },
      cwd: nbDir,
    });
    const secs = ((Date.now() - start) / 1000).toFixed(0);
    if (r.status !== 0) {
      console.error(`✗ ${nb}: a cell failed (${secs} s)`);
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
  }
  return failed === 0 ? 0 : 1;
}

if (require.main === module) process.exit(main());
