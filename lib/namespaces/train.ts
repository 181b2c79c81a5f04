// mcr2.train: supervised and self-supervised training (the Trainer, its callbacks and probes, the
// one-call wrappers), the options (one spec row each; one CommonTrainOptions both extend) with their
// defaults, presets and notebook profiles, and the optimiser.
export { Trainer } from '../train/trainer.js';
export { trainSupervised, trainSelfSup, type TrainSummary, type TrainResult, type SelfSupResult } from '../train/run.js';
export {
  EvaluateEvery,
  type TrainerEvaluateOptions,
  type TrainerEvaluation,
  type EvaluationOf,
} from '../train/probes.js';
export { COMMON_TRAIN_SPEC, COMMON_TRAIN_DEFAULTS, type CommonTrainOptions } from '../train/options.js';
export { SUPERVISED_SPEC, SUPERVISED_DEFAULTS, supervisedRunName, type SupervisedOptions } from '../train/supervised.js';
export { SELFSUP_SPEC, SELFSUP_DEFAULTS, selfsupRunName, type SelfSupOptions } from '../train/selfsup.js';
export { SUPERVISED_PRESETS, SELFSUP_PRESETS, PRESET_COMMANDS } from '../train/presets.js';
export {
  type Callback,
  type LoopState,
  type StepResult,
  type EpochSummary,
  type TrainHooks,
  SpeedMeter,
  ProgressBarCallback,
  EpochLog,
  MidEpochCheckpoint,
  StopOnNonFinite,
  StopOnInterrupt,
} from '../train/callbacks.js';
export { SGD, multiStepLR, type SGDOptions } from '../train/sgd.js';
export { profileName, SUPERVISED_PROFILES, type ProfileName, type SupervisedProfile } from '../train/presets.js';
