// mcr2.features: the features of a dataset from a network in inference mode, raw pixels as
// features, a balanced sample, and how far apart the classes are (cosine statistics).
export { datasetFeatures, type Features, type DatasetFeatureOptions } from '../features/dataset.js';
export { pixelFeatures, firstPerClass } from '../features/select.js';
export { cosineStats, type CosineStats } from '../features/cosine.js';
export { recalibrateBatchNorm, batchNorms, type RecalibrateOptions } from '../features/recalibrate.js';
export { batchRateReduction, type BatchRateOptions } from '../features/rate.js';
