// mcr2.io: numpy files and the package's folders.
export { readNpz, writeNpz, readNpy, writeNpy, type NpyArray, type NpyInput, type NpyDtype, type NpyData } from '../io/npz.js';
export { packageRoot, defaultDataDir, displayPath, notebookFiguresDir, notebookSaveDir } from '../io/paths.js';
export { OptionError, type OptionNamer } from '../io/options.js';
