// Named option sets to spread into Trainer.create / createSelfSup: the reference protocol on MNIST
// (docs/reference-results.md) and the official README's "Reproduce Results in Paper" commands
// (`{ ...mcr2.train.SUPERVISED_PRESETS.cifar10Sup, corruptRatio: 0.2 }`); PRESET_COMMANDS says what
// each is. And the run sizes of notebooks and the quickstart, picked by MCR2_PROFILE:
//   smoke  CI-sized: a slice of the data, seconds to a few minutes on 2 CPU cores
//   cpu    the default: minutes on a laptop, real accuracies
//   paper  the reference protocol's hyperparameters (docs/reference-results.md), for a GPU or a patient CPU
import type { SelfSupOptions } from './selfsup.js';
import type { SupervisedOptions } from './supervised.js';

// The official selfsup commands share everything but the data, the network and the transform.
const ctrl = (data: string, arch: string, transform: string) => ({
  arch,
  data,
  featureDim: 128,
  epochs: 100,
  batchSize: 1000,
  eps: 0.5,
  gam1: 20,
  gam2: 0.05,
  lr: 0.1,
  numAug: 50,
  transform,
});

export const SUPERVISED_PRESETS = {
  /** docs/reference-results.md: cnn-small on MNIST, 8 epochs of 1000, lr 0.05 ×0.1 after epoch 6, no augmentation. */
  mnistProtocol: {
    arch: 'cnn-small',
    data: 'mnist',
    featureDim: 128,
    epochs: 8,
    batchSize: 1000,
    lr: 0.05,
    momentum: 0.9,
    weightDecay: 5e-4,
    gam1: 1,
    gam2: 1,
    eps: 0.5,
    transform: 'test',
    milestones: [6],
  },
  /** The official README's CIFAR-10 command (--lcr 0.0; its other rows add corruptRatio 0.1 to 0.5). */
  // + what train_sup.py adds to it: lr ×0.1 after epochs 200, 400, 600 (the library default) and a
  // DataLoader without shuffle, the same batch order every epoch (the library shuffles by default).
  cifar10Sup: {
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
    milestones: [200, 400, 600],
    shuffle: false,
  },
} satisfies Record<string, Partial<SupervisedOptions>>;

export const SELFSUP_PRESETS = {
  /** The official README's MCR²-CTRL command on CIFAR-10. */
  cifar10Ctrl: ctrl('cifar10', 'resnet18ctrl', 'cifar'),
  /** ... on CIFAR-100. */
  cifar100Ctrl: ctrl('cifar100', 'resnet18ctrl', 'cifar'),
  /** ... on STL-10. */
  stl10Ctrl: ctrl('stl10', 'resnet18stl', 'stl10'),
} satisfies Record<string, Partial<SelfSupOptions>>;

/** The command line each preset stands for (what test/presets.test.ts parses and compares). */
export const PRESET_COMMANDS: Readonly<Record<keyof typeof SUPERVISED_PRESETS | keyof typeof SELFSUP_PRESETS, string>> = {
  mnistProtocol:
    'train-sup --arch cnn-small --data mnist --fd 128 --epo 8 --bs 1000 --lr 0.05 --mom 0.9 --wd 5e-4 --gam1 1 --gam2 1 --eps 0.5 --transform test --milestones 6',
  cifar10Sup:
    'train-sup --arch resnet18 --data cifar10 --fd 128 --epo 500 --bs 1000 --eps 0.5 --gam1 1 --gam2 1 --lr 0.01 --lcr 0.0 --no_shuffle',
  cifar10Ctrl:
    'train-selfsup --arch resnet18ctrl --data cifar10 --fd 128 --epo 100 --bs 1000 --eps 0.5 --gam1 20 --gam2 0.05 --lr 0.1 --aug 50 --transform cifar',
  cifar100Ctrl:
    'train-selfsup --arch resnet18ctrl --data cifar100 --fd 128 --epo 100 --bs 1000 --eps 0.5 --gam1 20 --gam2 0.05 --lr 0.1 --aug 50 --transform cifar',
  stl10Ctrl:
    'train-selfsup --arch resnet18stl --data stl10 --fd 128 --epo 100 --bs 1000 --eps 0.5 --gam1 20 --gam2 0.05 --lr 0.1 --aug 50 --transform stl10',
};

export type ProfileName = 'smoke' | 'cpu' | 'paper';

/** The run-size options of a profile (SupervisedOptions names; spread them into Trainer.create). */
export type SupervisedProfile = Pick<SupervisedOptions, 'subset' | 'epochs' | 'batchSize' | 'lr' | 'milestones'>;

export const SUPERVISED_PROFILES: Record<ProfileName, SupervisedProfile> = {
  smoke: { subset: 3000, epochs: 2, batchSize: 100, lr: 0.05, milestones: [] },
  cpu: { subset: 0, epochs: 2, batchSize: 1000, lr: 0.05, milestones: [] },
  paper: { subset: 0, epochs: 8, batchSize: 1000, lr: 0.05, milestones: [6] },
};

export function profileName(name?: string): ProfileName {
  const p = (name ?? process.env.MCR2_PROFILE ?? 'cpu').toLowerCase();
  if (p !== 'smoke' && p !== 'cpu' && p !== 'paper') throw new Error(`MCR2_PROFILE=${p}: use smoke, cpu or paper`);
  return p;
}
