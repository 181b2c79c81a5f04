// Self-supervised MCR² (train_selfsup.py, "MCR²-CTRL"): every batch is numImg images x numAug views
// (lib/data/augment.ts) and the loss treats each image's views as one class, so features of one
// image's augmentations are compressed together while different images are spread apart.
import * as path from 'node:path';
import { AugmentLoader, type SamplerName } from '../data/augment.js';
import { MaximalCodingRateReduction } from '../loss/mcr2.js';
import { pyFloat, pyInt } from '../io/pyformat.js';
import { OptionError } from '../options/checks.js';
import { defaultsOf, identityKeys, type InputOf, type OptionsOf, opt, resolve, toParams } from '../options/spec.js';
import { SELFSUP_COMMON_SPEC } from './options.js';
import { CHECKPOINT_FORMAT, commonPlanFields, dataLine, trainingData, trainingNetwork, type TrainingPlan } from './plan.js';

/** The options of self-supervised training: the shared rows (train_selfsup.py's defaults), its views and sampler. */
export const SELFSUP_SPEC = {
  ...SELFSUP_COMMON_SPEC,
  // views of each image in a batch (the first one untransformed); batchSize counts views
  numAug: opt.int(50, { flag: 'aug', min: 1, identity: true, help: 'number of augmentations per mini-batch' }),
  // 'random': images in order (or a seeded sample with shuffle); 'balance': equal classes
  sampler: opt.choice<SamplerName>('random', ['random', 'balance'], {
    flag: 'sampler',
    identity: true,
    help: 'sampler used in augmentloader (random or balance)',
  }),
};

export type SelfSupOptions = OptionsOf<typeof SELFSUP_SPEC>;

/** The defaults: train_selfsup.py's as shipped. */
export const SELFSUP_DEFAULTS: Readonly<SelfSupOptions> = defaultsOf(SELFSUP_SPEC);

/** selfsup_{arch}+{fd}_{data}_epo{epo}_bs{bs}_aug{aug}+{transform}_lr{lr}_mom{mom}_wd{wd}_gam1{gam1}_gam2{gam2}_eps{eps}{tail} */
export function selfsupRunName(o: SelfSupOptions): string {
  return (
    `selfsup_${o.arch}+${pyInt(o.featureDim)}_${o.data}_epo${pyInt(o.epochs)}_bs${pyInt(o.batchSize)}_aug${pyInt(o.numAug)}+${o.transform}` +
    `_lr${pyFloat(o.lr)}_mom${pyFloat(o.momentum)}_wd${pyFloat(o.weightDecay)}_gam1${pyFloat(o.gam1)}_gam2${pyFloat(o.gam2)}_eps${pyFloat(o.eps)}${o.tail}`
  );
}

/** Defaults filled in, every option checked, and the batch holding whole images' views. */
export function resolveSelfSup(options: InputOf<typeof SELFSUP_SPEC>): SelfSupOptions {
  const o = resolve(SELFSUP_SPEC, options, 'self-supervised training');
  if (o.batchSize < o.numAug)
    throw new OptionError('batchSize', (n) => `${n} (${o.batchSize}) must be at least the views per image (${o.numAug})`);
  return o;
}

export function selfsupPlan(
  options: InputOf<typeof SELFSUP_SPEC>,
  log: (l: string) => void,
  runDir?: string,
): TrainingPlan<SelfSupOptions> {
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
    params: { ...toParams(SELFSUP_SPEC, o), input_shape: inputShape },
    sameRunKeys: identityKeys(SELFSUP_SPEC),
    model,
    loss: new MaximalCodingRateReduction({ gam1: o.gam1, gam2: o.gam2, eps: o.eps }),
    inputSize: [inputShape[0], inputShape[1]],
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
