// mcr2.train: supervised and self-supervised training (the Trainer and its one-call wrappers), the
// options and their defaults, the optimiser, run folders, checkpoints, the notebook profiles.
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
export { SUPERVISED_DEFAULTS, SUPERVISED_PARAM_KEYS, supervisedRunName, type SupervisedOptions } from '../train/supervised.js';
export { SELFSUP_DEFAULTS, SELFSUP_PARAM_KEYS, selfsupRunName, type SelfSupOptions } from '../train/selfsup.js';
export { SGD, multiStepLR, type SGDOptions } from '../train/sgd.js';
export { RunFolder, parseLossesCsv, LOSS_HEADER, type LossRow } from '../train/run_folder.js';
export { loadRun, runInputShape, type LoadedRun } from '../train/load_run.js';
export { saveTensors, loadTensors } from '../train/checkpoint.js';
export { defaultWorkers } from '../train/parallel.js';
export { profileName, SUPERVISED_PROFILES, type ProfileName, type SupervisedProfile } from '../train/profiles.js';
// Checkpoints of either kind (ours, or the official code's .pt) and `mcr2 export`.
export { loadModelCheckpoint, isTorchCheckpoint } from '../train/model_checkpoint.js';
export { exportTorchCheckpoint, type ExportTorchOptions, type ExportTorchResult } from '../train/export_torch.js';
