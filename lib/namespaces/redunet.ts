// mcr2.redunet: ReduNet, the white-box network built layer by layer from MCR² (vector and
// shift-invariant layers, the lift), the data of the paper's experiments (Gaussian mixtures, MNIST
// in polar coordinates, circular shifts), their accuracies and figures.
export {
  ReduNet,
  REDUNET_DEFAULTS,
  type ReduNetOptions,
  type ReduPass,
  type PassOptions,
  type LayerEvent,
  type Features64,
  type StoredOperators,
} from '../redunet/redunet.js';
export type { LayerLoss, LayerOperators } from '../redunet/layer.js';
export { gaussianKernels, liftSignals, LIFT_DEFAULTS, type LiftOptions } from '../redunet/lift.js';
export {
  gaussianMixture,
  GAUSSIAN_DATA,
  convert2polar,
  rotateImage,
  translate,
  roll,
  filterClass,
  shuffleIndex,
  firstOfEach,
  gatherRows,
  linspace,
  type LabelledRows,
} from '../redunet/data.js';
export {
  gaussianData,
  GAUSSIAN_DEFAULTS,
  mnistShiftData,
  MNIST_SHIFT_DEFAULTS,
  accuracies,
  type GaussianDataOptions,
  type MnistShiftDataOptions,
  type MnistShiftData,
  type SignalSet,
  type Accuracies,
  type Rows,
} from '../redunet/experiments.js';
export { layerLossFigure, pointsFigure, CLASS_COLORS_2D, CLASS_COLORS_3D, type PointsPanel } from '../redunet/figures.js';
