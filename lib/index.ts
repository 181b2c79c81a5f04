// mcr2: Maximal Coding Rate Reduction in TypeScript. What notebooks and users import.
import * as tf from '@tensorflow/tfjs';

/** The tfjs namespace this library computes with (the same engine and backend). */
export { tf };
export { initBackend, backendInfo, describeBackend, type BackendInfo, type BackendName } from './backend/backend.js';
export { MaximalCodingRateReduction, type MCR2Options, type Labels } from './loss/mcr2.js';
export { RandomState } from './math/random.js';
export * as linalg from './math/linalg.js';
export {
  loadDataset,
  DATASET_NAMES,
  classCounts,
  checkLabels,
  firstN,
  readIdx,
  parseIdx,
  encodeIdx,
  type ImageDataset,
  type Split,
  type LoadOptions,
} from './data/index.js';
export { imageBatch, imageBatchData, rawBatchData, getTransform, TRANSFORMS, type Transform } from './data/batches.js';
export { AugmentLoader, type AugmentOptions, type AugmentBatch, type SamplerName } from './data/augment.js';
export {
  encodeCifarRecords,
  decodeCifarRecords,
  encodeStl10Images,
  decodeStl10Images,
  loadImageFolder,
  decodeImage,
  tarEntries,
  readTar,
  CIFAR10_CLASSES,
  CIFAR100_COARSE_OF_FINE,
  STL10_CLASSES,
} from './data/index.js';
export { downloadDataset, downloadFile, RESOURCES } from './data/download.js';
export { augmentationGrid, imageGridFigure, type AugmentGridOptions } from './plot/grid.js';
export {
  corruptLabels,
  defaultCorrupt,
  asymmetricCorrupt,
  pairflipCorrupt,
  symmetricCorrupt,
  countChanged,
  CORRUPTIONS,
} from './data/corrupt.js';
export {
  createModel,
  ARCH_NAMES,
  archInputShape,
  archAbout,
  archHasHead,
  FeatureNet,
  Module,
  GroupedConv2d,
  groupedConv2d,
  BasicBlock,
  ResNeXtBlock,
  type ModelOptions,
  type FeatureNetOptions,
} from './models/index.js';
export { summaryText, summaryRows, thousands } from './models/summary.js';
export { datasetFeatures, type Features } from './features/dataset.js';
export { SGD, multiStepLR, type SGDOptions } from './train/sgd.js';
export { RunFolder, parseLossesCsv, LOSS_HEADER, type LossRow } from './train/run_folder.js';
export { saveTensors, loadTensors, encodeSafetensors, decodeSafetensors } from './train/checkpoint.js';
export { loadRun, type LoadedRun } from './train/load_run.js';
export { createNetwork, LogitNet, type Network, type NetworkOptions } from './models/network.js';
export { CrossEntropyLoss } from './loss/cross_entropy.js';
export { LocalEngine, type TrainingEngine } from './train/engine.js';
export { ParallelEngine, defaultWorkers } from './train/parallel.js';
export {
  knnPredict,
  knnPredictParallel,
  nearSubspacePredict,
  accuracy,
  confusionMatrix,
  type KnnOptions,
  type NearSubspaceOptions,
  linearSvcPredict,
  linearSvcFit,
  linearSvcPredictWith,
  linearSvcDecision,
  type LinearSvcOptions,
  type LinearSvcModel,
  kmeansCluster,
  kmeansClusterParallel,
  kmeansPlusPlus,
  type KMeansOptions,
  type KMeansResult,
  enscCluster,
  enscClusterParallel,
  type EnscOptions,
  type EnscResult,
  clusteringAccuracy,
  normalizedMutualInfo,
  adjustedRandIndex,
  contingencyTable,
  type Contingency,
  linearSumAssignment,
  type Assignment,
} from './evaluate/index.js';
export {
  readNpz,
  writeNpz,
  readNpy,
  writeNpy,
  parseNpz,
  encodeNpz,
  parseNpy,
  encodeNpy,
  encodeZip,
  type NpyArray,
  type NpyInput,
  type NpyDtype,
  type NpyData,
} from './io/npz.js';
export { lassoLars, lassoFeatureSign, choleskyRemove, type LassoResult, type LassoOptions, type WarmStart } from './evaluate/lasso.js';
export { csrFromTriplets, csrMatVec, topEigenpairs, type CsrMatrix, type TopEigenOptions, type TopEigenResult } from './evaluate/sparse.js';
export {
  evaluateRun,
  evaluationJson,
  readFeatureFile,
  type EvaluateOptions,
  type EvaluateResult,
  type ClusterScores,
} from './evaluate/run_eval.js';
export { runFeatures, type RunFeatures } from './features/run.js';
export { writeRunFeatures, type ExtractOptions } from './features/extract.js';
export { lossFigure, confusionFigure, accuracyFigure, COLORS, type Figure } from './plot/figure.js';
export { saveFigure, figureHtml, figurePng, closeRenderer, findChromium, type SavedFigure } from './plot/render.js';
export { showFigure, showTable, displayBundle, inNotebook } from './plot/notebook.js';
export { profileName, SUPERVISED_PROFILES, type ProfileName, type SupervisedProfile } from './train/profiles.js';
export { packageRoot, defaultDataDir, notebookFiguresDir, notebookSaveDir } from './io/paths.js';
export { pyFloat } from './io/pyformat.js';

// ---- helper "api" (issue 10): the stepping trainer, camelCase options, loss terms, option errors ----
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
} from './train/trainer.js';
export { SUPERVISED_DEFAULTS, SUPERVISED_PARAM_KEYS, supervisedRunName, type SupervisedOptions } from './train/supervised.js';
export { SELFSUP_DEFAULTS, SELFSUP_PARAM_KEYS, selfsupRunName, type SelfSupOptions } from './train/selfsup.js';
export type { LossTerms } from './loss/terms.js';
export type { LossOutput, LossEvaluation, TrainingLoss } from './loss/mcr2.js';
export { OptionError, type OptionNamer } from './io/options.js';
export { centerToSize, type DatasetFeatureOptions } from './features/dataset.js';
export { runInputShape } from './train/load_run.js';
// ---- end of helper "api" block ----
