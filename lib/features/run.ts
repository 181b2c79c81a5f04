// Features of a run's train and test sets from one of its checkpoints, as evaluate.py and
// extract.py compute them: inference mode, transform `test`, the run's own --subset.
import { initBackend } from '../backend/backend.js';
import { corruptLabels } from '../data/corrupt.js';
import { firstN, loadDataset } from '../data/index.js';
import { datasetFeatures, type Features } from './dataset.js';
import { recalibrateBatchNorm } from './recalibrate.js';
import { defaultDataDir } from '../io/paths.js';
import { loadRun } from '../train/load_run.js';
import { RunFolder } from '../train/run_folder.js';

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
  const dataDir = dataDirOverride ?? (typeof params.data_dir === 'string' ? params.data_dir : defaultDataDir());
  const trainSet = firstN(loadDataset(String(params.data), 'train', { dataDir }), Number(params.subset ?? 0));
  const testSet = loadDataset(String(params.data), 'test', { dataDir });
  const run = loadRun(modelDir, epoch, [testSet.height, testSet.width, testSet.channels]);
  const t0 = Date.now();
  try {
    // At the size the network trained at (a `default`-transform MNIST run takes 32x32).
    const inputSize = run.inputShape ? ([run.inputShape[0], run.inputShape[1]] as [number, number]) : undefined;
    if (opts.recalibrate) recalibrateBatchNorm(run.model, trainSet, { inputSize, batchSize: Number(params.bs ?? 500) });
    const penultimate = opts.penultimate === true;
    if (penultimate && !run.logits) throw new Error(`${modelDir}: --penultimate reads cross-entropy runs; this is an MCR² run`);
    const train = await datasetFeatures(run.model, trainSet, { inputSize, penultimate });
    const test = await datasetFeatures(run.model, testSet, { inputSize, penultimate });
    const lcr = Number(params.lcr ?? 0);
    const trainLabelsUsed =
      lcr > 0 ? corruptLabels(train.labels, String(params.corrupt ?? 'default'), lcr, Number(params.lcs ?? 10)) : train.labels;
    return {
      params,
      epoch: run.epoch,
      train,
      test,
      trainLabelsUsed,
      logits: run.logits && !penultimate,
      classes: testSet.classes,
      seconds: (Date.now() - t0) / 1000,
    };
  } finally {
    run.model.dispose();
  }
}
