// `node dist/scripts/readme-figures.js <model_dir>`: the README's picture of each figure, re-rendered
// at scale 1 (small PNGs for git) from the JSON specs `mcr2 plot` saved in a real run folder.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../lib/io/paths.js';
import { closeRenderer, figurePng } from '../lib/plot/render.js';

/** README picture name → the figure's JSON under <model_dir>/figures/ (first match of a pattern). */
export const README_FIGURES: Array<[string, RegExp]> = [
  ['loss', /^loss\/loss_theoretical\.json$/],
  ['loss_log', /^loss_log\/loss_theoretical\.json$/],
  ['pca', /^pca\/pca_classVclass_epoch\d+\.json$/],
  ['pca_epoch', /^pca\/pca_classNone\.json$/],
  ['hist_within', /^hist\/hist_0v0\.json$/],
  ['hist_across', /^hist\/hist_4v9\.json$/],
  ['heat', /^heatmaps\/heatmat_epoch\d+\.json$/],
  ['traintest', /^traintest\/loss_traintest\.json$/],
  ['acc', /^acc\/acc_traintest\.json$/],
  ['nearcomp_sup', /^nearcomp_sup\/nearest_data\.json$/],
  ['nearcomp_unsup', /^nearcomp_unsup\/nearest_comp0\.json$/],
  ['nearcomp_class', /^nearcomp_class\/nearest_class7\.json$/],
  ['clustering_kmeans', /^clustering\/kmeans_epoch\d+\.json$/],
];

async function main(): Promise<number> {
  const modelDir = process.argv[2];
  if (!modelDir) {
    console.error('usage: node dist/scripts/readme-figures.js <model_dir>');
    return 2;
  }
  const figDir = path.join(modelDir, 'figures');
  const files = (fs.readdirSync(figDir, { recursive: true }) as string[]).map((f) => f.split(path.sep).join('/'));
  const out = path.join(packageRoot(), 'figures', 'readme');
  fs.mkdirSync(out, { recursive: true });
  for (const [name, re] of README_FIGURES) {
    const f = files.find((x) => re.test(x));
    if (f === undefined) {
      console.warn(`skipped ${name}: no ${re} under ${figDir}`);
      continue;
    }
    const fig = JSON.parse(fs.readFileSync(path.join(figDir, f), 'utf8'));
    const png = await figurePng(fig, 1);
    fs.writeFileSync(path.join(out, `${name}.png`), png);
    console.log(`figures/readme/${name}.png (${(png.length / 1024).toFixed(0)} KB) from ${f}`);
  }
  await closeRenderer();
  return 0;
}

if (require.main === module) main().then((c) => process.exit(c));
