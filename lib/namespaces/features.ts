// mcr2.features: the features of a dataset or of a run's checkpoint, in inference mode.
export { datasetFeatures, centerToSize, type Features, type DatasetFeatureOptions } from '../features/dataset.js';
export { runFeatures, type RunFeatures } from '../features/run.js';
export { writeRunFeatures, type ExtractOptions } from '../features/extract.js';
export { recalibrateBatchNorm, batchNorms, type RecalibrateOptions } from '../features/recalibrate.js';
