// plot.py on a run folder: each official flag's figure from the run's logs or its checkpoint's
// train-set features (test transform; labels corrupted again for a --lcr run, as the official),
// saved under <model_dir>/figures/<flag>/ as PNG, self-contained HTML and the spec's JSON.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initBackend } from '../accel/backend.js';
import type { ImageDataset } from '../data/dataset.js';
import type { Features } from '../data/features.js';
import { datasetFeatures } from '../features/dataset.js';
import { writeNpy } from '../io/npz.js';
import { inputSizeOf, loadRun, runDataset, runInputShape, runTrainLabels } from './load_run.js';
import { RunFolder } from './run_folder.js';
import { RUN_SPEC } from './options.js';
import { type InputOf, opt, resolve, withHelp } from '../options/spec.js';
import { createNetwork } from '../models/network.js';
import {
  absGramGrid,
  classSingularValues,
  cosineHistograms,
  gatherRows,
  nearestPerComponent,
  nearestToComponents,
  singularValues,
  sortByClass,
} from '../features/analysis.js';
import { cosineHistogramFigure, heatmapFigure, pcaEpochFigure, pcaFigure } from '../plot/feature_figures.js';
import { accuracyCurveFigure, type Figure, lossFigure, lossLogFigure, trainTestFigure } from '../plot/figure.js';
import { generateAccuracy, generateTestLosses, readAccuracyCsv, readLossesCsv } from './curves.js';
import { nearestClassFigure, nearestSupFigure, nearestUnsupFigure } from '../plot/nearest.js';
import { saveFigure } from '../plot/render.js';

/** plot.py's figure flags, in the order they run, each with its help line. */
export const PLOT_FIGURES = {
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
} as const;
export type PlotName = keyof typeof PLOT_FIGURES;
export const PLOT_NAMES = Object.keys(PLOT_FIGURES) as PlotName[];

/** The official --pca_epoch epochs (0 = the freshly initialised network, e = checkpoint e−1). */
export const PCA_EPOCHS = [0, 10, 100, 500];

/** plot.py's options besides the figures. */
export const PLOT_SPEC = {
  modelDir: withHelp(RUN_SPEC.modelDir, 'base directory for saving PyTorch model.'),
  // checkpoint for the feature figures
  epoch: withHelp(RUN_SPEC.epoch, 'which epoch for evaluation (default: latest)'),
  // the official --n: declared, never used
  n: opt.int(1000, { flag: 'n', min: 0, help: 'number of samples (declared by the official, unused)' }),
  // components for --pca/--pca_epoch (official 30); also how many --nearcomp_unsup draws
  comp: opt.int(30, { flag: 'comp', min: 1, help: 'number of components for PCA' }),
  // --pca_epoch: one class; --nearcomp_class: that class only (default: every class)
  classIndex: opt.maybeInt({ flag: 'class_', min: 0, help: 'which class for PCA (default: None)' }),
  heatRes: opt.int(500, { flag: 'heat_res', min: 1, help: '--heat: cells per side, each the exact mean of its entries (mcr2-ts)' }),
  dataDir: withHelp(RUN_SPEC.dataDir, 'path to dataset (default: the one the run trained on) (mcr2-ts)'),
};

export type PlotRunOptions = InputOf<typeof PLOT_SPEC> & { log?: (line: string) => void };

export interface PlotRunResult {
  written: string[];
  /** Seconds per figure flag (feature extraction counted separately as 'features'). */
  seconds: Record<string, number>;
}

interface TrainFeatures {
  epoch: number;
  f: Features;
  labels: Int32Array;
  ds: ImageDataset;
}

