// mcr2.io: numpy files, checkpoints (safetensors; PyTorch's torch.save files), the package's folders.
export { readNpz, writeNpz, readNpy, writeNpy, type NpyArray, type NpyInput, type NpyDtype, type NpyData } from '../io/npz.js';
export { saveTensors, loadTensors, type TensorMap, type StoredTensor } from '../io/safetensors.js';
export { defaultDataDir, displayPath } from '../io/paths.js';
// PyTorch's torch.save files of state_dicts (zip and legacy formats), read without running code.
export {
  readTorchCheckpoint,
  writeTorchCheckpoint,
  parseTorchCheckpoint,
  encodeTorchCheckpoint,
  type TorchTensor,
  type TorchStateDict,
  type TorchDtype,
} from '../io/torch.js';
