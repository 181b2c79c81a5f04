// Supervised MCR² training (train_sup.py): the official script's defaults, folder name, logs and
// checkpoints, plus milestones, a seed, shuffling, the cross-entropy baseline (loss 'ce') and
// resuming an interrupted run. The options are camelCase; params.json keeps the official
// snake_case names (SUPERVISED_PARAM_KEYS), so old run folders resume.
import * as path from 'node:path';
import { corruptLabels, countChanged, CORRUPTIONS } from '../data/corrupt.js';
import { getTransform, imageBatchData, TRANSFORMS } from '../data/batches.js';
import { DATASET_NAMES, firstN, loadDataset, normaliseDatasetName } from '../data/index.js';
import { MaximalCodingRateReduction } from '../loss/mcr2.js';
import { CrossEntropyLoss } from '../loss/cross_entropy.js';
import { ARCH_NAMES, archDefaultChunk } from '../models/index.js';
import { createNetwork } from '../models/network.js';
import { defaultDataDir, displayPath } from '../io/paths.js';
import { pyFloat, pyInt } from '../io/pyformat.js';
import { checkInt, checkInts, checkKnownKeys, checkNumber, checkOneOf, OptionError } from '../io/options.js';
import { pretrainedWeights, type TrainingPlan } from './plan.js';

/** The options of supervised training (train_sup.py's arguments under camelCase names). */
export interface SupervisedOptions {
  arch: string;
  featureDim: number;
  data: string;
  epochs: number;
  batchSize: number;
  lr: number;
  momentum: number;
  weightDecay: number;
  gam1: number;
  gam2: number;
  eps: number;
  corrupt: string;
  corruptRatio: number;
  corruptSeed: number;
  tail: string;
  transform: string;
  saveDir: string;
  dataDir: string | null;
  pretrainDir: string | null;
  pretrainEpoch: number | null;
  milestones: number[];
  seed: number;
  shuffle: boolean;
  subset: number;
  workers: number;
  chunk: number;
  loss: 'mcr2' | 'ce';
}

/** The defaults: train_sup.py's as shipped (not its README's help text), one comment each. */
export const SUPERVISED_DEFAULTS: Readonly<SupervisedOptions> = {
  arch: 'resnet18', // network (ARCH_NAMES); cnn-small is the MNIST protocol's
  featureDim: 128, // feature dimension p (unit-norm rows)
  data: 'cifar10', // dataset (DATASET_NAMES)
  epochs: 800, // epochs to train
  batchSize: 1000, // images per step; MCR² needs whole classes in a batch, so keep it large
  lr: 0.001, // SGD learning rate
  momentum: 0.9, // SGD momentum
  weightDecay: 5e-4, // SGD weight decay (every parameter, as the official code)
  gam1: 1.0, // γ₁: weight of ZᵀZ inside the discriminative logdet
  gam2: 1.0, // γ₂: weight of the discriminative term in the loss
  eps: 0.5, // ε² (the official flag is "eps squared")
  corrupt: 'default', // label corruption mode (CORRUPTIONS)
  corruptRatio: 0.0, // share of training labels corrupted (0: none)
  corruptSeed: 10, // seed of the corruption
  tail: '', // appended to the run folder's name
  transform: 'default', // training augmentation (TRANSFORMS); 'test' = none
  saveDir: './saved_models/', // where run folders go
  dataDir: null, // where datasets are read; null: the package's datasets/ folder
  pretrainDir: null, // start from this run folder's weights (its arch and featureDim)
  pretrainEpoch: null, // ... from this epoch's checkpoint; null: its latest
  milestones: [200, 400, 600], // epochs after which lr is multiplied by 0.1 (official: hard-coded)
  seed: 0, // seed of the initial weights, batch order and augmentations
  shuffle: true, // a fresh seeded order every epoch (the official loader keeps dataset order)
  subset: 0, // train on the first N images only; 0: all
  workers: -1, // data-parallel worker threads besides this one; -1: one per extra core on wasm/cpu
  chunk: -1, // rows per forward/backward chunk (bounded memory); -1: the architecture's, 0: none
  loss: 'mcr2', // 'mcr2', or 'ce': the cross-entropy baseline on the same backbone
};

