// `mcr2 gaussian2d | gaussian3d | mnist1d | mnist2d`: the official ReduNet drivers (redunet_paper's
// gaussian2d.py, gaussian3d.py, mnist1d.py, mnist2d.py) with their flags. Each constructs the network
// on the train set, passes the test set (and the shifted sets) through it, and writes a run folder as
// the official does: params.json, loss/<set>.csv (loss_total, loss_expd, loss_comp per layer),
// features/<X|Z>_<set>_{features,labels}.npy, acc_<set>.json (svm, knn, nearsub-svd on Z); in place
// of weights/*.npy one model.safetensors (every layer's E, C_j, γ; ReduNet.load reads it); and, as
// mcr2-ts additions, accuracies.json (the same three on the input X too) and figures/.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initBackend } from '../backend/backend.js';
import { unitRows } from '../features/synthetic.js';
import { writeFileAtomic } from '../io/files.js';
import { writeNpy } from '../io/npz.js';
import { displayPath } from '../io/paths.js';
import { formatDuration } from '../io/progress.js';
import { pyFloat } from '../io/pyformat.js';
import { absGramGrid } from '../plot/data.js';
import { heatmapFigure } from '../plot/feature_figures.js';
import { closeRenderer, saveFigure } from '../plot/render.js';
import { type Accuracies, accuracies, gaussianData, mnistShiftData, type Rows } from '../redunet/experiments.js';
import { layerLossFigure, pointsFigure } from '../redunet/figures.js';
import type { LayerLoss } from '../redunet/layer.js';
import { REDUNET_DEFAULTS, ReduNet, type ReduPass } from '../redunet/redunet.js';
import { type FlagSpecs, parseFlags, UsageError } from './args.js';

const MCR2_TS = '(mcr2-ts)';

const common = (layersDefault: number): FlagSpecs => ({
  layers: { type: 'int', help: 'number of layers', default: layersDefault },
  eta: { type: 'float', help: 'learning rate', default: REDUNET_DEFAULTS.eta },
  eps: { type: 'float', help: 'eps squared', default: REDUNET_DEFAULTS.eps },
});
const TAIL_DIR: FlagSpecs = {
  tail: { type: 'string', help: 'extra information to add to folder name', default: '' },
  save_dir: { type: 'string', help: 'base directory for saving the run folder', default: './saved_models/' },
  no_figures: { type: 'bool', help: `write no figures/ (no Chromium started) ${MCR2_TS}` },
};

const GAUSSIAN_FLAGS: FlagSpecs = {
  data: { type: 'int', help: 'choice of distributions for data (required)' },
  noise: { type: 'float', help: 'noise', default: 0.1 },
  samples: { type: 'int', help: 'number of samples for initialization', default: 100 },
  ...common(50),
  ...TAIL_DIR,
  seed: { type: 'int', help: `seed of the data draw (the official draws unseeded) ${MCR2_TS}`, default: 10 },
};

const MNIST_FLAGS = (invariance: 1 | 2): FlagSpecs => ({
  samples: { type: 'int', help: 'number of samples for initialization', default: 10 },
  ...(invariance === 1
    ? {
        time: { type: 'int', help: 'number of timesteps', default: 150 },
        channels: { type: 'int', help: 'number of channels', default: 9 },
      }
    : {}),
  classes: { type: 'ints', help: 'Classes to Keep (Example: 0 1; or 0,1)', default: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] },
  outchannels: { type: 'int', help: 'number of output channels for kernel', default: 5 },
  ksize: { type: 'int', help: 'kernel size', default: 9 },
  ...common(10),
  lmbda: { type: 'float', help: 'lambda', default: REDUNET_DEFAULTS.lambda },
  ...TAIL_DIR,
  data_dir: { type: 'string', help: 'base directory of the datasets (default: the package datasets/ folder)' },
});

/** argparse's nargs="+" for --classes: `--classes 0 1 2` becomes `--classes 0,1,2`. */
function joinListFlag(argv: string[], flag: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    out.push(argv[i]);
    if (argv[i] === `--${flag}`) {
      const vals: string[] = [];
      while (i + 1 < argv.length && !argv[i + 1].startsWith('--')) vals.push(argv[++i]);
      out.push(vals.join(','));
    }
  }
  return out;
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
  nComp: number,
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
    const Z = await accuracies(train.z, train.x.labels, s.z, s.x.labels, { nComp });
    const X = await accuracies(train.x, train.x.labels, s.x, s.x.labels, { nComp });
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

