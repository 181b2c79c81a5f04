// The options both kinds of training share (train_sup.py's and train_selfsup.py's common arguments,
// plus mcr2-ts's milestones, seed, shuffle, subset, workers, chunk), their defaults, their
// params.json names and their checks, written once; supervised.ts and selfsup.ts add their own.
// camelCase here; params.json keeps the official snake_case names, so old run folders resume.
import { TRANSFORMS } from '../data/batches.js';
import { DATASET_NAMES, normaliseDatasetName } from '../data/index.js';
import { checkInt, checkInts, checkKnownKeys, checkNumber, checkOneOf } from '../io/options.js';
import { defaultDataDir } from '../io/paths.js';
import { ARCH_NAMES } from '../models/index.js';

/** What every training run takes (camelCase names of the official arguments). */
export interface CommonTrainOptions {
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
}

/** The shared defaults: train_sup.py's as shipped (not its README's help text); selfsup.ts overrides five. */
export const COMMON_TRAIN_DEFAULTS: Readonly<CommonTrainOptions> = {
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
};

/** params.json key of each shared option: the official argument names (and the run-folder name's). */
export const COMMON_PARAM_KEYS: Readonly<Record<keyof CommonTrainOptions, string>> = {
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
};

/** Shared options that must match for a run folder to be resumed (the rest may change between sessions). */
export const COMMON_SAME_RUN: ReadonlyArray<keyof CommonTrainOptions> = [
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
  'transform',
  'milestones',
  'seed',
  'shuffle',
  'subset',
];

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

/**
 * Defaults filled in (`what` names the kind in an unknown-option error), the dataset name
 * normalised and every shared option checked; errors name the option key. The caller checks its own.
 */
export function resolveCommon<O extends CommonTrainOptions>(options: Partial<O>, defaults: Readonly<O>, what: string): O {
  checkKnownKeys(options, defaults, what);
  const o = { ...defaults, milestones: [...defaults.milestones] } as O;
  for (const [k, v] of Object.entries(options)) if (v !== undefined) (o as Record<string, unknown>)[k] = v;
  o.data = normaliseDatasetName(String(o.data));
  o.dataDir = o.dataDir ?? defaultDataDir();
  checkOneOf(o, 'arch', ARCH_NAMES);
  checkOneOf(o, 'data', DATASET_NAMES);
  checkOneOf(o, 'transform', Object.keys(TRANSFORMS));
  for (const k of ['featureDim', 'epochs', 'batchSize'] as const) checkInt(o, k, 1);
  for (const k of ['subset', 'seed'] as const) checkInt(o, k, 0);
  for (const k of ['workers', 'chunk'] as const) checkInt(o, k, -1);
  for (const k of ['lr', 'momentum', 'weightDecay', 'gam1'] as const) checkNumber(o, k, { min: 0 });
  checkNumber(o, 'gam2');
  checkNumber(o, 'eps', { above: 0 });
  checkInts(o, 'milestones', 0, 'epoch numbers');
  if (o.pretrainEpoch !== null) checkInt(o, 'pretrainEpoch', 0);
  return o;
}
