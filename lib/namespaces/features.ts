// mcr2.features: the features of a dataset from a network in inference mode, raw pixels as
// features, a balanced sample, how far apart the classes are (cosine statistics, batch rate
// reduction), and what they look like: per-class spectra, cosine histograms, |ZZᵀ|, the items
// nearest each component (the numbers behind plot.py's figures).
export { datasetFeatures, type DatasetFeatureOptions } from '../features/dataset.js';
export { pixelFeatures, firstPerClass } from '../features/select.js';
export { cosineStats, type CosineStats } from '../features/cosine.js';
export { recalibrateBatchNorm, batchNorms, type RecalibrateOptions } from '../features/recalibrate.js';
export { batchRateReduction, type BatchRateOptions } from '../features/rate.js';
export {
  singularValues,
  classSingularValues,
  cosineHistograms,
  absGramGrid,
  nearestPerComponent,
  nearestToComponents,
  type ClassSpectra,
  type Histogram,
  type PairHistogram,
  type HeatGrid,
  type GramOptions,
} from '../features/analysis.js';