async function gaussianCommand(dim: 2 | 3, argv: string[]): Promise<void> {
  const f = parseFlags(argv, GAUSSIAN_FLAGS);
  if (f.data === undefined) throw new UsageError('the following arguments are required: --data');
  const t0 = Date.now();
  await initBackend();
  const dir = path.join(
    f.save_dir as string,
    `gaussian${dim}d`,
    `data${f.data}_noise${pyFloat(f.noise as number)}`,
    `samples${f.samples}_layers${f.layers}_eps${pyFloat(f.eps as number)}_eta${pyFloat(f.eta as number)}${f.tail}`,
  );
  const out = new RunWriter(dir);
  out.file('params.json', pyJson(f, new Set(['noise', 'eta', 'eps'])));
  console.log(displayPath(dir));
  const { train, test } = gaussianData({
    dim,
    data: f.data as number,
    noise: f.noise as number,
    samples: f.samples as number,
    seed: f.seed as number,
  });
  const net = new ReduNet({ layers: f.layers as number, eta: f.eta as number, eps: f.eps as number, onLayer: layerPrinter('train') });
  console.log('Forward pass - train features');
  await net.fit(train, train.labels);
  console.log('Forward pass - test features');
  const zTest = await net.passThrough(test, { onLayer: layerPrinter('test') });
  const sets = [
    { name: 'train', x: train, z: net.fitted },
    { name: 'test', x: test, z: zTest },
  ];
  await finish(out, net, sets, { x: [dim], z: [dim] }, dim === 2 ? 1 : 2, t0, f.no_figures !== true);
  if (f.no_figures === true) return;
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

async function mnistCommand(invariance: 1 | 2, argv: string[]): Promise<void> {
  const f = parseFlags(joinListFlag(argv, 'classes'), MNIST_FLAGS(invariance));
  const t0 = Date.now();
  await initBackend();
  const classes = f.classes as number[];
  const name = `mnist${invariance}d-classes${classes.join('')}`;
  const size = invariance === 1 ? `time${f.time}channels${f.channels}samples${f.samples}` : `samples${f.samples}`;
  const dir = path.join(
    f.save_dir as string,
    name,
    `${size}_layers${f.layers}_outchannels${f.outchannels}_ksize${f.ksize}_eps${pyFloat(f.eps as number)}_eta${pyFloat(f.eta as number)}${f.tail}`,
  );
  const out = new RunWriter(dir);
  out.file('params.json', pyJson(f, new Set(['eta', 'eps', 'lmbda'])));
  console.log(displayPath(dir));
  const data = mnistShiftData({
    invariance,
    classes,
    samples: f.samples as number,
    channels: f.channels as number | undefined,
    time: f.time as number | undefined,
    dataDir: f.data_dir as string | undefined,
  });
  const shape = data.train.shape;
  const net = new ReduNet({
    layers: f.layers as number,
    eta: f.eta as number,
    eps: f.eps as number,
    lambda: f.lmbda as number,
    numClasses: data.numClasses,
    shape,
    lift: { outChannels: f.outchannels as number, kernelSize: f.ksize as number },
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
  await finish(out, net, sets, { x: shape, z: zShape }, 10, t0, f.no_figures !== true);
  if (f.no_figures === true) return;
  const figs = path.join(dir, 'figures');
  for (const s of sets) {
    for (const [what, rows] of [
      ['X', s.x],
      ['Z', s.z],
    ] as const) {
      const g = await absGramGrid(unitRows(rows.features, rows.dim), s.x.labels, rows.dim, 500, { numClasses: data.numClasses });
      await saveFigure(heatmapFigure(g, { title: `|cos| of ${what}_${s.name}, sorted by class` }), figs, `heatmap-${what}_${s.name}`);
    }
  }
  await closeRenderer();
}

/** The commands, for lib/cli/main.ts. */
export const REDUNET_COMMANDS = {
  gaussian2d: {
    about: 'ReduNet on a mixture of Gaussians on the circle (gaussian2d.py; the paper: --data 1 --samples 500 --layers 2000).',
    flags: GAUSSIAN_FLAGS,
    run: (argv: string[]) => gaussianCommand(2, argv),
  },
  gaussian3d: {
    about: 'ReduNet on a mixture of Gaussians on the sphere (gaussian3d.py; the paper: --data 1 --samples 500 --layers 2000).',
    flags: GAUSSIAN_FLAGS,
    run: (argv: string[]) => gaussianCommand(3, argv),
  },
  mnist1d: {
    about:
      'Rotation-invariant ReduNet on MNIST in polar coordinates (mnist1d.py; the paper: --channels 15 --time 200 --outchannels 20 --ksize 5 --layers 40).',
    flags: MNIST_FLAGS(1),
    run: (argv: string[]) => mnistCommand(1, argv),
  },
  mnist2d: {
    about: 'Translation-invariant ReduNet on MNIST images (mnist2d.py; the paper: --outchannels 75 --ksize 9 --layers 25).',
    flags: MNIST_FLAGS(2),
    run: (argv: string[]) => mnistCommand(2, argv),
  },
};
