// mcr2.runs: what works on a run folder, the official scripts after training: the folder itself,
// loading a checkpoint (ours or the official .pt), its features (extract.py), evaluate.py, plot.py's
// figures, generate.py's curves, and `mcr2 export` (a checkpoint as the official .pt).
export { RunFolder, type OpenRun } from '../runs/run_folder.js';
export { loadRun, type LoadedRun } from '../runs/load_run.js';
export { loadModelCheckpoint, isTorchCheckpoint } from '../runs/model_checkpoint.js';
export { runFeatures, writeRunFeatures, readFeatureFile, type RunFeatures, type ExtractOptions } from '../runs/features.js';
export { evaluateRun, type EvaluateOptions, type EvaluateResult } from '../runs/evaluate.js';
export { plotRun, PLOT_NAMES, type PlotName, type PlotRunOptions, type PlotRunResult } from '../runs/figures.js';
export { generateTestLosses, generateAccuracy, type GenerateOptions } from '../runs/curves.js';
export { exportTorchCheckpoint, type ExportTorchOptions, type ExportTorchResult } from '../runs/export_torch.js';
