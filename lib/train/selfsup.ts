// Self-supervised MCR² (train_selfsup.py, "MCR²-CTRL"): every batch is numImg images x numAug views
// (lib/data/augment.ts) and the loss treats each image's views as one class, so features of one
// image's augmentations are compressed together while different images are spread apart.
import * as path from 'node:path';
import { AugmentLoader, type SamplerName } from '../data/augment.js';
import { getTransform, TRANSFORMS } from '../data/batches.js';
import { DATASET_NAMES, firstN, loadDataset, normaliseDatasetName } from '../data/index.js';
import { MaximalCodingRateReduction } from '../loss/mcr2.js';
import { ARCH_NAMES, archDefaultChunk } from '../models/index.js';
import { createNetwork } from '../models/network.js';
import { defaultDataDir, displayPath } from '../io/paths.js';
import { pyFloat, pyInt } from '../io/pyformat.js';
import { checkInt, checkInts, checkKnownKeys, checkNumber, checkOneOf, OptionError } from '../io/options.js';
import { pretrainedWeights, type TrainingPlan } from './plan.js';
import { toParams } from './supervised.js';

/** The options of self-supervised training (train_selfsup.py's arguments under camelCase names). */
export interface SelfSupOptions {
  arch: string;
  featureDim: number;
  data: string;
  epochs: number;
  batchSize: number;
  numAug: number;
  lr: number;
  momentum: number;
  weightDecay: number;
  gam1: number;
  gam2: number;
  eps: number;
  tail: string;
  transform: string;
  sampler: SamplerName;
  pretrainDir: string | null;
  pretrainEpoch: number | null;
  saveDir: string;
  dataDir: string | null;
  milestones: number[];
  seed: number;
  shuffle: boolean;
  subset: number;
  workers: number;
  chunk: number;
}

/** The defaults: train_selfsup.py's as shipped, one comment each. */
export const SELFSUP_DEFAULTS: Readonly<SelfSupOptions> = {
  arch: 'resnet18', // network (ARCH_NAMES)
  featureDim: 32, // feature dimension p
  data: 'cifar10', // dataset (DATASET_NAMES)
  epochs: 50, // epochs to train
  batchSize: 1000, // views per step (batchSize / numAug images)
  numAug: 50, // augmented views of each image in a batch (the first one untransformed)
  lr: 0.001, // SGD learning rate
  momentum: 0.9, // SGD momentum
  weightDecay: 5e-4, // SGD weight decay
  gam1: 1.0, // γ₁: weight of ZᵀZ inside the discriminative logdet
  gam2: 10, // γ₂: weight of the discriminative term in the loss
  eps: 2, // ε²
  tail: '', // appended to the run folder's name
  transform: 'default', // augmentation of the views (TRANSFORMS)
  sampler: 'random', // 'random': images in order (or a seeded sample with shuffle); 'balance': equal classes
  pretrainDir: null, // start from this run folder's weights (its arch and featureDim)
  pretrainEpoch: null, // ... from this epoch's checkpoint; null: its latest
  saveDir: './saved_models/', // where run folders go
  dataDir: null, // where datasets are read; null: the package's datasets/ folder
  milestones: [30, 60], // epochs after which lr is multiplied by 0.1 (official: hard-coded)
  seed: 0, // seed of the initial weights, sampling and augmentations
  shuffle: false, // random sampler: a seeded sample of images each epoch instead of dataset order
  subset: 0, // train on the first N images only; 0: all
  workers: -1, // data-parallel worker threads besides this one; -1: one per extra core on wasm/cpu
  chunk: -1, // rows per forward/backward chunk (bounded memory); -1: the architecture's, 0: none
};

/** params.json key of each option: the official argument names. */
export const SELFSUP_PARAM_KEYS: Readonly<Record<keyof SelfSupOptions, string>> = {
  arch: 'arch',
  featureDim: 'fd',
  data: 'data',
  epochs: 'epo',
  batchSize: 'bs',
  numAug: 'aug',
  lr: 'lr',
  momentum: 'mom',
  weightDecay: 'wd',
  gam1: 'gam1',
  gam2: 'gam2',
  eps: 'eps',
  tail: 'tail',
  transform: 'transform',
  sampler: 'sampler',
  pretrainDir: 'pretrain_dir',
  pretrainEpoch: 'pretrain_epo',
  saveDir: 'save_dir',
  dataDir: 'data_dir',
  milestones: 'milestones',
  seed: 'seed',
  shuffle: 'shuffle',
  subset: 'subset',
  workers: 'workers',
  chunk: 'chunk',
};

const SAME_RUN: Array<keyof SelfSupOptions> = [
  'arch',
  'featureDim',
  'data',
  'epochs',
  'batchSize',
  'numAug',
  'lr',
  'momentum',
  'weightDecay',
  'gam1',
  'gam2',
  'eps',
  'transform',
  'sampler',
  'milestones',
  'seed',
  'shuffle',
  'subset',
];

