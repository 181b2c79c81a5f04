// mcr2.io: numpy files, checkpoints (safetensors), the package's folders, option errors.
export { readNpz, writeNpz, readNpy, writeNpy, type NpyArray, type NpyInput, type NpyDtype, type NpyData } from '../io/npz.js';
export { saveTensors, loadTensors, type TensorMap, type StoredTensor } from '../io/safetensors.js';
export { defaultDataDir, displayPath } from '../io/paths.js';
export { OptionError } from '../io/options.js';
