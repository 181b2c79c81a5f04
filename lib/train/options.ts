// The options both kinds of training share (train_sup.py's and train_selfsup.py's common arguments,
// plus mcr2-ts's milestones, seed, shuffle, subset, workers, chunk): one row each, with its
// default, check, help and official name (the CLI flag and the params.json key, so that old run
// folders resume). supervised.ts and selfsup.ts add their own rows (and selfsup its defaults).
// Everything else derives from the rows: lib/options/spec.ts.
import { TRANSFORMS } from '../data/batches.js';
import { DATASET_NAMES, normaliseDatasetName } from '../data/index.js';
import { defaultDataDir } from '../io/paths.js';
import { ARCH_NAMES } from '../models/index.js';
import { defaultsOf, type OptionsOf, opt, withDefault } from '../options/spec.js';

const MCR2_TS = '(mcr2-ts)';

/** The shared rows. Defaults: train_sup.py's as shipped (not its README's help text); selfsup.ts overrides six. */
export const COMMON_TRAIN_SPEC = {
  // network (ARCH_NAMES); cnn-small is the MNIST protocol's
  arch: opt.choice<string>('resnet18', ARCH_NAMES, { flag: 'arch', identity: true, help: 'architecture for deep neural network' }),
  // feature dimension p (unit-norm rows)
  featureDim: opt.int(128, { flag: 'fd', min: 1, identity: true, help: 'dimension of feature dimension' }),
  // dataset (DATASET_NAMES, or an alias normalised to one)
  data: opt.choice<string>('cifar10', DATASET_NAMES, {
    flag: 'data',
    identity: true,
    normalise: (v) => normaliseDatasetName(String(v)),
    help: 'dataset for training',
  }),
  epochs: opt.int(800, { flag: 'epo', min: 1, identity: true, help: 'number of epochs for training' }),
  // images per step; MCR² needs whole classes in a batch, so keep it large
  batchSize: opt.int(1000, { flag: 'bs', min: 1, identity: true, help: 'input batch size for training' }),
  lr: opt.float(0.001, { flag: 'lr', min: 0, identity: true, help: 'learning rate' }),
  momentum: opt.float(0.9, { flag: 'mom', min: 0, identity: true, help: 'momentum' }),
  // every parameter, as the official code
  weightDecay: opt.float(5e-4, { flag: 'wd', min: 0, identity: true, help: 'weight decay' }),
  // γ₁: weight of ZᵀZ inside the discriminative logdet; γ₂: of the discriminative term in the loss
  gam1: opt.float(1.0, { flag: 'gam1', min: 0, identity: true, help: 'gamma1 for tuning empirical loss' }),
  gam2: opt.float(1.0, { flag: 'gam2', identity: true, help: 'gamma2 for tuning empirical loss' }),
  // ε² (the official flag is "eps squared")
  eps: opt.float(0.5, { flag: 'eps', above: 0, identity: true, help: 'eps squared' }),
  tail: opt.text('', { flag: 'tail', help: 'extra information to add to folder name' }),
  // training augmentation (TRANSFORMS); 'test' = none
  transform: opt.choice<string>('default', Object.keys(TRANSFORMS), {
    flag: 'transform',
    identity: true,
    help: 'transform applied to trainset (test = none)',
  }),
  saveDir: opt.text('./saved_models/', { flag: 'save_dir', help: 'base directory for saving the model' }),
  // null: the package's datasets/ folder (or $MCR2_DATA_DIR)
  dataDir: opt.path(null, {
    flag: 'data_dir',
    normalise: (v) => v ?? defaultDataDir(),
    help: 'base directory of the datasets (default: the package datasets/ folder)',
  }),
  // start from this run folder's weights (its arch and featureDim), at this epoch (null: its latest)
  pretrainDir: opt.path(null, { flag: 'pretrain_dir', help: 'load pretrained checkpoint from this run folder' }),
  pretrainEpoch: opt.intOrNull(null, { flag: 'pretrain_epo', min: 0, help: 'load pretrained epoch (default: latest)' }),
  // lr x0.1 after each of these epochs (the official MultiStepLR, hard-coded there)
  milestones: opt.ints([200, 400, 600], {
    flag: 'milestones',
    min: 0,
    what: 'epoch numbers',
    identity: true,
    help: `epochs after which lr is multiplied by 0.1 ${MCR2_TS}`,
  }),
  seed: opt.int(0, { flag: 'seed', min: 0, identity: true, help: `seed of weights, batch order and augmentations ${MCR2_TS}` }),
  // a fresh seeded order every epoch (the official loader keeps dataset order: --no_shuffle)
  shuffle: opt.bool(true, {
    flag: 'shuffle',
    negate: true,
    identity: true,
    help: `keep the dataset order every epoch, as the official loader ${MCR2_TS}`,
  }),
  subset: opt.int(0, { flag: 'subset', min: 0, identity: true, help: `train on the first N images only, 0 = all ${MCR2_TS}` }),
  workers: opt.int(-1, {
    flag: 'workers',
    min: -1,
    help: `data-parallel worker threads besides the main one; -1 = one per extra core on wasm/cpu ${MCR2_TS}`,
  }),
  chunk: opt.int(-1, {
    flag: 'chunk',
    min: -1,
    help: `rows per forward/backward chunk to bound memory; -1 = the architecture's default, 0 = whole batch ${MCR2_TS}`,
  }),
};

/** What every training run takes (camelCase names of the official arguments). */
export type CommonTrainOptions = OptionsOf<typeof COMMON_TRAIN_SPEC>;

/** The shared defaults (train_sup.py's). */
export const COMMON_TRAIN_DEFAULTS: Readonly<CommonTrainOptions> = defaultsOf(COMMON_TRAIN_SPEC);

const C = COMMON_TRAIN_SPEC;

/** The shared rows with train_selfsup.py's defaults (and help) where they differ from train_sup.py's. */
export const SELFSUP_COMMON_SPEC = {
  ...C,
  featureDim: withDefault(C.featureDim, 32),
  epochs: withDefault(C.epochs, 50),
  gam2: withDefault(C.gam2, 10),
  eps: withDefault(C.eps, 2),
  transform: withDefault(C.transform, 'default', 'transform applied to trainset'),
  milestones: withDefault(C.milestones, [30, 60]),
  seed: withDefault(C.seed, 0, `seed of weights, sampling and augmentations ${MCR2_TS}`),
  // the official random sampler keeps dataset order; --shuffle: a seeded sample of images each epoch
  shuffle: {
    ...withDefault(C.shuffle, false, `random sampler: a seeded sample each epoch instead of dataset order ${MCR2_TS}`),
    negate: false,
  },
};
