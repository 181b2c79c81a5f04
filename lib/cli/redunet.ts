// `mcr2 gaussian2d | gaussian3d | mnist1d | mnist2d`: the official ReduNet drivers (redunet_paper's
// gaussian2d.py, gaussian3d.py, mnist1d.py, mnist2d.py) with their flags. Each constructs the network
// on the train set, passes the test set (and the shifted sets) through it, and writes a run folder as
// the official does: params.json, loss/<set>.csv (loss_total, loss_expd, loss_comp per layer),
// features/<X|Z>_<set>_{features,labels}.npy, acc_<set>.json (svm, knn, nearsub-svd on Z); in place
// of weights/*.npy one model.safetensors (every layer's E, C_j, γ; ReduNet.load reads it); and, as
// mcr2-ts additions, accuracies.json (the same three on the input X too) and figures/.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initBackend } from '../accel/backend.js';
import { unitRows } from '../data/synthetic.js';
import { absGramGrid } from '../features/analysis.js';
import { writeFileAtomic } from '../io/files.js';
import { writeNpy } from '../io/npz.js';
import { displayPath } from '../io/paths.js';
import { formatDuration } from '../io/progress.js';
import { pyFloat } from '../io/pyformat.js';
import { opt, type OptionsOf, requiredRow, resolve, type Spec, toParams } from '../options/spec.js';
import { heatmapFigure } from '../plot/feature_figures.js';
import { closeRenderer, saveFigure } from '../plot/render.js';
import {
  type Accuracies,
  type AccuracyOptions,
  accuracies,
  DRIVER_ACCURACY,
  GAUSSIAN_DEFAULTS,
  gaussianData,
  MNIST_SHIFT_DEFAULTS,
  mnistShiftData,
  type Rows,
} from '../redunet/experiments.js';
import { layerLossFigure, pointsFigure } from '../redunet/figures.js';
import type { LayerLoss } from '../redunet/layer.js';
import { REDUNET_DEFAULTS, ReduNet, type ReduPass } from '../redunet/redunet.js';
import { type Command, command } from './command.js';

const MCR2_TS = '(mcr2-ts)';

/** The rows every driver has; `layers`' default is the driver's. */
const common = (layersDefault: number) => ({
  layers: opt.int(layersDefault, { flag: 'layers', min: 1, help: 'number of layers' }),
  eta: opt.float(REDUNET_DEFAULTS.eta, { flag: 'eta', help: 'learning rate' }),
  eps: opt.float(REDUNET_DEFAULTS.eps, { flag: 'eps', help: 'eps squared' }),
});
const TAIL_DIR = {
  tail: opt.text('', { flag: 'tail', help: 'extra information to add to folder name' }),
  saveDir: opt.text('./saved_models/', { flag: 'save_dir', help: 'base directory for saving the run folder' }),
  noFigures: opt.bool(false, { flag: 'no_figures', help: `write no figures/ (no Chromium started) ${MCR2_TS}` }),
};

const GAUSSIAN_SPEC = {
  data: requiredRow(opt.int(0, { flag: 'data', min: 0, help: 'choice of distributions for data' })),
  noise: opt.float(GAUSSIAN_DEFAULTS.noise, { flag: 'noise', help: 'noise' }),
  samples: opt.int(GAUSSIAN_DEFAULTS.samples, { flag: 'samples', min: 1, help: 'number of samples for initialization' }),
  ...common(50),
  ...TAIL_DIR,
  seed: opt.int(GAUSSIAN_DEFAULTS.seed, { flag: 'seed', min: 0, help: `seed of the data draw (the official draws unseeded) ${MCR2_TS}` }),
};

