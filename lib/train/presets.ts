// Named run presets: the official README's reproduction commands (train_sup.py / train_selfsup.py
// with the code's hard-coded learning-rate milestones and its in-order data loaders) and the
// reference protocol this project measures PyTorch against (docs/reference-results.md). Spread one
// into Trainer.create / createSelfSup and override only the run size. Each value cites where it is from.
import type { SelfSupOptions } from './selfsup.js';
import type { SupervisedOptions } from './supervised.js';

type Preset<O> = Readonly<Partial<O>>;

/**
 * The official README's supervised command, `python3 train_sup.py --arch resnet18 --data cifar10
 * --fd 128 --epo 500 --bs 1000 --eps 0.5 --gam1 1 --gam2 1 --lr 0.01 --lcr 0.0` (`--lcr` 0.1 … 0.5
 * for the label-corruption table), with what the code adds: momentum 0.9, weight decay 5e-4, the
 * `default` transform (random crop 32 with padding 8, horizontal flip), lr ×0.1 after epochs 200,
 * 400 and 600 (MultiStepLR, hard-coded), and a DataLoader without shuffle (the same batch order
 * every epoch).
 */
export const OFFICIAL_SUP_CIFAR10: Preset<SupervisedOptions> = {
  arch: 'resnet18',
  data: 'cifar10',
  featureDim: 128,
  epochs: 500,
  batchSize: 1000,
  eps: 0.5,
  gam1: 1,
  gam2: 1,
  lr: 0.01,
  corruptRatio: 0,
  corrupt: 'default',
  corruptSeed: 10,
  momentum: 0.9,
  weightDecay: 5e-4,
  transform: 'default',
  milestones: [200, 400, 600],
  shuffle: false,
  subset: 0,
};

/**
 * The official README's self-supervised command for CIFAR-10 (MCR²-CTRL), `python3 train_selfsup.py
 * --arch resnet18ctrl --data cifar10 --fd 128 --epo 100 --bs 1000 --eps 0.5 --gam1 20 --gam2 0.05
 * --lr 0.1 --aug 50 --transform cifar`, with the code's momentum 0.9, weight decay 5e-4, lr ×0.1
 * after epochs 30 and 60, and the `random` sampler (images in dataset order).
 */
export const OFFICIAL_SELFSUP_CIFAR10: Preset<SelfSupOptions> = {
  arch: 'resnet18ctrl',
  data: 'cifar10',
  featureDim: 128,
  epochs: 100,
  batchSize: 1000,
  numAug: 50,
  eps: 0.5,
  gam1: 20,
  gam2: 0.05,
  lr: 0.1,
  momentum: 0.9,
  weightDecay: 5e-4,
  transform: 'cifar',
  sampler: 'random',
  milestones: [30, 60],
  shuffle: false,
  subset: 0,
};

/**
 * The reference protocol (docs/reference-results.md, "MNIST protocol"): cnn-small on all of MNIST, 8
 * epochs of batch 1000, lr 0.05 ×0.1 after epoch 6, momentum 0.9, weight decay 5e-4, ε² 0.5,
 * γ₁ = γ₂ = 1, no augmentation, a fresh seeded order every epoch.
 */
export const MNIST_PROTOCOL: Preset<SupervisedOptions> = {
  arch: 'cnn-small',
  data: 'mnist',
  featureDim: 128,
  epochs: 8,
  batchSize: 1000,
  eps: 0.5,
  gam1: 1,
  gam2: 1,
  lr: 0.05,
  momentum: 0.9,
  weightDecay: 5e-4,
  transform: 'test',
  milestones: [6],
  shuffle: true,
  subset: 0,
};

/** Every preset by name (`mcr2.train.PRESETS.officialSupCifar10`, ...). */
export const PRESETS = {
  officialSupCifar10: OFFICIAL_SUP_CIFAR10,
  officialSelfSupCifar10: OFFICIAL_SELFSUP_CIFAR10,
  mnistProtocol: MNIST_PROTOCOL,
} as const;
