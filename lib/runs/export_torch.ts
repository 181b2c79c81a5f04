// `mcr2 export`: a run's checkpoint as the .pt the official code saves
// (torch.save(DataParallel(net).state_dict())), so that its evaluate.py, extract.py and plot.py,
// and net.load_state_dict(torch.load(f), strict=True), read a run trained here.
import * as path from 'node:path';
import { initBackend } from '../accel/backend.js';
import { loadDataset } from '../data/index.js';
import { defaultDataDir } from '../io/paths.js';
import { writeTorchCheckpoint } from '../io/torch.js';
import { toTorchStateDict } from '../models/torch_state.js';
import { loadRun, runInputShape } from './load_run.js';
import { RunFolder } from './run_folder.js';

export interface ExportTorchOptions {
  /** The run folder. */
  modelDir: string;
  /** Its checkpoint to export (default: the latest, as the official loader picks). */
  epoch?: number;
  /** Where the .pt goes (default: <modelDir>/checkpoints/model-epoch{e}.pt, where the official scripts look). */
  out?: string;
  /** Prefix of every name (default 'module.', as DataParallel's state_dict that the official code saves). */
  prefix?: string;
  /** Dataset folder, only read for runs whose params.json has no input_shape (default: the run's). */
  dataDir?: string;
}

export interface ExportTorchResult {
  file: string;
  epoch: number;
  arch: string;
  fd: number;
  tensors: number;
  /** A cross-entropy run: its classifier has no official architecture to load into. */
  logits: boolean;
}

/** Optimizer steps up to the end of `epoch` (losses.csv has one row per step): the batch norms' num_batches_tracked. */
function stepsThrough(run: RunFolder, epoch: number): number {
  try {
    return run.readLosses().filter((r) => r.epoch <= epoch).length;
  } catch {
    return 0;
  }
}

/**
 * Writes a run's checkpoint as torch.save(net.state_dict()) of the official DataParallel network
 * would: zip format, an OrderedDict of float32 tensors in PyTorch's layout and order, every batch
 * norm's num_batches_tracked, names under `module.`.
 */
export async function exportTorchCheckpoint(opts: ExportTorchOptions): Promise<ExportTorchResult> {
  await initBackend();
  const folder = new RunFolder(opts.modelDir);
  const params = folder.readParams();
  // Runs from before params.json recorded input_shape (and the official code's): the size follows
  // from the dataset's images where they can be read, else the architecture's own input size.
  let imageShape: [number, number, number] | undefined;
  if (runInputShape(params, undefined, folder.paramsFile) === undefined) {
    const dataDir = opts.dataDir ?? (typeof params.data_dir === 'string' ? params.data_dir : defaultDataDir());
    try {
      const ds = loadDataset(String(params.data), 'test', { dataDir });
      imageShape = [ds.height, ds.width, ds.channels];
    } catch {
      imageShape = undefined;
    }
  }
  const run = loadRun(opts.modelDir, opts.epoch, imageShape);
  try {
    const sd = toTorchStateDict(run.model, { prefix: opts.prefix ?? 'module.', numBatchesTracked: stepsThrough(folder, run.epoch) });
    const file = opts.out ?? folder.torchModelFile(run.epoch);
    if (path.resolve(file) === path.resolve(folder.resolveCheckpoint(run.epoch).file))
      throw new Error(`${file} is the checkpoint being exported (a PyTorch file already); give another out file`);
    writeTorchCheckpoint(file, sd);
    return { file, epoch: run.epoch, arch: String(params.arch), fd: Number(params.fd), tensors: sd.size, logits: run.logits };
  } finally {
    run.model.dispose();
  }
}
