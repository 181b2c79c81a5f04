// Supervised MCR² training (train_sup.py): the flags, defaults, folder name, logs and checkpoints
// of the official script, plus --milestones, --seed, --loss ce (the cross-entropy baseline) and
// resuming an interrupted run.
import * as path from 'node:path';
import type { BackendInfo } from '../backend/backend.js';
import { corruptLabels, countChanged } from '../data/corrupt.js';
import { getTransform, imageBatchData } from '../data/batches.js';
import { firstN, loadDataset, normaliseDatasetName } from '../data/index.js';
import { MaximalCodingRateReduction } from '../loss/mcr2.js';
import { CrossEntropyLoss } from '../loss/cross_entropy.js';
import { archDefaultChunk } from '../models/index.js';
import { createNetwork, type Network } from '../models/network.js';
import { defaultDataDir, defaultSaveDir } from '../io/paths.js';
import { pyFloat, pyInt } from '../io/pyformat.js';
import { pretrainedWeights, trainingBackend, trainLoop, type TrainHooks } from './loop.js';
import { RunFolder } from './run_folder.js';

export type { EpochSummary, TrainHooks } from './loop.js';

/** train_sup.py's arguments (snake_case, as they appear in params.json). */
export interface SupervisedConfig {
  arch: string;
  fd: number;
  data: string;
  epo: number;
  bs: number;
  lr: number;
  mom: number;
  wd: number;
  gam1: number;
  gam2: number;
  eps: number;
  corrupt: string;
  lcr: number;
  lcs: number;
  tail: string;
  transform: string;
  save_dir: string;
  data_dir: string;
  pretrain_dir: string | null;
  pretrain_epo: number | null;
  /** Epochs after which the learning rate is multiplied by 0.1 (official: hard-coded [200, 400, 600]). */
  milestones: number[];
  /** Seed of the initial weights, batch order and augmentations. */
  seed: number;
  /** A fresh seeded permutation every epoch (the official loader does not shuffle). */
  shuffle: boolean;
  /** Train on the first N training images only (0 = all); for quick runs. */
  subset: number;
  /** Data-parallel worker threads besides this one; −1: one per extra core on wasm/cpu (MCR2_WORKERS). */
  workers: number;
  /** Rows per forward/backward chunk; −1: the architecture's default (bounded memory), 0: none. */
  chunk: number;
  /** 'mcr2', or 'ce' for the cross-entropy baseline (same backbone, linear classifier on its features). */
  loss: 'mcr2' | 'ce';
}

/** The official code's defaults (train_sup.py as shipped, not its README's help text). */
export const SUPERVISED_DEFAULTS: SupervisedConfig = {
  arch: 'resnet18',
  fd: 128,
  data: 'cifar10',
  epo: 800,
  bs: 1000,
  lr: 0.001,
  mom: 0.9,
  wd: 5e-4,
  gam1: 1.0,
  gam2: 1.0,
  eps: 0.5,
  corrupt: 'default',
  lcr: 0.0,
  lcs: 10,
  tail: '',
  transform: 'default',
  save_dir: './saved_models/',
  data_dir: './data/',
  pretrain_dir: null,
  pretrain_epo: null,
  milestones: [200, 400, 600],
  seed: 0,
  shuffle: true,
  subset: 0,
  workers: -1,
  chunk: -1,
  loss: 'mcr2',
};

/** The official folder name: sup_{arch}+{fd}_{data}_epo{epo}_bs{bs}_lr{lr}_mom{mom}_wd{wd}_gam1{gam1}_gam2{gam2}_eps{eps}_lcr{lcr}{tail}. */
export function supervisedRunName(c: SupervisedConfig): string {
  return (
    `sup_${c.arch}+${pyInt(c.fd)}_${c.data}_epo${pyInt(c.epo)}_bs${pyInt(c.bs)}_lr${pyFloat(c.lr)}_mom${pyFloat(c.mom)}` +
    `_wd${pyFloat(c.wd)}_gam1${pyFloat(c.gam1)}_gam2${pyFloat(c.gam2)}_eps${pyFloat(c.eps)}_lcr${pyFloat(c.lcr)}${c.loss === 'ce' ? '_ce' : ''}${c.tail}`
  );
}

export interface TrainResult {
  runDir: string;
  config: SupervisedConfig;
  backend: BackendInfo;
  /** The trained network, in eval mode (caller disposes). */
  model: Network;
  /** Training images per second over the steps run in this call (excludes checkpointing). */
  imagesPerSecond: number;
  seconds: number;
  epochsRun: number;
  labelsChanged: number;
}

const SAME_RUN_KEYS: Array<keyof SupervisedConfig> = [
  'arch',
  'fd',
  'data',
  'epo',
  'bs',
  'lr',
  'mom',
  'wd',
  'gam1',
  'gam2',
  'eps',
  'corrupt',
  'lcr',
  'lcs',
  'transform',
  'milestones',
  'seed',
  'shuffle',
  'subset',
  'loss',
];

