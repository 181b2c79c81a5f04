// mcr2.io: numpy files, PyTorch checkpoints and the package's folders.
export { readNpz, writeNpz, readNpy, writeNpy, type NpyArray, type NpyInput, type NpyDtype, type NpyData } from '../io/npz.js';
export { packageRoot, defaultDataDir, displayPath, notebookFiguresDir, notebookSaveDir } from '../io/paths.js';
export { OptionError, type OptionNamer } from '../io/options.js';
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
