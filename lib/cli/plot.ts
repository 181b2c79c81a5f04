// `mcr2 plot`: plot.py's figures of a run folder, one flag each, written under
// <model_dir>/figures/<flag>/ as PNG, self-contained HTML and the figure's JSON.
import { displayPath } from '../io/paths.js';
import { closeRenderer } from '../plot/render.js';
import { PLOT_NAMES, type PlotName, plotRun } from '../runs/plot.js';
import { type FlagSpecs, parseFlags, UsageError } from './args.js';

const HELP: Record<PlotName, string> = {
  loss: 'plot losses (theoretical and empirical) per iteration',
  loss_log: 'plot the smoothed theoretical losses against ln(iteration)',
  pca: 'plot PCA singular values of each class (centred)',
  pca_epoch: 'plot PCA singular values at epochs 0, 10, 100, 500 (those that exist, and the last)',
  hist: 'plot histograms of cosine similarity for every pair of classes',
  heat: 'plot the heat map of |ZZ^T| with features sorted by class',
  traintest: 'plot train and test losses per epoch (generates losses_test.csv if missing)',
  acc: 'plot train and test accuracy (generates accuracy.csv if missing)',
  nearcomp_sup: 'plot, per class, the image nearest each of its top 10 components',
  nearcomp_unsup: 'plot the 10 images nearest each component of all features (the first --comp)',
  nearcomp_class: 'plot, per class (or --class_), the 10 images nearest each of its top 8 components',
};

export const PLOT_FLAGS: FlagSpecs = {
  model_dir: { type: 'string', help: 'base directory for saving PyTorch model.' },
  ...Object.fromEntries(PLOT_NAMES.map((n) => [n, { type: 'bool', help: HELP[n] }])),
  epoch: { type: 'int', help: 'which epoch for evaluation (default: latest)' },
  n: { type: 'int', help: 'number of samples (declared by the official, unused)', default: 1000 },
  comp: { type: 'int', help: 'number of components for PCA', default: 30 },
  class_: { type: 'int', help: 'which class for PCA (default: None)' },
  heat_res: { type: 'int', help: '--heat: cells per side, each the exact mean of its entries (mcr2-ts)', default: 500 },
  data_dir: { type: 'string', help: 'path to dataset (default: the one the run trained on) (mcr2-ts)' },
};

async function cmdPlot(argv: string[]): Promise<void> {
  const f = parseFlags(argv, PLOT_FLAGS);
  const modelDir = f.model_dir as string | undefined;
  if (modelDir === undefined || modelDir === '') throw new UsageError('--model_dir is required');
  const names = PLOT_NAMES.filter((n) => f[n] === true);
  if (names.length === 0) throw new UsageError(`choose what to plot: ${PLOT_NAMES.map((n) => `--${n}`).join(' ')}`);
  for (const k of ['comp', 'heat_res'] as const) if ((f[k] as number) < 1) throw new UsageError(`--${k} must be at least 1, got ${f[k]}`);
  if (f.class_ !== undefined && (f.class_ as number) < 0) throw new UsageError(`--class_ must be a class index ≥ 0, got ${f.class_}`);
  try {
    const r = await plotRun(names, {
      modelDir,
      epoch: f.epoch as number | undefined,
      comp: f.comp as number,
      classIndex: f.class_ as number | undefined,
      n: f.n as number,
      heatRes: f.heat_res as number,
      dataDir: f.data_dir as string | undefined,
    });
    for (const w of r.written) console.log(`Plot saved to: ${displayPath(w)}`);
  } finally {
    await closeRenderer();
  }
}

export const plotCommand = {
  about: 'Figures of a run (plot.py): every official flag, under <model_dir>/figures/<flag>/ as PNG, HTML and JSON.',
  flags: PLOT_FLAGS,
  run: cmdPlot,
};