function validate(c: SupervisedConfig): void {
  const posInt = (k: keyof SupervisedConfig) => {
    const v = c[k] as number;
    if (!Number.isInteger(v) || v < 1) throw new Error(`--${k} must be a positive integer, got ${v}`);
  };
  posInt('epo');
  posInt('bs');
  posInt('fd');
  if (!(c.lcr >= 0 && c.lcr <= 1)) throw new Error(`--lcr must be in [0, 1], got ${c.lcr}`);
  if (!Number.isInteger(c.subset) || c.subset < 0) throw new Error(`--subset must be an integer ≥ 0, got ${c.subset}`);
  if (c.milestones.some((m) => !Number.isInteger(m) || m < 0)) throw new Error(`--milestones must be epoch numbers, got ${c.milestones}`);
  if (c.loss !== 'mcr2' && c.loss !== 'ce') throw new Error(`--loss must be mcr2 or ce, got ${c.loss}`);
}

export async function trainSupervised(config: Partial<SupervisedConfig>, hooks: TrainHooks = {}): Promise<TrainResult> {
  const log = hooks.log ?? ((l: string) => console.log(l));
  const c: SupervisedConfig = { ...SUPERVISED_DEFAULTS, save_dir: defaultSaveDir(), data_dir: defaultDataDir(), ...config };
  c.data = normaliseDatasetName(c.data);
  validate(c);
  const backend = await trainingBackend(log);
  // Pretrained start: arch and fd come from the earlier run, as the official code does.
  const pre = c.pretrain_dir ? pretrainedWeights(c.pretrain_dir, c.pretrain_epo) : undefined;
  if (pre) {
    c.arch = pre.arch;
    c.fd = pre.fd;
  }
  const train = firstN(loadDataset(c.data, 'train', { dataDir: c.data_dir }), c.subset);
  const labels = corruptLabels(train.labels, c.corrupt, c.lcr, c.lcs);
  const labelsChanged = countChanged(labels, train.labels);
  const transform = getTransform(c.transform);
  const [oh, ow] = transform.outSize(train.height, train.width);
  const inputShape: [number, number, number] = [oh, ow, train.channels];
  const logits = c.loss === 'ce' ? train.numClasses : undefined;
  const model = createNetwork(c.arch, c.fd, { seed: c.seed, inputShape, logits });
  if (pre) model.loadStateDict(pre.state, pre.file);
  const steps = Math.floor(train.n / c.bs);
  if (steps === 0) {
    model.dispose();
    throw new Error(`--bs ${c.bs} is larger than the training set (${train.n} images)`);
  }
  log(
    `data: ${train.name} train, ${train.n} images ${train.height}x${train.width}x${train.channels} from ${train.source}` +
      (c.lcr > 0 ? `; labels corrupted (${c.corrupt}, ratio ${c.lcr}, seed ${c.lcs}): ${labelsChanged} changed` : ''),
  );
  const run = new RunFolder(path.join(c.save_dir, supervisedRunName(c)));
  const r = await trainLoop(
    {
      run,
      params: { ...c, num_classes: train.numClasses },
      sameRunKeys: SAME_RUN_KEYS,
      model,
      loss: c.loss === 'ce' ? new CrossEntropyLoss() : new MaximalCodingRateReduction({ gam1: c.gam1, gam2: c.gam2, eps: c.eps }),
      build: { arch: c.arch, fd: c.fd, seed: c.seed, inputShape, logits },
      epochs: c.epo,
      lr: c.lr,
      mom: c.mom,
      wd: c.wd,
      milestones: c.milestones,
      seed: c.seed,
      batchSize: c.bs,
      workers: c.workers,
      chunk: c.chunk >= 0 ? c.chunk : archDefaultChunk(c.arch),
      stepsPerEpoch: steps,
      batches: function* (_epoch, rng) {
        const order = c.shuffle ? rng.permutation(train.n) : Int32Array.from({ length: train.n }, (_, i) => i);
        for (let step = 0; step < steps; step++) {
          const idx = order.subarray(step * c.bs, (step + 1) * c.bs);
          const y = new Int32Array(idx.length);
          for (let i = 0; i < idx.length; i++) y[i] = labels[idx[i]];
          const { data, shape } = imageBatchData(train, idx, transform, rng);
          yield { data, shape, labels: y, numClasses: train.numClasses };
        }
      },
      describe: { arch: c.arch, fd: String(c.fd), loss: c.loss, format: 'mcr2-ts NHWC; conv [kh,kw,in,out], linear [in,out]' },
    },
    backend,
    hooks,
  );
  return {
    runDir: run.dir,
    config: c,
    backend,
    model,
    imagesPerSecond: r.imagesPerSecond,
    seconds: r.seconds,
    epochsRun: r.epochsRun,
    labelsChanged,
  };
}