const MNIST_REST = {
  classes: opt.ints([...MNIST_SHIFT_DEFAULTS.classes], {
    flag: 'classes',
    min: 0,
    what: 'class indices',
    help: 'Classes to Keep (Example: 0 1; or 0,1)',
  }),
  outchannels: opt.int(5, { flag: 'outchannels', min: 1, help: 'number of output channels for kernel' }),
  ksize: opt.int(9, { flag: 'ksize', min: 1, help: 'kernel size' }),
  ...common(10),
  lmbda: opt.float(REDUNET_DEFAULTS.lambda, { flag: 'lmbda', help: 'lambda' }),
  ...TAIL_DIR,
  dataDir: opt.maybeText({ flag: 'data_dir', help: 'base directory of the datasets (default: the package datasets/ folder)' }),
};
const SAMPLES = opt.int(MNIST_SHIFT_DEFAULTS.samples, { flag: 'samples', min: 1, help: 'number of samples for initialization' });
const MNIST2D_SPEC = { samples: SAMPLES, ...MNIST_REST };
const MNIST1D_SPEC = {
  samples: SAMPLES,
  time: opt.int(MNIST_SHIFT_DEFAULTS.time, { flag: 'time', min: 1, help: 'number of timesteps' }),
  channels: opt.int(MNIST_SHIFT_DEFAULTS.channels, { flag: 'channels', min: 1, help: 'number of channels' }),
  ...MNIST_REST,
};

/**
 * params.json as the driver's `vars(args)`: every flag under its name; a flag not given that has no
 * default (--data_dir) and an unset switch (--no_figures) left out, as argparse leaves them None.
 */
function paramsOf<S extends Spec>(spec: S, o: OptionsOf<S>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(toParams(spec, o)).filter(([, v]) => v !== undefined && v !== false));
}

/** json.dump(params, indent=2, sort_keys=True) as Python writes it (floats as Python's repr). */
function pyJson(o: Record<string, unknown>, floats: ReadonlySet<string>): string {
  const val = (k: string, v: unknown): string =>
    typeof v === 'number' && floats.has(k) ? pyFloat(v) : Array.isArray(v) ? `[\n    ${v.join(',\n    ')}\n  ]` : JSON.stringify(v);
  const keys = Object.keys(o).sort();
  return `{\n${keys.map((k) => `  ${JSON.stringify(k)}: ${val(k, o[k])}`).join(',\n')}\n}`;
}

/** A run folder being written. */
class RunWriter {
  constructor(readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
  }
  file(rel: string, text: string): void {
    fs.mkdirSync(path.dirname(path.join(this.dir, rel)), { recursive: true });
    writeFileAtomic(path.join(this.dir, rel), text);
  }
  /** loss/<name>.csv as pandas writes utils.save_loss's DataFrame. */
  losses(name: string, rows: LayerLoss[]): void {
    this.file(
      `loss/${name}.csv`,
      `,loss_total,loss_expd,loss_comp\n${rows.map((r, i) => `${i},${pyFloat(r.deltaR)},${pyFloat(r.R)},${pyFloat(r.Rc)}`).join('\n')}\n`,
    );
  }
  /** features/<name>_features.npy and _labels.npy (utils.save_features). */
  features(name: string, x: Rows, shape: readonly number[], labels: ArrayLike<number>): void {
    fs.mkdirSync(path.join(this.dir, 'features'), { recursive: true });
    writeNpy(path.join(this.dir, 'features', `${name}_features.npy`), { data: x.features, shape: [x.n, ...shape] });
    writeNpy(path.join(this.dir, 'features', `${name}_labels.npy`), { data: Int32Array.from(labels) });
  }
  accuracy(name: string, acc: Accuracies): void {
    this.file(`${name}.json`, pyJson({ ...acc }, new Set(Object.keys(acc))));
  }
}

/** Prints the official per-layer line, every layer of short passes and about 20 lines of long ones. */
function layerPrinter(label: string) {
  return (e: { layer: number; layers: number; loss?: LayerLoss }) => {
    const every = Math.max(1, Math.ceil(e.layers / 20));
    if (e.loss && (e.layer % every === 0 || e.layer === e.layers - 1))
      console.log(
        `${label} layer: ${e.layer} | loss_total: ${e.loss.deltaR.toFixed(6)} | loss_expd: ${e.loss.R.toFixed(6)} | loss_comp: ${e.loss.Rc.toFixed(6)}`,
      );
  };
}

interface SetRun {
  name: string;
  x: Rows & { labels: Int32Array };
  z: ReduPass;
}

