// mcr2.runs: what works on a run folder, the official scripts after training: the folder itself,
// loading a checkpoint, its features (extract.py), evaluate.py, plot.py and generate.py.
export { RunFolder, type OpenRun } from '../runs/run_folder.js';
export { loadRun, type LoadedRun } from '../runs/load_run.js';
export { runFeatures, type RunFeatures } from '../runs/features.js';
export { writeRunFeatures, type ExtractOptions } from '../runs/extract.js';
export { evaluateRun, readFeatureFile, type EvaluateOptions, type EvaluateResult } from '../runs/evaluate.js';
export { plotRun, PLOT_NAMES, type PlotName, type PlotRunOptions, type PlotRunResult } from '../runs/plot.js';
export { generateTestLosses, generateAccuracy, type GenerateOptions } from '../runs/generate.js';
