// `mcr2 plot` and `mcr2 generate`: plot.py's figures of a run folder, one flag each, written under
// <model_dir>/figures/<flag>/ as PNG, self-contained HTML and the figure's JSON; generate.py's data
// files behind --traintest and --acc. Their flags are lib/runs/figures.ts's and curves.ts's rows.
import { displayPath } from '../io/paths.js';
import { opt, rowsFor } from '../options/spec.js';
import { closeRenderer } from '../plot/render.js';
import { generateAccuracy, generateTestLosses, GENERATE_SPEC } from '../runs/curves.js';
import { PLOT_FIGURES, PLOT_NAMES, PLOT_SPEC, plotRun } from '../runs/figures.js';
import { UsageError } from '../options/flags.js';
import { command } from './command.js';

const { modelDir, ...plotOptions } = PLOT_SPEC;

export const plotCommand = command(
  'Figures of a run (plot.py): every official flag, under <model_dir>/figures/<flag>/ as PNG, HTML and JSON.',
  { modelDir, ...rowsFor(PLOT_NAMES, (n) => opt.bool(false, { flag: n, help: PLOT_FIGURES[n] })), ...plotOptions },
  async (o) => {
    const names = PLOT_NAMES.filter((n) => o[n] === true);
    if (names.length === 0) throw new UsageError(`choose what to plot: ${PLOT_NAMES.map((n) => `--${n}`).join(' ')}`);
    const { epoch, n, comp, classIndex, heatRes, dataDir } = o;
    try {
      const r = await plotRun(names, { modelDir: o.modelDir, epoch, n, comp, classIndex, heatRes, dataDir });
      for (const w of r.written) console.log(`Plot saved to: ${displayPath(w)}`);
    } finally {
      await closeRenderer();
    }
  },
);

export const generateCommand = command(
  'Data for the train/test figures (generate.py): losses_test.csv (--test), accuracy.csv (--train_acc).',
  GENERATE_SPEC,
  async (o) => {
    if (o.test !== true && o.trainAcc !== true) throw new UsageError('choose what to generate: --test, --train_acc');
    if (o.test === true) await generateTestLosses(o.modelDir, { dataDir: o.dataDir });
    if (o.trainAcc === true) await generateAccuracy(o.modelDir, { dataDir: o.dataDir, every: o.every });
  },
);