/** params.json key of each option: the official argument names (and the run-folder name's). */
export const SUPERVISED_PARAM_KEYS: Readonly<Record<keyof SupervisedOptions, string>> = {
  arch: 'arch',
  featureDim: 'fd',
  data: 'data',
  epochs: 'epo',
  batchSize: 'bs',
  lr: 'lr',
  momentum: 'mom',
  weightDecay: 'wd',
  gam1: 'gam1',
  gam2: 'gam2',
  eps: 'eps',
  corrupt: 'corrupt',
  corruptRatio: 'lcr',
  corruptSeed: 'lcs',
  tail: 'tail',
  transform: 'transform',
  saveDir: 'save_dir',
  dataDir: 'data_dir',
  pretrainDir: 'pretrain_dir',
  pretrainEpoch: 'pretrain_epo',
  milestones: 'milestones',
  seed: 'seed',
  shuffle: 'shuffle',
  subset: 'subset',
  workers: 'workers',
  chunk: 'chunk',
  loss: 'loss',
};

/** Options that must match for a run folder to be resumed (the rest may change between sessions). */
const SAME_RUN: Array<keyof SupervisedOptions> = [
  'arch',
  'featureDim',
  'data',
  'epochs',
  'batchSize',
  'lr',
  'momentum',
  'weightDecay',
  'gam1',
  'gam2',
  'eps',
  'corrupt',
  'corruptRatio',
  'corruptSeed',
  'transform',
  'milestones',
  'seed',
  'shuffle',
  'subset',
  'loss',
];

/** The official folder name: sup_{arch}+{fd}_{data}_epo{epo}_bs{bs}_lr{lr}_mom{mom}_wd{wd}_gam1{gam1}_gam2{gam2}_eps{eps}_lcr{lcr}{tail}. */
export function supervisedRunName(o: SupervisedOptions): string {
  return (
    `sup_${o.arch}+${pyInt(o.featureDim)}_${o.data}_epo${pyInt(o.epochs)}_bs${pyInt(o.batchSize)}_lr${pyFloat(o.lr)}_mom${pyFloat(o.momentum)}` +
    `_wd${pyFloat(o.weightDecay)}_gam1${pyFloat(o.gam1)}_gam2${pyFloat(o.gam2)}_eps${pyFloat(o.eps)}_lcr${pyFloat(o.corruptRatio)}` +
    `${o.loss === 'ce' ? '_ce' : ''}${o.tail}`
  );
}

/** Options as params.json records them (snake_case keys). */
export function toParams<O extends object>(o: O, keys: Readonly<Record<keyof O, string>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(keys) as Array<keyof O>) out[keys[k]] = o[k];
  return out;
}

/** Options from params.json (keys it lacks keep their defaults). */
export function fromParams<O extends object>(params: Record<string, unknown>, keys: Readonly<Record<keyof O, string>>, defaults: O): O {
  const out = { ...defaults };
  for (const k of Object.keys(keys) as Array<keyof O>) if (params[keys[k]] !== undefined) out[k] = params[keys[k]] as O[keyof O];
  return out;
}

/** Defaults filled in, names normalised, every option checked (errors name the option key). */
export function resolveSupervised(options: Partial<SupervisedOptions>): SupervisedOptions {
  checkKnownKeys(options, SUPERVISED_DEFAULTS, 'supervised training');
  const o: SupervisedOptions = { ...SUPERVISED_DEFAULTS, milestones: [...SUPERVISED_DEFAULTS.milestones] };
  for (const [k, v] of Object.entries(options)) if (v !== undefined) (o as unknown as Record<string, unknown>)[k] = v;
  o.data = normaliseDatasetName(String(o.data));
  o.dataDir = o.dataDir ?? defaultDataDir();
  checkOneOf(o, 'arch', ARCH_NAMES);
  checkOneOf(o, 'data', DATASET_NAMES);
  checkOneOf(o, 'transform', Object.keys(TRANSFORMS));
  checkOneOf(o, 'corrupt', CORRUPTIONS);
  checkOneOf(o, 'loss', ['mcr2', 'ce']);
  for (const k of ['featureDim', 'epochs', 'batchSize'] as const) checkInt(o, k, 1);
  for (const k of ['subset', 'corruptSeed', 'seed'] as const) checkInt(o, k, 0);
  for (const k of ['workers', 'chunk'] as const) checkInt(o, k, -1);
  for (const k of ['lr', 'momentum', 'weightDecay', 'gam1'] as const) checkNumber(o, k, { min: 0 });
  checkNumber(o, 'gam2');
  checkNumber(o, 'eps', { above: 0 });
  checkNumber(o, 'corruptRatio', { min: 0, max: 1 });
  checkInts(o, 'milestones', 0, 'epoch numbers');
  if (o.pretrainEpoch !== null) checkInt(o, 'pretrainEpoch', 0);
  return o;
}

