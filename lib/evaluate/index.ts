// Evaluators of learned features (evaluate.py): each takes train features + labels and test
// features and returns predictions; the clusterings take features alone; metrics score them.
export { knnPredict, knnPredictParallel, type KnnOptions } from './knn.js';
export { nearSubspacePredict, type NearSubspaceOptions, type NearSubspaceResult } from './nearsub.js';
export {
  linearSvcPredict,
  linearSvcFit,
  linearSvcPredictWith,
  linearSvcDecision,
  type LinearSvcOptions,
  type LinearSvcModel,
} from './svm.js';
export { kmeansCluster, kmeansPlusPlus, kmeansProblem, kmeansRestart, type KMeansOptions, type KMeansResult } from './kmeans.js';
export { kmeansClusterParallel } from './kmeans_parallel.js';
export { enscCluster, enscClusterParallel, type EnscOptions, type EnscResult } from './ensc.js';
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
