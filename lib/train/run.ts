// Training to the last epoch in one call (what `mcr2 train-sup` / `train-selfsup` run):
// Trainer.create, run, finish.
import type { BackendInfo } from '../accel/backend.js';
import type { Network } from '../models/network.js';
import type { TrainHooks } from './callbacks.js';
import type { SelfSupInput, SupervisedInput } from './kinds.js';
import type { SelfSupOptions } from './selfsup.js';
import type { SupervisedOptions } from './supervised.js';
import { Trainer } from './trainer.js';

/** What a trainer hands over when it finishes (Trainer.finish; the wrappers add the options). */
export interface TrainSummary {
  runDir: string;
  backend: BackendInfo;
  /** The trained network, in eval mode (the caller disposes it). */
  model: Network;
  /** Training images per second over the steps run in this call (excludes checkpointing). */
  imagesPerSecond: number;
  seconds: number;
  epochsRun: number;
  labelsChanged: number;
}

/** What trainSupervised returns. */
export interface TrainResult extends TrainSummary {
  options: SupervisedOptions;
}

/** What trainSelfSup returns. */
export interface SelfSupResult extends TrainSummary {
  options: SelfSupOptions;
}

/** Supervised training to the last epoch (what `mcr2 train-sup` runs). */
export async function trainSupervised(options: SupervisedInput = {}, hooks: TrainHooks = {}): Promise<TrainResult> {
  const t = await Trainer.create(options, hooks);
  await t.run();
  return { ...(await t.finish()), options: t.options };
}

/** Self-supervised training to the last epoch (what `mcr2 train-selfsup` runs). */
export async function trainSelfSup(options: SelfSupInput = {}, hooks: TrainHooks = {}): Promise<SelfSupResult> {
  const t = await Trainer.createSelfSup(options, hooks);
  await t.run();
  return { ...(await t.finish()), options: t.options };
}
