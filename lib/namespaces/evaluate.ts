// mcr2.evaluate: the evaluators as estimators (KNN, NearestSubspace, LinearSVC, KMeans, EnSC),
// their defaults, the scores, and evaluate.py on a run folder.
export * from '../evaluate/index.js';
