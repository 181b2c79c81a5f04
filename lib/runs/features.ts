// Features of a run's train and test sets from one of its checkpoints, as evaluate.py and
// extract.py compute them: inference mode, transform `test`, the run's own --subset.
import { initBackend } from '../backend/backend.js';
import { datasetFeatures, type Features } from '../features/dataset.js';
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

export async function runFeatures(modelDir: string, epoch?: number, dataDirOverride?: string): Promise<RunFeatures> {
  await initBackend();
  const params = new RunFolder(modelDir).readParams();
  const trainSet = runDataset(params, 'train', dataDirOverride);
  const testSet = runDataset(params, 'test', dataDirOverride);
  const run = loadRun(modelDir, epoch, [testSet.height, testSet.width, testSet.channels]);
  const t0 = Date.now();
  try {
    // At the size the network trained at (a `default`-transform MNIST run takes 32x32).
    const inputSize = inputSizeOf(run.inputShape);
    const train = await datasetFeatures(run.model, trainSet, { inputSize });
    const test = await datasetFeatures(run.model, testSet, { inputSize });
    return {
      params,
      epoch: run.epoch,
      train,
      test,
      trainLabelsUsed: runTrainLabels(params, train.labels),
      logits: run.logits,
      classes: testSet.classes,
      seconds: (Date.now() - t0) / 1000,
    };
  } finally {
    run.model.dispose();
  }
}
