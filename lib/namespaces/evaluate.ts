// mcr2.evaluate: the evaluators as estimators (KNN, NearestSubspace, LinearSVC, KMeans, EnSC),
// their defaults, the scores, and evaluate.py's methods on features in memory.
export { KNN, KNN_DEFAULTS, type KnnOptions } from '../evaluate/knn.js';
export { NearestSubspace, NEARSUB_DEFAULTS, type NearSubspaceOptions, type NearSubspaceResult } from '../evaluate/nearsub.js';
export { LinearSVC, LINEAR_SVC_DEFAULTS, type LinearSvcOptions } from '../evaluate/svm.js';
export { KMeans, KMEANS_DEFAULTS, type KMeansOptions } from '../evaluate/kmeans.js';
export { EnSC, ENSC_DEFAULTS, type EnscOptions } from '../evaluate/ensc.js';
export type { CsrMatrix } from '../evaluate/sparse.js';
export type { FeaturesLike, LabelsLike, Threads } from '../evaluate/input.js';
export { accuracy, confusionMatrix, clusteringAccuracy, normalizedMutualInfo, adjustedRandIndex } from '../evaluate/metrics.js';
export {
  evaluateFeatures,
  clusterScores,
  type EvaluateMethods,
  type FeatureEvaluation,
  type ClusterScores,
} from '../evaluate/methods.js';
export {
  labelFit,
  heldOutNearestSubspace,
  judgeNoisyLabels,
  type LabelFit,
  type NoisyLabelJudgement,
  type JudgeNoisyOptions,
} from '../evaluate/noisy_labels.js';
