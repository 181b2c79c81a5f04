// mcr2.features: the features of a dataset or of a run's checkpoint, in inference mode.
export { datasetFeatures, centerToSize, type Features, type DatasetFeatureOptions } from '../features/dataset.js';
export { runFeatures, type RunFeatures } from '../runs/features.js';
export { writeRunFeatures, type ExtractOptions } from '../runs/extract.js';
export { cosineStats, type CosineStats } from '../features/cosine.js';
export { pixelFeatures, firstPerClass } from '../features/select.js';