/** The network through every set; losses, features and accuracies written as the driver does. */
async function finish(
  out: RunWriter,
  net: ReduNet,
  sets: SetRun[],
  shapes: { x: readonly number[]; z: readonly number[] },
  judge: AccuracyOptions,
  t0: number,
  figures: boolean,
): Promise<Record<string, { X: Accuracies; Z: Accuracies }>> {
  const train = sets[0];
  for (const s of sets) {
    out.losses(s.name, s.z.losses);
    out.features(`X_${s.name}`, s.x, shapes.x, s.x.labels);
    out.features(`Z_${s.name}`, s.z, shapes.z, s.x.labels);
  }
  const summary: Record<string, { X: Accuracies; Z: Accuracies }> = {};
  for (const s of sets) {
    const Z = await accuracies(train.z, train.x.labels, s.z, s.x.labels, judge);
    const X = await accuracies(train.x, train.x.labels, s.x, s.x.labels, judge);
    out.accuracy(`acc_${s.name}`, Z);
    summary[s.name] = { X, Z };
    console.log(
      `${s.name}: Z svm ${Z.svm.toFixed(4)} knn ${Z.knn.toFixed(4)} nearsub ${Z['nearsub-svd'].toFixed(4)} (X: ${X.svm.toFixed(4)} ${X.knn.toFixed(4)} ${X['nearsub-svd'].toFixed(4)})`,
    );
  }
  out.file('accuracies.json', `${JSON.stringify(summary, null, 2)}\n`);
  net.save(path.join(out.dir, 'model.safetensors'));
  if (figures)
    await saveFigure(
      layerLossFigure({ train: sets[0].z.losses, test: sets[1].z.losses }, { title: 'ΔR, R, Rᶜ per layer (train solid, test dashed)' }),
      path.join(out.dir, 'figures'),
      'loss-traintest',
    );
  console.log(`run folder ${displayPath(out.dir)} (${formatDuration((Date.now() - t0) / 1000)})`);
  return summary;
}

async function gaussianCommand(dim: 2 | 3, f: OptionsOf<typeof GAUSSIAN_SPEC>): Promise<void> {
  const t0 = Date.now();
  await initBackend();
  const dir = path.join(
    f.saveDir,
    `gaussian${dim}d`,
    `data${f.data}_noise${pyFloat(f.noise)}`,
    `samples${f.samples}_layers${f.layers}_eps${pyFloat(f.eps)}_eta${pyFloat(f.eta)}${f.tail}`,
  );
  const out = new RunWriter(dir);
  out.file('params.json', pyJson(paramsOf(GAUSSIAN_SPEC, f), new Set(['noise', 'eta', 'eps'])));
  console.log(displayPath(dir));
  const { train, test } = gaussianData({
    dim,
    data: f.data,
    noise: f.noise,
    samples: f.samples,
    seed: f.seed,
  });
  const net = new ReduNet({ layers: f.layers, eta: f.eta, eps: f.eps, onLayer: layerPrinter('train') });
  console.log('Forward pass - train features');
  await net.fit(train, train.labels);
  console.log('Forward pass - test features');
  const zTest = await net.passThrough(test, { onLayer: layerPrinter('test') });
  const sets = [
    { name: 'train', x: train, z: net.fitted },
    { name: 'test', x: test, z: zTest },
  ];
  await finish(out, net, sets, { x: [dim], z: [dim] }, DRIVER_ACCURACY[dim === 2 ? 'gaussian2d' : 'gaussian3d'], t0, !f.noFigures);
  if (f.noFigures) return;
  const figs = path.join(dir, 'figures');
  for (const s of sets) {
    await saveFigure(
      pointsFigure([{ title: `X_${s.name}`, features: s.x.features, labels: s.x.labels }], dim),
      figs,
      `scatter${dim}d-X_${s.name}`,
    );
    await saveFigure(
      pointsFigure([{ title: `Z_${s.name}`, features: s.z.features, labels: s.x.labels }], dim),
      figs,
      `scatter${dim}d-Z_${s.name}`,
    );
  }
  await closeRenderer();
}

