// mcr2.models: the architectures by their --arch names, the module system, logit networks.
export {
  createModel,
  ARCH_NAMES,
  archInputShape,
  archAbout,
  FeatureNet,
  Module,
  type ModelOptions,
  type FeatureNetOptions,
} from '../models/index.js';
export { createNetwork, LogitNet, type Network, type NetworkOptions } from '../models/network.js';
export { summaryText } from '../models/summary.js';
// Our state_dicts against PyTorch's (official names, layouts and order; DataParallel's module. prefix).
export {
  toTorchStateDict,
  fromTorchStateDict,
  loadTorchStateDict,
  torchStateDictLayout,
  type ToTorchOptions,
  type FromTorchOptions,
} from '../models/torch_state.js';
