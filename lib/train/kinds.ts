// The two kinds of training, as one choice: supervised (supervised.ts) or self-supervised
// (selfsup.ts), each options → plan. Trainer.open reads the kind and the options of a run folder
// from its params.json.
import * as path from 'node:path';
import { fromParams, type InputOf } from '../options/spec.js';
import { RunFolder } from '../runs/run_folder.js';
import type { TrainingPlan } from './plan.js';
import type { CommonTrainOptions } from './options.js';
import { resolveSelfSup, SELFSUP_SPEC, type SelfSupOptions, selfsupPlan } from './selfsup.js';
import { resolveSupervised, SUPERVISED_SPEC, type SupervisedOptions, supervisedPlan } from './supervised.js';

/** What Trainer.create takes: any supervised option (the rest default). */
export type SupervisedInput = InputOf<typeof SUPERVISED_SPEC>;
/** What Trainer.createSelfSup takes. */
export type SelfSupInput = InputOf<typeof SELFSUP_SPEC>;

export type TrainOptions = { kind: 'supervised'; options: SupervisedInput } | { kind: 'selfsup'; options: SelfSupInput };

/** What makes a plan once the backend runs (and says where lines go). */
export type PlanMaker<O extends CommonTrainOptions> = (log: (l: string) => void) => TrainingPlan<O>;

/** Supervised options, checked now (bad options fail before the backend starts). */
export function supervisedMaker(options: SupervisedInput): PlanMaker<SupervisedOptions> {
  resolveSupervised(options);
  return (log) => supervisedPlan(options, log);
}

/** Self-supervised options, checked now. */
export function selfsupMaker(options: SelfSupInput): PlanMaker<SelfSupOptions> {
  resolveSelfSup(options);
  return (log) => selfsupPlan(options, log);
}

/** A run folder's own options (params.json), `overrides` on top. */
export function folderMaker(runDir: string, overrides: SupervisedInput | SelfSupInput): PlanMaker<SupervisedOptions | SelfSupOptions> {
  const o = folderOptions(runDir, overrides);
  return (log) => planFor(o, log, runDir);
}

/** The plan of a kind's options; runDir: an existing folder to use whatever its name (Trainer.open). */
export function planFor(o: TrainOptions, log: (l: string) => void, runDir?: string): TrainingPlan<SupervisedOptions | SelfSupOptions> {
  return o.kind === 'supervised' ? supervisedPlan(o.options, log, runDir) : selfsupPlan(o.options, log, runDir);
}

/** The kind and options params.json records (saved in the folder's parent), with `overrides` on top. */
export function folderOptions(runDir: string, overrides: SupervisedInput | SelfSupInput): TrainOptions {
  const params = new RunFolder(runDir).readParams();
  const selfsup = params.aug !== undefined || path.basename(path.resolve(runDir)).startsWith('selfsup_');
  const saveDir = path.dirname(path.resolve(runDir));
  return selfsup
    ? { kind: 'selfsup', options: { ...fromParams(SELFSUP_SPEC, params), saveDir, ...overrides } }
    : { kind: 'supervised', options: { ...fromParams(SUPERVISED_SPEC, params), saveDir, ...overrides } };
}