/**
 * What the trainer runs for supervised options: data, network, loss and the batches of each epoch.
 * runDir: an existing run folder to use whatever its name (Trainer.open).
 */
export function supervisedPlan(options: Partial<SupervisedOptions>, log: (l: string) => void, runDir?: string): TrainingPlan {
  const o = resolveSupervised(options);
  // Pretrained start: arch and featureDim come from the earlier run, as the official code does.
  const pre = o.pretrainDir ? pretrainedWeights(o.pretrainDir, o.pretrainEpoch) : undefined;
  if (pre) {
    o.arch = pre.arch;
    o.featureDim = pre.fd;
  }
  const train = firstN(loadDataset(o.data, 'train', { dataDir: o.dataDir ?? undefined }), o.subset);
  const labels = corruptLabels(train.labels, o.corrupt, o.corruptRatio, o.corruptSeed);
  const labelsChanged = countChanged(labels, train.labels);
  const transform = getTransform(o.transform);
  const [oh, ow] = transform.outSize(train.height, train.width);
  const inputShape: [number, number, number] = [oh, ow, train.channels];
  const steps = Math.floor(train.n / o.batchSize);
  if (steps === 0) throw new OptionError('batchSize', (n) => `${n} ${o.batchSize} is larger than the training set (${train.n} images)`);
  const logits = o.loss === 'ce' ? train.numClasses : undefined;
  const model = createNetwork(o.arch, o.featureDim, { seed: o.seed, inputShape, logits });
  try {
    if (pre) pre.load(model);
  } catch (e) {
    model.dispose();
    throw e;
  }
  log(
    `data: ${train.name} train, ${train.n} images ${train.height}x${train.width}x${train.channels} from ${displayPath(train.source)}` +
      (o.corruptRatio > 0
        ? `; labels corrupted (${o.corrupt}, ratio ${o.corruptRatio}, seed ${o.corruptSeed}): ${labelsChanged} changed`
        : ''),
  );
  const bs = o.batchSize;
  return {
    kind: 'supervised',
    options: o,
    runDir: runDir ?? path.join(o.saveDir, supervisedRunName(o)),
    params: { ...toParams(o, SUPERVISED_PARAM_KEYS), num_classes: train.numClasses, input_shape: inputShape },
    sameRunKeys: SAME_RUN.map((k) => SUPERVISED_PARAM_KEYS[k]),
    model,
    loss: o.loss === 'ce' ? new CrossEntropyLoss() : new MaximalCodingRateReduction({ gam1: o.gam1, gam2: o.gam2, eps: o.eps }),
    build: { arch: o.arch, fd: o.featureDim, seed: o.seed, inputShape, logits },
    epochs: o.epochs,
    lr: o.lr,
    momentum: o.momentum,
    weightDecay: o.weightDecay,
    milestones: o.milestones,
    seed: o.seed,
    batchSize: bs,
    workers: o.workers,
    chunk: o.chunk >= 0 ? o.chunk : archDefaultChunk(o.arch),
    stepsPerEpoch: steps,
    train,
    trainLabels: labels,
    labelsChanged,
    dataDir: o.dataDir ?? defaultDataDir(),
    batches: function* (_epoch, rng) {
      const order = o.shuffle ? rng.permutation(train.n) : Int32Array.from({ length: train.n }, (_, i) => i);
      for (let step = 0; step < steps; step++) {
        const idx = order.subarray(step * bs, (step + 1) * bs);
        const y = new Int32Array(idx.length);
        for (let i = 0; i < idx.length; i++) y[i] = labels[idx[i]];
        const { data, shape } = imageBatchData(train, idx, transform, rng);
        yield { data, shape, labels: y, numClasses: train.numClasses };
      }
    },
    describe: { arch: o.arch, fd: String(o.featureDim), loss: o.loss, format: 'mcr2-ts NHWC; conv [kh,kw,in,out], linear [in,out]' },
  };
}
