// mcr2.data: datasets by their official --data names, batches, the official augmentations, label
// corruption, and synthetic features (unit rows, mixtures of subspaces).
export { loadDataset, DATASET_NAMES, classCounts, firstN, type ImageDataset, type Split, type LoadOptions } from '../data/index.js';
export { loadImageFolder, CIFAR10_CLASSES, STL10_CLASSES } from '../data/index.js';
export { imageBatch, getTransform, TRANSFORMS, type Transform } from '../data/batches.js';
export { AugmentLoader, type AugmentOptions, type AugmentBatch, type SamplerName } from '../data/augment.js';
export { downloadDataset } from '../data/download.js';
export { corruptLabels, countChanged, CORRUPTIONS, type CorruptionMode } from '../data/corrupt.js';
export {
  unitRows,
  randomUnitFeatures,
  subspaceMixture,
  SUBSPACE_MIXTURE_DEFAULTS,
  type SubspaceMixture,
  type SubspaceMixtureOptions,
} from '../data/synthetic.js';
export type { Features, FeatureRows } from '../data/features.js';
