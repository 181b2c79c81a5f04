// Opening a finished (or running) run folder: its parameters and a network with a checkpoint loaded,
// built at the input size the run trained at.
import { getTransform, TRANSFORMS } from '../data/batches.js';
import { corruptLabels } from '../data/corrupt.js';
import type { ImageDataset } from '../data/dataset.js';
import { firstN, loadDataset } from '../data/index.js';
import { defaultDataDir } from '../io/paths.js';
import { createNetwork, type Network } from '../models/network.js';
import { RunFolder } from './run_folder.js';
import { loadModelCheckpoint } from './model_checkpoint.js';

export interface LoadedRun {
  run: RunFolder;
  params: Record<string, unknown>;
  epoch: number;
  model: Network;
  /** [height, width, channels] of the images the network takes (what it trained on). */
  inputShape: [number, number, number] | undefined;
  /** True for a cross-entropy baseline run: the network emits class logits. */
  logits: boolean;
}

/**
 * The input shape a run trained at: params.json's input_shape (written since it was recorded), or
 * for older runs the training transform's output size on images of `imageShape` (its dataset's).
 */
export function runInputShape(
  params: Record<string, unknown>,
  imageShape?: [number, number, number],
  where = 'params.json',
): [number, number, number] | undefined {
  const s = params.input_shape;
  if (s !== undefined) {
    if (!Array.isArray(s) || s.length !== 3 || s.some((v) => !Number.isInteger(v) || v < 1))
      throw new Error(`${where}: input_shape must be [height, width, channels], got ${JSON.stringify(s)}`);
    return s as [number, number, number];
  }
  if (imageShape === undefined) return undefined;
  const t = typeof params.transform === 'string' && params.transform in TRANSFORMS ? params.transform : 'test';
  const [h, w] = getTransform(t).outSize(imageShape[0], imageShape[1]);
  return [h, w, imageShape[2]];
}

/**
 * Loads the given epoch's checkpoint, or the latest (as the official `load_checkpoint`).
 * imageShape: the shape of the run's dataset images, for runs older than params.json's input_shape.
 */
export function loadRun(modelDir: string, epoch?: number, imageShape?: [number, number, number]): LoadedRun {
  const run = new RunFolder(modelDir);
  const params = run.readParams();
  const ck = run.resolveCheckpoint(epoch);
  const ce = params.loss === 'ce';
  if (ce && typeof params.num_classes !== 'number') throw new Error(`${run.paramsFile}: a cross-entropy run without num_classes`);
  const inputShape = runInputShape(params, imageShape, run.paramsFile);
  const model = createNetwork(String(params.arch), Number(params.fd), { inputShape, logits: ce ? Number(params.num_classes) : undefined });
  try {
    loadModelCheckpoint(model, ck.file);
  } catch (e) {
    model.dispose();
    throw e;
  }
  model.eval();
  return { run, params, epoch: ck.epoch, model, inputShape, logits: ce };
}

/**
 * A split of the dataset a run trained on (params.json's `data`, read from `dataDir`, else the
 * run's `data_dir`, else the default); the train split cut to the run's `--subset`.
 */
export function runDataset(params: Record<string, unknown>, split: 'train' | 'test', dataDir?: string): ImageDataset {
  const dir = dataDir ?? (typeof params.data_dir === 'string' ? params.data_dir : defaultDataDir());
  const ds = loadDataset(String(params.data), split, { dataDir: dir });
  return split === 'train' ? firstN(ds, Number(params.subset ?? 0)) : ds;
}

/**
 * The train labels a run trained on: `clean` corrupted again as params.json records (`lcr`,
 * `corrupt`, `lcs`, the official defaults where absent), or `clean` itself for a run without --lcr.
 */
export function runTrainLabels(params: Record<string, unknown>, clean: Int32Array): Int32Array {
  const lcr = Number(params.lcr ?? 0);
  return lcr > 0 ? corruptLabels(clean, String(params.corrupt ?? 'default'), lcr, Number(params.lcs ?? 10)) : clean;
}

/** The [height, width] a network takes, from the input shape a run trained at. */
export function inputSizeOf(shape: [number, number, number] | undefined): [number, number] | undefined {
  return shape ? [shape[0], shape[1]] : undefined;
}
