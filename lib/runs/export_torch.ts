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
import { RUN_SPEC } from './options.js';
import { type InputOf, opt, resolve, withHelp } from '../options/spec.js';

/** `mcr2 export`'s options. */
export const EXPORT_SPEC = {
  modelDir: RUN_SPEC.modelDir,
  // the latest by default, as the official loader picks
  epoch: RUN_SPEC.epoch,
  out: opt.maybeText({
    flag: 'out',
    help: 'where the .pt goes (default: <model_dir>/checkpoints/model-epoch<e>.pt, where the official scripts look) (mcr2-ts)',
  }),
  // the prefix of every name: DataParallel's state_dict, which the official code saves
  prefix: opt.text('module.', { help: "prefix of every tensor name (DataParallel's)" }),
  dataDir: withHelp(RUN_SPEC.dataDir, 'path to dataset, read (for its image size) only for runs without input_shape in params.json'),
};

export type ExportTorchOptions = InputOf<typeof EXPORT_SPEC>;

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
export async function exportTorchCheckpoint(options: ExportTorchOptions): Promise<ExportTorchResult> {
  const opts = resolve(EXPORT_SPEC, options, 'export');
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
    const sd = toTorchStateDict(run.model, { prefix: opts.prefix, numBatchesTracked: stepsThrough(folder, run.epoch) });
    const file = opts.out ?? folder.torchModelFile(run.epoch);
    if (path.resolve(file) === path.resolve(folder.resolveCheckpoint(run.epoch).file))
      throw new Error(`${file} is the checkpoint being exported (a PyTorch file already); give another out file`);
    writeTorchCheckpoint(file, sd);
    return { file, epoch: run.epoch, arch: String(params.arch), fd: Number(params.fd), tensors: sd.size, logits: run.logits };
  } finally {
    run.model.dispose();
  }
}
