// Supervised MCR² training (train_sup.py): the official script's defaults, folder name, logs and
// checkpoints, plus the shared options of options.ts (milestones, a seed, shuffling, ...), label
// corruption and the cross-entropy baseline (loss 'ce').
import * as path from 'node:path';
import { corruptLabels, countChanged, CORRUPTIONS } from '../data/corrupt.js';
import { imageBatchData } from '../data/batches.js';
import { MaximalCodingRateReduction } from '../loss/mcr2.js';
import { CrossEntropyLoss } from '../loss/cross_entropy.js';
import { pyFloat, pyInt } from '../io/pyformat.js';
import { checkInt, checkNumber, checkOneOf } from '../io/options.js';
import {
  COMMON_PARAM_KEYS,
  COMMON_SAME_RUN,
  COMMON_TRAIN_DEFAULTS,
  type CommonTrainOptions,
  fromParams,
  resolveCommon,
  toParams,
} from './options.js';
import { CHECKPOINT_FORMAT, commonPlanFields, dataLine, trainingData, trainingNetwork, type TrainingPlan } from './plan.js';

export { fromParams, toParams };

/** The options of supervised training: the shared ones and train_sup.py's label corruption, plus the loss. */
export interface SupervisedOptions extends CommonTrainOptions {
  corrupt: string;
  corruptRatio: number;
  corruptSeed: number;
  loss: 'mcr2' | 'ce';
}

/** The defaults: train_sup.py's as shipped (COMMON_TRAIN_DEFAULTS), and these, one comment each. */
export const SUPERVISED_DEFAULTS: Readonly<SupervisedOptions> = {
  ...COMMON_TRAIN_DEFAULTS,
  corrupt: 'default', // label corruption mode (CORRUPTIONS)
  corruptRatio: 0.0, // share of training labels corrupted (0: none)
  corruptSeed: 10, // seed of the corruption
  loss: 'mcr2', // 'mcr2', or 'ce': the cross-entropy baseline on the same backbone
};

/** params.json key of each option: the official argument names (and the run-folder name's). */
export const SUPERVISED_PARAM_KEYS: Readonly<Record<keyof SupervisedOptions, string>> = {
  ...COMMON_PARAM_KEYS,
  corrupt: 'corrupt',
  corruptRatio: 'lcr',
  corruptSeed: 'lcs',
  loss: 'loss',
};

/** Options that must match for a run folder to be resumed (the rest may change between sessions). */
const SAME_RUN: Array<keyof SupervisedOptions> = [...COMMON_SAME_RUN, 'corrupt', 'corruptRatio', 'corruptSeed', 'loss'];

/** The official folder name: sup_{arch}+{fd}_{data}_epo{epo}_bs{bs}_lr{lr}_mom{mom}_wd{wd}_gam1{gam1}_gam2{gam2}_eps{eps}_lcr{lcr}{tail}. */
export function supervisedRunName(o: SupervisedOptions): string {
  return (
    `sup_${o.arch}+${pyInt(o.featureDim)}_${o.data}_epo${pyInt(o.epochs)}_bs${pyInt(o.batchSize)}_lr${pyFloat(o.lr)}_mom${pyFloat(o.momentum)}` +
    `_wd${pyFloat(o.weightDecay)}_gam1${pyFloat(o.gam1)}_gam2${pyFloat(o.gam2)}_eps${pyFloat(o.eps)}_lcr${pyFloat(o.corruptRatio)}` +
    `${o.loss === 'ce' ? '_ce' : ''}${o.tail}`
  );
}

/** Defaults filled in, names normalised, every option checked (errors name the option key). */
export function resolveSupervised(options: Partial<SupervisedOptions>): SupervisedOptions {
  const o = resolveCommon(options, SUPERVISED_DEFAULTS, 'supervised training');
  checkOneOf(o, 'corrupt', CORRUPTIONS);
  checkOneOf(o, 'loss', ['mcr2', 'ce']);
  checkInt(o, 'corruptSeed', 0);
  checkNumber(o, 'corruptRatio', { min: 0, max: 1 });
  return o;
}

/**
 * What the trainer runs for supervised options: data, network, loss and the batches of each epoch.
 * runDir: an existing run folder to use whatever its name (Trainer.open).
 */
export function supervisedPlan(options: Partial<SupervisedOptions>, log: (l: string) => void, runDir?: string): TrainingPlan {
  const o = resolveSupervised(options);
  const d = trainingData(o);
  const { train, transform, inputShape } = d;
  const labels = corruptLabels(train.labels, o.corrupt, o.corruptRatio, o.corruptSeed);
  const labelsChanged = countChanged(labels, train.labels);
  // A batch larger than the training set is one batch of all of it, said in the log. The official
  // DataLoader (drop_last=True) would train zero steps without a word; refusing broke commands like
  // `--sub 100` with the default --bs 1000. params.json keeps the batch size asked for (the run's name)
  // and records the one used as batch_size_used.
  const bs = Math.min(o.batchSize, train.n);
  const steps = Math.floor(train.n / bs);
  const logits = o.loss === 'ce' ? train.numClasses : undefined;
  const model = trainingNetwork(o, d, logits);
  log(
    dataLine(train) +
      (o.corruptRatio > 0
        ? `; labels corrupted (${o.corrupt}, ratio ${o.corruptRatio}, seed ${o.corruptSeed}): ${labelsChanged} changed`
        : '') +
      (bs < o.batchSize ? `; batch size ${o.batchSize} is larger than the training set: one batch of all ${bs} images a step` : ''),
  );
  return {
    ...commonPlanFields(o),
    kind: 'supervised',
    options: o,
    runDir: runDir ?? path.join(o.saveDir, supervisedRunName(o)),
    params: {
      ...toParams(o, SUPERVISED_PARAM_KEYS),
      ...(bs < o.batchSize ? { batch_size_used: bs } : {}),
      num_classes: train.numClasses,
      input_shape: inputShape,
    },
    sameRunKeys: SAME_RUN.map((k) => SUPERVISED_PARAM_KEYS[k]),
    model,
    loss: o.loss === 'ce' ? new CrossEntropyLoss() : new MaximalCodingRateReduction({ gam1: o.gam1, gam2: o.gam2, eps: o.eps }),
    build: { arch: o.arch, fd: o.featureDim, seed: o.seed, inputShape, logits },
    batchSize: bs,
    stepsPerEpoch: steps,
    train,
    trainLabels: labels,
    labelsChanged,
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
    describe: { arch: o.arch, fd: String(o.featureDim), loss: o.loss, format: CHECKPOINT_FORMAT },
  };
}
