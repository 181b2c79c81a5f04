// Opening a finished (or running) run folder: its parameters and a model with a checkpoint loaded.
import { createModel, type FeatureNet } from '../models/index.js';
import { loadTensors } from './checkpoint.js';
import { RunFolder } from './run_folder.js';

export interface LoadedRun {
  run: RunFolder;
  params: Record<string, unknown>;
  epoch: number;
  model: FeatureNet;
}

/** Loads the given epoch's checkpoint, or the latest (as the official `load_checkpoint`). */
export function loadRun(modelDir: string, epoch?: number, inputShape?: [number, number, number]): LoadedRun {
  const run = new RunFolder(modelDir);
  const params = run.readParams();
  const ck = run.resolveCheckpoint(epoch);
  const model = createModel(String(params.arch), Number(params.fd), { inputShape });
  model.loadStateDict(loadTensors(ck.file).tensors, ck.file);
  model.eval();
  return { run, params, epoch: ck.epoch, model };
}
