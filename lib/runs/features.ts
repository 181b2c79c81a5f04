// Features of a run's train and test sets from one of its checkpoints, as evaluate.py and
// extract.py compute them: inference mode, transform `test`, the run's own --subset; written as a
// numpy-readable .npz (extract.py: one zip; the official script writes a .tgz although its README
// says .zip) holding features.npy/labels.npy (the train split, clean labels, as the official
// script) and train_/test_ features and labels, which `mcr2 evaluate --features` reads back.
import * as path from 'node:path';
import { initBackend } from '../accel/backend.js';
import type { Features } from '../data/features.js';
import { datasetFeatures } from '../features/dataset.js';
import { recalibrateBatchNorm } from '../features/recalibrate.js';
import { inputSizeOf, loadRun, runDataset, runTrainLabels } from './load_run.js';
import { RunFolder } from './run_folder.js';
import { type NpyArray, readNpz, writeNpz } from '../io/npz.js';
import { type InputOf, opt, resolve } from '../options/spec.js';
import { RUN_SPEC } from './options.js';

export interface RunFeatures {
  params: Record<string, unknown>;
  epoch: number;
  train: Features;
  test: Features;
  /** The train labels the run trained on (corrupted again from params.json when it used --lcr). */
  trainLabelsUsed: Int32Array;
  /** Cross-entropy run: the "features" are class logits. */
  logits: boolean;
  classes: string[];
  seconds: number;
}

export interface RunFeatureOptions {
  /**
   * Recompute batch norm's running statistics from one training-mode pass over the run's training
   * images before extracting (features/recalibrate.ts; `evaluate --bn_recalibrate`). Default false:
   * the checkpoint's own statistics, as evaluate.py.
   */
  recalibrate?: boolean;
  /**
   * A cross-entropy run's penultimate layer as unit rows instead of its logits (`evaluate
   * --penultimate`), so its features can be judged by the same classifiers as MCR²'s. Default false.
   */
  penultimate?: boolean;
}

export async function runFeatures(
  modelDir: string,
  epoch?: number,
  dataDirOverride?: string,
  opts: RunFeatureOptions = {},
): Promise<RunFeatures> {
  await initBackend();
  const params = new RunFolder(modelDir).readParams();
  const trainSet = runDataset(params, 'train', dataDirOverride);
  const testSet = runDataset(params, 'test', dataDirOverride);
  const run = loadRun(modelDir, epoch, [testSet.height, testSet.width, testSet.channels]);
  const t0 = Date.now();
  try {
    // At the size the network trained at (a `default`-transform MNIST run takes 32x32).
    const inputSize = inputSizeOf(run.inputShape);
    if (opts.recalibrate) recalibrateBatchNorm(run.model, trainSet, { inputSize, batchSize: Number(params.bs ?? 500) });
    const penultimate = opts.penultimate === true;
    if (penultimate && !run.logits) throw new Error(`${modelDir}: --penultimate reads cross-entropy runs; this is an MCR² run`);
    const train = await datasetFeatures(run.model, trainSet, { inputSize, penultimate });
    const test = await datasetFeatures(run.model, testSet, { inputSize, penultimate });
    return {
      params,
      epoch: run.epoch,
      train,
      test,
      trainLabelsUsed: runTrainLabels(params, train.labels),
      logits: run.logits && !penultimate,
      classes: testSet.classes,
      seconds: (Date.now() - t0) / 1000,
    };
  } finally {
    run.model.dispose();
  }
}

/** extract.py's options (`mcr2 extract`'s flags). */
export const EXTRACT_SPEC = {
  modelDir: RUN_SPEC.modelDir,
  epoch: RUN_SPEC.epoch,
  saveDir: opt.text('./extractions/', { flag: 'save_dir', help: 'where the .npz goes' }),
  tail: opt.text('', { flag: 'tail', help: 'extra information to add to the file name' }),
  dataDir: RUN_SPEC.dataDir,
};

export type ExtractOptions = InputOf<typeof EXTRACT_SPEC>;

export async function writeRunFeatures(
  options: ExtractOptions,
): Promise<{ file: string; train: number; test: number; dim: number; epoch: number }> {
  const o = resolve(EXTRACT_SPEC, options, 'extract');
  const rf = await runFeatures(o.modelDir, o.epoch, o.dataDir);
  const name = `${path.basename(path.resolve(o.modelDir))}_epoch${rf.epoch}${o.tail}.npz`;
  const file = path.join(o.saveDir, name);
  const { train, test } = rf;
  writeNpz(file, {
    features: { data: train.features, shape: [train.n, train.dim] },
    labels: { data: train.labels, shape: [train.n] },
    train_features: { data: train.features, shape: [train.n, train.dim] },
    train_labels: { data: rf.trainLabelsUsed, shape: [train.n] },
    test_features: { data: test.features, shape: [test.n, test.dim] },
    test_labels: { data: test.labels, shape: [test.n] },
  });
  return { file, train: train.n, test: test.n, dim: train.dim, epoch: rf.epoch };
}

function asFeatures(f: NpyArray | undefined, l: NpyArray | undefined, what: string, file: string): Features {
  if (f === undefined || l === undefined) throw new Error(`${file}: needs ${what}_features and ${what}_labels arrays`);
  if (f.shape.length !== 2) throw new Error(`${file}: ${what}_features must be 2-D (N x p), got shape [${f.shape}]`);
  const [n, dim] = f.shape;
  if (l.shape.length !== 1 || l.shape[0] !== n) throw new Error(`${file}: ${what}_labels has shape [${l.shape}], expected [${n}]`);
  const features = f.data instanceof Float32Array ? f.data : Float32Array.from(f.data);
  for (let i = 0; i < features.length; i++)
    if (!Number.isFinite(features[i])) throw new Error(`${file}: ${what}_features contain NaN or Inf`);
  const labels = Int32Array.from(l.data);
  for (let i = 0; i < n; i++) if (labels[i] < 0) throw new Error(`${file}: ${what}_labels[${i}] = ${labels[i]} is negative`);
  return { features, labels, n, dim };
}

/** Features saved by `mcr2 extract` (or numpy): train_/test_ features and labels. */
export function readFeatureFile(file: string): { train: Features; test: Features } {
  const z = readNpz(file);
  const train = asFeatures(z.train_features, z.train_labels, 'train', file);
  const test = asFeatures(z.test_features, z.test_labels, 'test', file);
  if (train.dim !== test.dim) throw new Error(`${file}: train features are ${train.dim}-d, test features ${test.dim}-d`);
  return { train, test };
}
