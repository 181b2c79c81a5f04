// Self-supervised MCR² (train_selfsup.py, "MCR²-CTRL"): every batch is numImg images x numAug views
// (lib/data/augment.ts) and the loss treats each image's views as one class, so features of one
// image's augmentations are compressed together while different images are spread apart.
import * as path from 'node:path';
import { AugmentLoader, type SamplerName } from '../data/augment.js';
import { MaximalCodingRateReduction } from '../loss/mcr2.js';
import { pyFloat, pyInt } from '../io/pyformat.js';
import { checkInt, checkOneOf, OptionError } from '../io/options.js';
import { COMMON_PARAM_KEYS, COMMON_SAME_RUN, COMMON_TRAIN_DEFAULTS, type CommonTrainOptions, resolveCommon, toParams } from './options.js';
import { CHECKPOINT_FORMAT, commonPlanFields, dataLine, trainingData, trainingNetwork, type TrainingPlan } from './plan.js';

/** The options of self-supervised training: the shared ones and train_selfsup.py's views and sampler. */
export interface SelfSupOptions extends CommonTrainOptions {
  numAug: number;
  sampler: SamplerName;
}

/** The defaults: train_selfsup.py's as shipped, one comment each (the shared ones it changes, then its own). */
export const SELFSUP_DEFAULTS: Readonly<SelfSupOptions> = {
  ...COMMON_TRAIN_DEFAULTS,
  featureDim: 32, // feature dimension p
  epochs: 50, // epochs to train
  gam2: 10, // γ₂: weight of the discriminative term in the loss
  eps: 2, // ε²
  milestones: [30, 60], // epochs after which lr is multiplied by 0.1 (official: hard-coded)
  shuffle: false, // random sampler: a seeded sample of images each epoch instead of dataset order
  numAug: 50, // augmented views of each image in a batch (the first one untransformed); batchSize counts views
  sampler: 'random', // 'random': images in order (or a seeded sample with shuffle); 'balance': equal classes
};

/** params.json key of each option: the official argument names. */
export const SELFSUP_PARAM_KEYS: Readonly<Record<keyof SelfSupOptions, string>> = {
  ...COMMON_PARAM_KEYS,
  numAug: 'aug',
  sampler: 'sampler',
};

const SAME_RUN: Array<keyof SelfSupOptions> = [...COMMON_SAME_RUN, 'numAug', 'sampler'];

/** selfsup_{arch}+{fd}_{data}_epo{epo}_bs{bs}_aug{aug}+{transform}_lr{lr}_mom{mom}_wd{wd}_gam1{gam1}_gam2{gam2}_eps{eps}{tail} */
export function selfsupRunName(o: SelfSupOptions): string {
  return (
    `selfsup_${o.arch}+${pyInt(o.featureDim)}_${o.data}_epo${pyInt(o.epochs)}_bs${pyInt(o.batchSize)}_aug${pyInt(o.numAug)}+${o.transform}` +
    `_lr${pyFloat(o.lr)}_mom${pyFloat(o.momentum)}_wd${pyFloat(o.weightDecay)}_gam1${pyFloat(o.gam1)}_gam2${pyFloat(o.gam2)}_eps${pyFloat(o.eps)}${o.tail}`
  );
}

export function resolveSelfSup(options: Partial<SelfSupOptions>): SelfSupOptions {
  const o = resolveCommon(options, SELFSUP_DEFAULTS, 'self-supervised training');
  checkOneOf(o, 'sampler', ['random', 'balance']);
  checkInt(o, 'numAug', 1);
  if (o.batchSize < o.numAug)
    throw new OptionError('batchSize', (n) => `${n} (${o.batchSize}) must be at least the views per image (${o.numAug})`);
  return o;
}

export function selfsupPlan(options: Partial<SelfSupOptions>, log: (l: string) => void, runDir?: string): TrainingPlan {
  const o = resolveSelfSup(options);
  const d = trainingData(o);
  const { train, transform, inputShape } = d;
  const loader = new AugmentLoader(train, { batchSize: o.batchSize, numAug: o.numAug, transform, sampler: o.sampler, shuffle: o.shuffle });
  const model = trainingNetwork(o, d);
  log(`${dataLine(train)}; ${loader.numImg} images x ${o.numAug} views per batch (${o.transform}, ${o.sampler} sampler)`);
  return {
    ...commonPlanFields(o),
    kind: 'selfsup',
    options: o,
    runDir: runDir ?? path.join(o.saveDir, selfsupRunName(o)),
    params: { ...toParams(o, SELFSUP_PARAM_KEYS), input_shape: inputShape },
    sameRunKeys: SAME_RUN.map((k) => SELFSUP_PARAM_KEYS[k]),
    model,
    loss: new MaximalCodingRateReduction({ gam1: o.gam1, gam2: o.gam2, eps: o.eps }),
    build: { arch: o.arch, fd: o.featureDim, seed: o.seed, inputShape },
    batchSize: loader.numImg * o.numAug,
    stepsPerEpoch: loader.steps,
    train,
    trainLabels: train.labels,
    labelsChanged: 0,
    batches: function* (_epoch, rng) {
      for (const b of loader.epoch(rng)) yield { data: b.data, shape: b.shape, labels: b.batchIdx, numClasses: loader.numImg };
    },
    checkpointEvery: 20,
    describe: { arch: o.arch, fd: String(o.featureDim), loss: 'mcr2-selfsup', format: CHECKPOINT_FORMAT },
  };
}
