// mcr2.train: supervised and self-supervised training, the optimiser, run folders, checkpoints,
// the notebook profiles.
// (helper "api": the Trainer goes here)
export {
  trainSupervised,
  supervisedRunName,
  SUPERVISED_DEFAULTS,
  type SupervisedConfig,
  type TrainHooks,
  type TrainResult,
  type EpochSummary,
} from '../train/supervised.js';
export { trainSelfSup, selfsupRunName, SELFSUP_DEFAULTS, type SelfSupConfig, type SelfSupResult } from '../train/selfsup.js';
export { SGD, multiStepLR, type SGDOptions } from '../train/sgd.js';
export { RunFolder, parseLossesCsv, LOSS_HEADER, type LossRow } from '../train/run_folder.js';
export { loadRun, type LoadedRun } from '../train/load_run.js';
export { saveTensors, loadTensors } from '../train/checkpoint.js';
export { defaultWorkers } from '../train/parallel.js';
export { profileName, SUPERVISED_PROFILES, type ProfileName, type SupervisedProfile } from '../train/profiles.js';