/** Runs the given plot.py flags on a run folder. */
export async function plotRun(names: PlotName[], options: PlotRunOptions): Promise<PlotRunResult> {
  const { log: logTo, ...given } = options;
  const log = logTo ?? ((s: string) => console.log(s));
  const opts = resolve(PLOT_SPEC, given, 'plot');
  const run = new RunFolder(opts.modelDir);
  const params = run.readParams();
  const written: string[] = [];
  const seconds: Record<string, number> = {};
  const comp = opts.comp;
  let trainSet: ImageDataset | undefined;
  const dataset = () => {
    trainSet ??= runDataset(params, 'train', opts.dataDir);
    return trainSet;
  };
  const shapeOf = (ds: ImageDataset): [number, number, number] => [ds.height, ds.width, ds.channels];
  let cached: TrainFeatures | undefined;
  const features = async (): Promise<TrainFeatures> => {
    if (cached) return cached;
    await initBackend();
    const t = Date.now();
    const ds = dataset();
    const r = loadRun(opts.modelDir, opts.epoch, shapeOf(ds));
    // At the size the network trained at (a `default`-transform MNIST run takes 32x32).
    const f = await datasetFeatures(r.model, ds, { inputSize: inputSizeOf(r.inputShape) });
    r.model.dispose();
    const labels = runTrainLabels(params, f.labels);
    seconds.features = (Date.now() - t) / 1000;
    log(`features: epoch ${r.epoch}, ${f.n} x ${f.dim} train features in ${seconds.features.toFixed(1)} s`);
    cached = { epoch: r.epoch, f, labels, ds };
    return cached;
  };
  const save = async (fig: Figure, flag: string, name: string) => {
    const s = await saveFigure(fig, path.join(run.figuresDir, flag), name);
    written.push(...(s.png ? [s.png] : []), s.html, s.json);
    if (s.pngSkipped) log(`PNG skipped: ${s.pngSkipped}`);
  };
  const classes = () => dataset().classes;

  for (const name of PLOT_NAMES) {
    if (!names.includes(name)) continue;
    // Feature extraction is timed on its own, before the figure's clock starts.
    if (['pca', 'hist', 'heat', 'nearcomp_sup', 'nearcomp_unsup', 'nearcomp_class'].includes(name)) await features();
    const t = Date.now();
    switch (name) {
      case 'loss': {
        const rows = run.readLosses();
        if (rows.length === 0) throw new Error(`${run.lossesFile} has no rows yet`);
        await save(lossFigure(rows, 'theoretical'), 'loss', 'loss_theoretical');
        await save(lossFigure(rows, 'empirical'), 'loss', 'loss_empirical');
        break;
      }
      case 'loss_log': {
        const rows = run.readLosses();
        if (rows.length === 0) throw new Error(`${run.lossesFile} has no rows yet`);
        await save(lossLogFigure(rows), 'loss_log', 'loss_theoretical');
        break;
      }
      case 'pca': {
        const { f, labels, epoch } = await features();
        const s = classSingularValues({ ...f, labels }, Math.min(comp, f.dim), dataset().numClasses);
        const n = Math.min(s.all.length, ...s.perClass.map((v) => v.length));
        const dir = path.join(run.figuresDir, 'pca');
        fs.mkdirSync(dir, { recursive: true });
        const all = [s.all, ...s.perClass].flatMap((v) => v.slice(0, n));
        writeNpy(path.join(dir, 'sig_vals.npy'), { data: Float64Array.from(all), shape: [s.perClass.length + 1, n] });
        written.push(path.join(dir, 'sig_vals.npy'));
        await save(
          pcaFigure(s, { classes: classes(), title: `PCA singular values of each class (centred), epoch ${epoch}` }),
          'pca',
          `pca_classVclass_epoch${epoch}`,
        );
        break;
      }
      case 'pca_epoch': {
        await initBackend();
        const ds = dataset();
        const have = run.checkpointEpochs();
        const last = have[have.length - 1];
        // The official epochs that exist here, and the last checkpoint (as epoch last+1).
        const epochs = PCA_EPOCHS.filter((e) => e === 0 || have.includes(e - 1));
        if (last !== undefined && !epochs.includes(last + 1)) epochs.push(last + 1);
        const curves: Array<{ epoch: number; values: number[] }> = [];
        for (const e of epochs) {
          let f: Features;
          if (cached !== undefined && e - 1 === cached.epoch) f = cached.f;
          else {
            const inputShape = runInputShape(params, shapeOf(ds), run.paramsFile);
            const model =
              e === 0
                ? createNetwork(String(params.arch), Number(params.fd), { inputShape, seed: Number(params.seed ?? 0) })
                : loadRun(opts.modelDir, e - 1, shapeOf(ds)).model;
            model.eval();
            f = await datasetFeatures(model, ds, { inputSize: inputSizeOf(inputShape) });
            model.dispose();
          }
          let x = f.features;
          if (opts.classIndex !== undefined) {
            const co = sortByClass(f.labels, ds.numClasses);
            x = gatherRows(f.features, f.dim, co.order.subarray(co.offsets[opts.classIndex], co.offsets[opts.classIndex + 1]));
          }
          curves.push({ epoch: e, values: singularValues(x, f.dim, Math.min(comp, f.dim), true) });
          log(`pca_epoch: epoch ${e} done`);
        }
        const dir = path.join(run.figuresDir, 'pca');
        fs.mkdirSync(dir, { recursive: true });
        const n = Math.min(...curves.map((c) => c.values.length));
        writeNpy(path.join(dir, 'sig_vals_epoch.npy'), {
          data: Float64Array.from(curves.flatMap((c) => c.values.slice(0, n))),
          shape: [curves.length, n],
        });
        written.push(path.join(dir, 'sig_vals_epoch.npy'));
        const cl = opts.classIndex === undefined ? undefined : (ds.classes[opts.classIndex] ?? String(opts.classIndex));
        await save(pcaEpochFigure(curves, { classLabel: cl }), 'pca', `pca_class${opts.classIndex ?? 'None'}`);
        break;
      }
      case 'hist': {
        const { f, labels } = await features();
        const hs = await cosineHistograms({ ...f, labels }, { bins: 40, numClasses: dataset().numClasses });
        for (const h of hs) await save(cosineHistogramFigure(h, { classes: classes() }), 'hist', `hist_${h.i}v${h.j}`);
        break;
      }
      case 'heat': {
        const { f, labels, epoch } = await features();
        const g = await absGramGrid({ ...f, labels }, opts.heatRes, { numClasses: dataset().numClasses });
        await save(heatmapFigure(g, { classes: classes() }), 'heatmaps', `heatmat_epoch${epoch}`);
        break;
      }
      case 'traintest': {
        const testFile = path.join(opts.modelDir, 'losses_test.csv');
        if (!fs.existsSync(testFile)) await generateTestLosses(opts.modelDir, { dataDir: opts.dataDir, log });
        await save(trainTestFigure(run.readLosses(), readLossesCsv(testFile)), 'traintest', 'loss_traintest');
        break;
      }
      case 'acc': {
        const accFile = path.join(opts.modelDir, 'accuracy.csv');
        if (!fs.existsSync(accFile)) await generateAccuracy(opts.modelDir, { dataDir: opts.dataDir, log });
        await save(accuracyCurveFigure(readAccuracyCsv(accFile)), 'acc', 'acc_traintest');
        break;
      }
      case 'nearcomp_sup': {
        const { f, labels, ds } = await features();
        const r = nearestPerComponent({ ...f, labels }, 10, ds.numClasses);
        await save(nearestSupFigure(ds, r.index, r.value, ds.classes), 'nearcomp_sup', 'nearest_data');
        break;
      }
      case 'nearcomp_unsup': {
        const { f, ds } = await features();
        const k = Math.min(comp, f.dim - 1);
        const r = nearestToComponents(f, k, 10);
        for (let j = 0; j < k; j++) await save(nearestUnsupFigure(ds, j, r.index[j], r.value[j]), 'nearcomp_unsup', `nearest_comp${j}`);
        break;
      }
      case 'nearcomp_class': {
        const { f, labels, ds } = await features();
        const co = sortByClass(labels, ds.numClasses);
        const which = opts.classIndex === undefined ? [...Array(ds.numClasses).keys()] : [opts.classIndex];
        for (const c of which) {
          const members = co.order.subarray(co.offsets[c], co.offsets[c + 1]);
          if (members.length === 0) continue;
          const r = nearestToComponents({ features: gatherRows(f.features, f.dim, members), n: members.length, dim: f.dim }, 8, 10);
          const index = r.index.map((row) => row.map((i) => members[i]));
          await save(nearestClassFigure(ds, c, index, r.value, ds.classes[c]), 'nearcomp_class', `nearest_class${c}`);
        }
        break;
      }
    }
    seconds[name] = (Date.now() - t) / 1000;
    log(`${name}: ${seconds[name].toFixed(1)} s`);
  }
  return { written, seconds };
}
