// Evaluators of learned features (evaluate.py): each takes train features + labels and test
// features and returns predictions; metrics score them.
export { knnPredict, type KnnOptions } from './knn.js';
export { nearSubspacePredict, type NearSubspaceOptions, type NearSubspaceResult } from './nearsub.js';
export { accuracy, confusionMatrix } from './metrics.js';
