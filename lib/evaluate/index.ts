// Evaluators of learned features (evaluate.py) as estimators: construct with options (defaults in
// one exported constant each), fit, then predict (classifiers) or read labels (clusterings);
// metrics score them (evaluate.py on a run folder is lib/runs/evaluate.ts).
export { KNN, KNN_DEFAULTS, type KnnOptions } from './knn.js';
export { NearestSubspace, NEARSUB_DEFAULTS, type NearSubspaceOptions, type NearSubspaceResult } from './nearsub.js';
export { LinearSVC, LINEAR_SVC_DEFAULTS, type LinearSvcOptions } from './svm.js';
export { KMeans, KMEANS_DEFAULTS, type KMeansOptions } from './kmeans.js';
export { EnSC, ENSC_DEFAULTS, type EnscOptions } from './ensc.js';
export type { CsrMatrix } from './sparse.js';
export type { FeatureMatrix, FeaturesLike, LabelsLike, Threads } from './input.js';
export {
  accuracy,
  confusionMatrix,
  clusteringAccuracy,
  normalizedMutualInfo,
  adjustedRandIndex,
  contingencyTable,
  type Contingency,
} from './metrics.js';
export { linearSumAssignment, type Assignment } from './hungarian.js';