/** selfsup_{arch}+{fd}_{data}_epo{epo}_bs{bs}_aug{aug}+{transform}_lr{lr}_mom{mom}_wd{wd}_gam1{gam1}_gam2{gam2}_eps{eps}{tail} */
export function selfsupRunName(o: SelfSupOptions): string {
  return (
    `selfsup_${o.arch}+${pyInt(o.featureDim)}_${o.data}_epo${pyInt(o.epochs)}_bs${pyInt(o.batchSize)}_aug${pyInt(o.numAug)}+${o.transform}` +
    `_lr${pyFloat(o.lr)}_mom${pyFloat(o.momentum)}_wd${pyFloat(o.weightDecay)}_gam1${pyFloat(o.gam1)}_gam2${pyFloat(o.gam2)}_eps${pyFloat(o.eps)}${o.tail}`
  );
}

export function resolveSelfSup(options: Partial<SelfSupOptions>): SelfSupOptions {
  checkKnownKeys(options, SELFSUP_DEFAULTS, 'self-supervised training');
  const o: SelfSupOptions = { ...SELFSUP_DEFAULTS, milestones: [...SELFSUP_DEFAULTS.milestones] };
  for (const [k, v] of Object.entries(options)) if (v !== undefined) (o as unknown as Record<string, unknown>)[k] = v;
  o.data = normaliseDatasetName(String(o.data));
  o.dataDir = o.dataDir ?? defaultDataDir();
  checkOneOf(o, 'arch', ARCH_NAMES);
  checkOneOf(o, 'data', DATASET_NAMES);
  checkOneOf(o, 'transform', Object.keys(TRANSFORMS));
  checkOneOf(o, 'sampler', ['random', 'balance']);
  for (const k of ['featureDim', 'epochs', 'batchSize', 'numAug'] as const) checkInt(o, k, 1);
  for (const k of ['subset', 'seed'] as const) checkInt(o, k, 0);
  for (const k of ['workers', 'chunk'] as const) checkInt(o, k, -1);
  for (const k of ['lr', 'momentum', 'weightDecay', 'gam1'] as const) checkNumber(o, k, { min: 0 });
  checkNumber(o, 'gam2');
  checkNumber(o, 'eps', { above: 0 });
  checkInts(o, 'milestones', 0, 'epoch numbers');
  if (o.pretrainEpoch !== null) checkInt(o, 'pretrainEpoch', 0);
  if (o.batchSize < o.numAug)
    throw new OptionError('batchSize', (n) => `${n} (${o.batchSize}) must be at least the views per image (${o.numAug})`);
  return o;
}

export function selfsupPlan(options: Partial<SelfSupOptions>, log: (l: string) => void, runDir?: string): TrainingPlan {
  const o = resolveSelfSup(options);
  const pre = o.pretrainDir ? pretrainedWeights(o.pretrainDir, o.pretrainEpoch) : undefined;
  if (pre) {
    o.arch = pre.arch;
    o.featureDim = pre.fd;
  }
  const train = firstN(loadDataset(o.data, 'train', { dataDir: o.dataDir ?? undefined }), o.subset);
  const transform = getTransform(o.transform);
  const loader = new AugmentLoader(train, { batchSize: o.batchSize, numAug: o.numAug, transform, sampler: o.sampler, shuffle: o.shuffle });
  // The views are what the network sees: the transform's output size (32x32 for 'default').
  const [oh, ow] = transform.outSize(train.height, train.width);
  const inputShape: [number, number, number] = [oh, ow, train.channels];
  const model = createNetwork(o.arch, o.featureDim, { seed: o.seed, inputShape });
  try {
    if (pre) pre.load(model);
  } catch (e) {
    model.dispose();
    throw e;
  }
  log(
    `data: ${train.name} train, ${train.n} images ${train.height}x${train.width}x${train.channels} from ${displayPath(train.source)}; ` +
      `${loader.numImg} images x ${o.numAug} views per batch (${o.transform}, ${o.sampler} sampler)`,
  );
  return {
    kind: 'selfsup',
    options: o,
    runDir: runDir ?? path.join(o.saveDir, selfsupRunName(o)),
    params: { ...toParams(o, SELFSUP_PARAM_KEYS), input_shape: inputShape },
    sameRunKeys: SAME_RUN.map((k) => SELFSUP_PARAM_KEYS[k]),
    model,
    loss: new MaximalCodingRateReduction({ gam1: o.gam1, gam2: o.gam2, eps: o.eps }),
    build: { arch: o.arch, fd: o.featureDim, seed: o.seed, inputShape },
    epochs: o.epochs,
    lr: o.lr,
    momentum: o.momentum,
    weightDecay: o.weightDecay,
    milestones: o.milestones,
    seed: o.seed,
    batchSize: loader.numImg * o.numAug,
    workers: o.workers,
    chunk: o.chunk >= 0 ? o.chunk : archDefaultChunk(o.arch),
    stepsPerEpoch: loader.steps,
    train,
    trainLabels: train.labels,
    labelsChanged: 0,
    dataDir: o.dataDir ?? defaultDataDir(),
    batches: function* (_epoch, rng) {
      for (const b of loader.epoch(rng)) yield { data: b.data, shape: b.shape, labels: b.batchIdx, numClasses: loader.numImg };
    },
    checkpointEvery: 20,
    describe: {
      arch: o.arch,
      fd: String(o.featureDim),
      loss: 'mcr2-selfsup',
      format: 'mcr2-ts NHWC; conv [kh,kw,in,out], linear [in,out]',
    },
  };
}
