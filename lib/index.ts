// mcr2: Maximal Coding Rate Reduction in TypeScript. What notebooks and users import.
import * as tf from '@tensorflow/tfjs';

/** The tfjs namespace this library computes with (the same engine and backend). */
export { tf };
export { initBackend, backendInfo, describeBackend, type BackendInfo, type BackendName } from './backend/backend.js';
export { MaximalCodingRateReduction, type MCR2Options, type MCR2Result, type Labels } from './loss/mcr2.js';
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
export {
  trainSupervised,
  supervisedRunName,
  SUPERVISED_DEFAULTS,
  type SupervisedConfig,
  type TrainHooks,
  type TrainResult,
  type EpochSummary,
} from './train/supervised.js';
export { trainSelfSup, selfsupRunName, SELFSUP_DEFAULTS, type SelfSupConfig, type SelfSupResult } from './train/selfsup.js';
export { createNetwork, LogitNet, type Network, type NetworkOptions } from './models/network.js';
export { CrossEntropyLoss } from './loss/cross_entropy.js';
export { LocalEngine, type TrainingEngine, type TrainingLoss } from './train/engine.js';
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
export { lossFigure, accuracyFigure, COLORS, type Figure } from './plot/figure.js';
export { saveFigure, figureHtml, figurePng, closeRenderer, findChromium, type SavedFigure } from './plot/render.js';
export { showFigure, showTable, displayBundle, inNotebook } from './plot/notebook.js';
export { profileName, SUPERVISED_PROFILES, type ProfileName, type SupervisedProfile } from './train/profiles.js';
export { packageRoot, defaultDataDir, notebookFiguresDir, notebookSaveDir } from './io/paths.js';
export { pyFloat } from './io/pyformat.js';

// ---- plot: figures of plot.py / generate.py and clustering confusion matrices (helper "fig"; at
// merge this block becomes the `plot` namespace) ----
export { confusionFigure, clusteringConfusionFigure, type ClusteringConfusion } from './plot/confusion.js';
export {
  BLUES,
  bluesAt,
  figureTitle,
  lossLogFigure,
  trainTestFigure,
  accuracyCurveFigure,
  epochMeans,
  type AccuracyRow,
} from './plot/figure.js';
export { pcaFigure, pcaEpochFigure, cosineHistogramFigure, heatmapFigure } from './plot/feature_figures.js';
export { tileGridFigure, nearestSupFigure, nearestUnsupFigure, nearestClassFigure, type TileGridOptions } from './plot/nearest.js';
export {
  sortByClass,
  gatherRows,
  singularValues,
  topComponents,
  projections,
  topAbs,
  classSingularValues,
  histogram,
  cosineHistograms,
  absGramGrid,
  nearestPerComponent,
  nearestToComponents,
  movingAverage,
  type ClassOrder,
  type ClassSpectra,
  type Histogram,
  type PairHistogram,
  type HeatGrid,
  type GramOptions,
} from './plot/data.js';
export {
  generateTestLosses,
  generateAccuracy,
  parseAccuracyCsv,
  readAccuracyCsv,
  ACCURACY_HEADER,
  type GenerateOptions,
} from './plot/generate.js';
export { plotRun, PLOT_NAMES, PCA_EPOCHS, type PlotName, type PlotRunOptions, type PlotRunResult } from './plot/run_plots.js';
export { plotlyBundle } from './plot/render.js';
export { figureCellHtml } from './plot/notebook.js';
// ---- end of plot block ----