async function mnistCommand(
  invariance: 1 | 2,
  f: OptionsOf<typeof MNIST2D_SPEC> & { time?: number; channels?: number },
  spec: Spec,
): Promise<void> {
  const t0 = Date.now();
  await initBackend();
  const classes = f.classes;
  const name = `mnist${invariance}d-classes${classes.join('')}`;
  const size = invariance === 1 ? `time${f.time}channels${f.channels}samples${f.samples}` : `samples${f.samples}`;
  const dir = path.join(
    f.saveDir,
    name,
    `${size}_layers${f.layers}_outchannels${f.outchannels}_ksize${f.ksize}_eps${pyFloat(f.eps)}_eta${pyFloat(f.eta)}${f.tail}`,
  );
  const out = new RunWriter(dir);
  out.file('params.json', pyJson(paramsOf(spec, f), new Set(['eta', 'eps', 'lmbda'])));
  console.log(displayPath(dir));
  const data = mnistShiftData({
    invariance,
    classes,
    samples: f.samples,
    channels: f.channels,
    time: f.time,
    dataDir: f.dataDir,
  });
  const shape = data.train.shape;
  const net = new ReduNet({
    layers: f.layers,
    eta: f.eta,
    eps: f.eps,
    lambda: f.lmbda,
    numClasses: data.numClasses,
    shape,
    lift: { outChannels: f.outchannels, kernelSize: f.ksize },
    onLayer: layerPrinter('train'),
  });
  console.log('Forward pass - train features');
  await net.fit(data.train, data.train.labels);
  const sets: SetRun[] = [{ name: 'train', x: data.train, z: net.fitted }];
  for (const [set, x] of [
    ['test', data.test],
    ['translate_train', data.shiftedTrain],
    ['translate_test', data.shiftedTest],
  ] as const) {
    console.log(`Forward pass - ${set.replace('_', 'd ')} features`);
    sets.push({ name: set, x, z: await net.passThrough(x, { onLayer: layerPrinter(set) }) });
  }
  const zShape = [net.channels, ...shape.slice(1)];
  await finish(out, net, sets, { x: shape, z: zShape }, DRIVER_ACCURACY[invariance === 1 ? 'mnist1d' : 'mnist2d'], t0, !f.noFigures);
  if (f.noFigures) return;
  const figs = path.join(dir, 'figures');
  for (const s of sets) {
    for (const [what, rows] of [
      ['X', s.x],
      ['Z', s.z],
    ] as const) {
      const unit = { features: unitRows(rows.features, rows.dim), labels: s.x.labels, n: rows.n, dim: rows.dim };
      const g = await absGramGrid(unit, 500, { numClasses: data.numClasses });
      await saveFigure(heatmapFigure(g, { title: `|cos| of ${what}_${s.name}, sorted by class` }), figs, `heatmap-${what}_${s.name}`);
    }
  }
  await closeRenderer();
}

/** The commands, for lib/cli/main.ts. */
export const REDUNET_COMMANDS: Record<string, Command> = {
  gaussian2d: command(
    'ReduNet on a mixture of Gaussians on the circle (gaussian2d.py; the paper: --data 1 --samples 500 --layers 2000).',
    GAUSSIAN_SPEC,
    (o) => gaussianCommand(2, resolve(GAUSSIAN_SPEC, o, 'gaussian2d')),
  ),
  gaussian3d: command(
    'ReduNet on a mixture of Gaussians on the sphere (gaussian3d.py; the paper: --data 1 --samples 500 --layers 2000).',
    GAUSSIAN_SPEC,
    (o) => gaussianCommand(3, resolve(GAUSSIAN_SPEC, o, 'gaussian3d')),
  ),
  mnist1d: command(
    'Rotation-invariant ReduNet on MNIST in polar coordinates (mnist1d.py; the paper: --channels 15 --time 200 --outchannels 20 --ksize 5 --layers 40).',
    MNIST1D_SPEC,
    (o) => mnistCommand(1, resolve(MNIST1D_SPEC, o, 'mnist1d'), MNIST1D_SPEC),
  ),
  mnist2d: command(
    'Translation-invariant ReduNet on MNIST images (mnist2d.py; the paper: --outchannels 75 --ksize 9 --layers 25).',
    MNIST2D_SPEC,
    (o) => mnistCommand(2, resolve(MNIST2D_SPEC, o, 'mnist2d'), MNIST2D_SPEC),
  ),
};
