// Probes: what a trainer's current weights say, between cells or at each epoch's end. The
// evaluation is evaluate.py's (lib/evaluate/methods.ts, what `mcr2 evaluate` runs on a run folder):
// Trainer.evaluate({ knn: 10, nearsub: true }) runs any registered method, its main parameter given
// as a number or `true` for the official default; EvaluateEvery runs it as a callback.
import type { ImageDataset } from '../data/dataset.js';
import { loadDataset } from '../data/index.js';
import type { Features } from '../data/features.js';
import { datasetFeatures } from '../features/dataset.js';
import { recalibrateBatchNorm } from '../features/recalibrate.js';
import {
  type EvaluateMethods,
  evaluateFeatures,
  METHOD_NAMES,
  METHODS,
  type MethodName,
  type PredictionOf,
  type ScoreOf,
} from '../evaluate/methods.js';
import type { Callback, LoopState } from './callbacks.js';
import type { CommonTrainOptions } from './options.js';
import type { TrainingPlan } from './plan.js';

/** Which methods Trainer.evaluate runs: `true`, or the method's main parameter (knn: k, nearsub: components, kmeans/ensc: clusters). */
export type TrainerEvaluateOptions = { [M in MethodName]?: boolean | number };

export type TrainerEvaluation = { [M in MethodName]?: ScoreOf<M> } & {
  /** Epochs finished and steps into the next when the features were taken. */
  epoch: number;
  step: number;
  /** Cross-entropy runs: test accuracy of the classifier's argmax. */
  ce?: number;
  /** Each method's predictions (classifiers: of the test set; clusterings: of the train set). */
  predictions: { [M in MethodName]?: PredictionOf<M> };
  /** Clean test labels. */
  testLabels: Int32Array;
};

/** The evaluation with the methods that were asked for typed as present (no `!` needed). */
export type EvaluationOf<O extends TrainerEvaluateOptions> = TrainerEvaluation & {
  [M in keyof O & MethodName as O[M] extends number | true ? M : never]: ScoreOf<M>;
};

/** The default: kNN and nearest subspace with the official parameters. */
const DEFAULT_METHODS: TrainerEvaluateOptions = { knn: true, nearsub: true };

/**
 * `opts`' methods on train (fit with its labels: the ones training used) and test (scored on its
 * clean labels), quietly; `at`: where the loop was.
 */
export async function evaluateWith<O extends TrainerEvaluateOptions>(
  train: Features,
  test: Features,
  logits: boolean,
  at: { epoch: number; step: number },
  opts?: O,
): Promise<EvaluationOf<O>> {
  const chosen: TrainerEvaluateOptions = opts ?? DEFAULT_METHODS;
  const methods: EvaluateMethods = { logits, log: () => {} };
  for (const m of METHOD_NAMES) {
    const v = chosen[m];
    methods[m] = Boolean(v);
    const main = METHODS[m].main;
    if (typeof v === 'number' && main !== undefined) methods[main] = v;
  }
  const ev = await evaluateFeatures(train, test, methods);
  const { ce: _ce, ...predictions } = ev.predictions;
  const out: TrainerEvaluation = { ...at, predictions, testLabels: test.labels };
  if (ev.ce !== undefined) out.ce = ev.ce;
  for (const m of METHOD_NAMES) if (ev[m] !== undefined) Object.assign(out, { [m]: ev[m] });
  // The methods asked for ran, so their scores are there.
  return out as EvaluationOf<O>;
}

/**
 * A probe as a callback: evaluates at the end of every `every`-th epoch (default each) and hands
 * the evaluation to `onResult` (e.g. a notebook's per-epoch table of memorisation).
 */
export class EvaluateEvery<O extends TrainerEvaluateOptions> implements Callback {
  constructor(private readonly o: { every?: number; methods?: O; onResult: (e: EvaluationOf<O>, s: LoopState) => void | Promise<void> }) {}

  async onEpochEnd(s: LoopState): Promise<void> {
    if (s.epoch % (this.o.every ?? 1) !== 0) return;
    await this.o.onResult(await s.trainer.evaluate(this.o.methods), s);
  }
}

/**
 * A trainer's probes of its current weights: features of either split in inference mode without
 * augmentation (labels the clean ones), cached until the next step (`at`: steps taken); batch
 * norm's running statistics recomputed; the evaluation of evaluateWith on the labels training uses.
 */
export class WeightsProbe {
  private testSet?: ImageDataset;
  private cache?: { at: number; train?: Features; test?: Features };

  constructor(private readonly plan: TrainingPlan<CommonTrainOptions>) {}

  async features(split: 'train' | 'test', at: number): Promise<Features> {
    if (this.cache?.at !== at) this.cache = { at };
    const p = this.plan;
    if (split === 'test') this.testSet ??= loadDataset(p.train.name, 'test', { dataDir: p.dataDir });
    const ds = split === 'train' ? p.train : this.testSet!;
    this.cache[split] ??= await datasetFeatures(p.model, ds, { inputSize: p.inputSize });
    return this.cache[split];
  }

  /**
   * One training-mode pass over the first `maxImages` training images (all by default; batches of
   * the run's batch size, no augmentation; features/recalibrate.ts). A checkpoint saved after it holds them.
   */
  recalibrate(opts: { maxImages?: number }): { layers: number; batches: number; images: number } {
    this.cache = undefined;
    const p = this.plan;
    return recalibrateBatchNorm(p.model, p.train, { batchSize: p.batchSize, maxImages: opts.maxImages, inputSize: p.inputSize });
  }

  /** Classifiers fit on the train features with the labels training used (corrupted, if asked), scored on the clean test labels. */
  async evaluate<O extends TrainerEvaluateOptions>(
    opts: O | undefined,
    pos: { epoch: number; step: number },
    at: number,
  ): Promise<EvaluationOf<O>> {
    const train = { ...(await this.features('train', at)), labels: this.plan.trainLabels };
    return evaluateWith(train, await this.features('test', at), this.plan.build.logits !== undefined, pos, opts);
  }

  clear(): void {
    this.cache = undefined;
  }
}
