// Opening a finished (or running) run folder: its parameters and a network with a checkpoint loaded.
import { createNetwork, type Network } from '../models/network.js';
import { loadTensors } from './checkpoint.js';
import { RunFolder } from './run_folder.js';

export interface LoadedRun {
  run: RunFolder;
  params: Record<string, unknown>;
  epoch: number;
  model: Network;
  /** True for a cross-entropy baseline run: the network emits class logits. */
  logits: boolean;
}

/** Loads the given epoch's checkpoint, or the latest (as the official `load_checkpoint`). */
export function loadRun(modelDir: string, epoch?: number, inputShape?: [number, number, number]): LoadedRun {
  const run = new RunFolder(modelDir);
  const params = run.readParams();
  const ck = run.resolveCheckpoint(epoch);
  const ce = params.loss === 'ce';
  if (ce && typeof params.num_classes !== 'number') throw new Error(`${run.paramsFile}: a cross-entropy run without num_classes`);
  const model = createNetwork(String(params.arch), Number(params.fd), { inputShape, logits: ce ? Number(params.num_classes) : undefined });
  model.loadStateDict(loadTensors(ck.file).tensors, ck.file);
  model.eval();
  return { run, params, epoch: ck.epoch, model, logits: ce };
}
