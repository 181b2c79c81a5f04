// Features of a run's train and test sets from one of its checkpoints, as evaluate.py and
// extract.py compute them: inference mode, transform `test`, the run's own --subset.
import { initBackend } from '../accel/backend.js';
import { datasetFeatures, type Features } from '../features/dataset.js';
import { recalibrateBatchNorm } from '../features/recalibrate.js';
import { inputSizeOf, loadRun, runDataset, runTrainLabels } from './load_run.js';
import { RunFolder } from './run_folder.js';

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
