// Named option sets: the reference protocol on MNIST (protocol.md) and the official README's
// "Reproduce Results in Paper" commands, as options to spread into Trainer.create / createSelfSup
// (`{ ...mcr2.train.PRESETS.cifar10Sup, corruptRatio: 0.2 }`). Each names the command it stands for.
import type { SelfSupOptions } from './selfsup.js';
import type { SupervisedOptions } from './supervised.js';

/** A supervised preset: the options it sets (the rest keep SUPERVISED_DEFAULTS) and what it reproduces. */
export interface SupervisedPreset {
  about: string;
  options: Partial<SupervisedOptions>;
}

/** A self-supervised preset, likewise. */
export interface SelfSupPreset {
  about: string;
  options: Partial<SelfSupOptions>;
}

const SUP_CIFAR10 = 'train_sup.py --arch resnet18 --data cifar10 --fd 128 --epo 500 --bs 1000 --eps 0.5 --gam1 1 --gam2 1 --lr 0.01';
const CTRL = '--fd 128 --epo 100 --bs 1000 --eps 0.5 --gam1 20 --gam2 0.05 --lr 0.1 --aug 50';
// The official selfsup commands share everything but the data, the network and the transform.
const ctrl = (data: string, arch: string, transform: string): SelfSupPreset => ({
  about: `train_selfsup.py --arch ${arch} --data ${data} ${CTRL} --transform ${transform}`,
  options: { arch, data, featureDim: 128, epochs: 100, batchSize: 1000, eps: 0.5, gam1: 20, gam2: 0.05, lr: 0.1, numAug: 50, transform },
});

export const SUPERVISED_PRESETS = {
  /** protocol.md: cnn-small on MNIST, 8 epochs of 1000, lr 0.05 ×0.1 after epoch 6, no augmentation. */
  mnistProtocol: {
    about: 'the reference protocol (protocol.md): MNIST, cnn-small, fd 128, 8 epochs of batch 1000, lr 0.05 x0.1 after epoch 6',
    options: {
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
  },
  /** The official README's CIFAR-10 command (with --lcr 0.0; add corruptRatio for its 0.1 ... 0.5 rows). */
  cifar10Sup: {
    about: `${SUP_CIFAR10} --lcr 0.0 (the official README; its other rows set --lcr 0.1 to 0.5)`,
    options: { arch: 'resnet18', data: 'cifar10', featureDim: 128, epochs: 500, batchSize: 1000, eps: 0.5, gam1: 1, gam2: 1, lr: 0.01 },
  },
} satisfies Record<string, SupervisedPreset>;

export const SELFSUP_PRESETS = {
  /** The official README's MCR²-CTRL command on CIFAR-10. */
  cifar10Ctrl: ctrl('cifar10', 'resnet18ctrl', 'cifar'),
  /** ... on CIFAR-100. */
  cifar100Ctrl: ctrl('cifar100', 'resnet18ctrl', 'cifar'),
  /** ... on STL-10. */
  stl10Ctrl: ctrl('stl10', 'resnet18stl', 'stl10'),
} satisfies Record<string, SelfSupPreset>;

export type SupervisedPresetName = keyof typeof SUPERVISED_PRESETS;
export type SelfSupPresetName = keyof typeof SELFSUP_PRESETS;
