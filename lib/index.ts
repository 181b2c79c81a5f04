// mcr2: Maximal Coding Rate Reduction in TypeScript. What notebooks and users import.
import * as tf from '@tensorflow/tfjs';

/** The tfjs namespace this library computes with (the same engine and backend). */
export { tf };
export { initBackend, backendInfo, describeBackend, type BackendInfo, type BackendName } from './backend.js';
export { MaximalCodingRateReduction, type MCR2Options, type MCR2Result, type Labels } from './loss.js';
export { RandomState } from './random.js';
export * as linalg from './linalg.js';
export {
  loadDataset, DATASET_NAMES, classCounts, checkLabels, firstN, readIdx, parseIdx, encodeIdx,
  type ImageDataset, type Split, type LoadOptions,
} from './data/index.js';
export { imageBatch, getTransform, TRANSFORMS, type Transform } from './data/batches.js';
export { corruptLabels, defaultCorrupt, countChanged, CORRUPTIONS } from './data/corrupt.js';
export { createModel, ARCH_NAMES, archInputShape, FeatureNet, Module, type ModelOptions } from './models/index.js';
export { extractFeatures, type Features } from './features.js';
export { SGD, multiStepLR, type SGDOptions } from './train/sgd.js';
export { RunFolder, parseLossesCsv, LOSS_HEADER, type LossRow } from './train/run_folder.js';
export { saveTensors, loadTensors, encodeSafetensors, decodeSafetensors } from './train/checkpoint.js';
export { loadRun, type LoadedRun } from './train/load_run.js';
export {
  trainSupervised, supervisedRunName, SUPERVISED_DEFAULTS,
  type SupervisedConfig, type TrainHooks, type TrainResult, type EpochSummary,
} from './train/supervised.js';
export { knnPredict, nearSubspacePredict, accuracy, confusionMatrix, type KnnOptions, type NearSubspaceOptions } from './evaluate/index.js';
export { evaluateRun, type EvaluateOptions, type EvaluateResult } from './evaluate/run_eval.js';
export { lossFigure, confusionFigure, accuracyFigure, COLORS, type Figure } from './plot/figure.js';
export { saveFigure, figureHtml, figurePng, closeRenderer, findChromium, type SavedFigure } from './plot/render.js';
export { showFigure, showTable, displayBundle, inNotebook } from './plot/notebook.js';
export { profileName, SUPERVISED_PROFILES, type ProfileName, type SupervisedProfile } from './profiles.js';
export { packageRoot, defaultDataDir, notebookFiguresDir, notebookSaveDir } from './paths.js';
export { pyFloat } from './pyformat.js';
