// mcr2.train: supervised and self-supervised training (the Trainer and its one-call wrappers), the
// options (one CommonTrainOptions both extend) with their defaults, presets, callbacks, the
// optimiser and the notebook profiles.
export {
  Trainer,
  trainSupervised,
  trainSelfSup,
  type TrainHooks,
  type EpochSummary,
  type TrainerEvaluateOptions,
  type TrainerEvaluation,
  type EvaluationOf,
  type TrainSummary,
  type TrainResult,
  type SelfSupResult,
} from '../train/trainer.js';
export { COMMON_TRAIN_DEFAULTS, type CommonTrainOptions } from '../train/options.js';
export { SUPERVISED_DEFAULTS, supervisedRunName, type SupervisedOptions } from '../train/supervised.js';
export { SELFSUP_DEFAULTS, selfsupRunName, type SelfSupOptions } from '../train/selfsup.js';
export { SUPERVISED_PRESETS, SELFSUP_PRESETS, PRESET_COMMANDS } from '../train/presets.js';
export type { Callback, LoopState, StepResult } from '../train/callbacks.js';
export { SGD, multiStepLR, type SGDOptions } from '../train/sgd.js';
export { profileName, SUPERVISED_PROFILES, type ProfileName, type SupervisedProfile } from '../train/profiles.js';
// Checkpoints of either kind (ours, or the official code's .pt) and `mcr2 export`.
export { loadModelCheckpoint, isTorchCheckpoint } from '../runs/model_checkpoint.js';
export { exportTorchCheckpoint, type ExportTorchOptions, type ExportTorchResult } from '../runs/export_torch.js';
