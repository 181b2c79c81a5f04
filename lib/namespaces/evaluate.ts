// mcr2.evaluate: the evaluators as estimators (KNN, NearestSubspace, LinearSVC, KMeans, EnSC),
// their defaults, the scores, and evaluate.py on a run folder.
export * from '../evaluate/index.js';
export { evaluateRun, readFeatureFile, type EvaluateOptions, type EvaluateResult } from '../runs/evaluate.js';
export { evaluateFeatures, clusterScores, type EvaluateMethods, type FeatureEvaluation, type ClusterScores } from '../evaluate/methods.js';
