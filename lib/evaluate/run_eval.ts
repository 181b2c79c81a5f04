// evaluate.py on a run folder: features of the train and test sets from a checkpoint, then the
// chosen methods. As the official code, classifiers are fit on the train labels the run trained on
// (corrupted again from params.json when it used --lcr) and scored on clean test labels.
import { initBackend } from '../backend.js';
import { corruptLabels } from '../data/corrupt.js';
import { firstN, loadDataset } from '../data/index.js';
import { extractFeatures, type Features } from '../features.js';
import { defaultDataDir } from '../paths.js';
import { loadRun } from '../train/load_run.js';
import { knnPredict } from './knn.js';
import { accuracy } from './metrics.js';
import { nearSubspacePredict } from './nearsub.js';

export interface EvaluateOptions {
  modelDir: string;
  epoch?: number;
  knn?: boolean;
  k?: number;
  nearsub?: boolean;
  nComp?: number;
  dataDir?: string;
  log?: (line: string) => void;
}

export interface EvaluateResult {
  epoch: number;
  knn?: number;
  nearsub?: { pca: number; svd: number };
  train: Features;
  test: Features;
  /** Test-set predictions of each method run. */
  predictions: { knn?: Int32Array; nearsub?: { pca: Int32Array; svd: Int32Array } };
  seconds: { features: number; knn?: number; nearsub?: number };
}

export async function evaluateRun(opts: EvaluateOptions): Promise<EvaluateResult> {
  const log = opts.log ?? ((s: string) => console.log(s));
  await initBackend();
  const dataDirGiven = opts.dataDir;
  const probe = loadRun(opts.modelDir, opts.epoch);
  const p = probe.params;
  const dataDir = dataDirGiven ?? (typeof p.data_dir === 'string' ? p.data_dir : defaultDataDir());
  const trainSet = loadDataset(String(p.data), 'train', { dataDir });
  const subset = Number(p.subset ?? 0);
  const testSet = loadDataset(String(p.data), 'test', { dataDir });
  const t0 = Date.now();
  const train = await extractFeatures(probe.model, firstN(trainSet, subset));
  const test = await extractFeatures(probe.model, testSet);
  probe.model.dispose();
  if (p.lcr !== undefined && Number(p.lcr) > 0) {
    train.labels = corruptLabels(train.labels, String(p.corrupt ?? 'default'), Number(p.lcr), Number(p.lcs ?? 10));
  }
  const result: EvaluateResult = { epoch: probe.epoch, train, test, predictions: {}, seconds: { features: (Date.now() - t0) / 1000 } };
  if (opts.knn) {
    const t = Date.now();
    const pred = knnPredict(train.features, train.labels, test.features, train.dim, { k: opts.k ?? 5 });
    result.knn = accuracy(pred, test.labels);
    result.predictions.knn = pred;
    result.seconds.knn = (Date.now() - t) / 1000;
    log(`kNN: ${result.knn}`);
  }
  if (opts.nearsub) {
    const t = Date.now();
    const r = nearSubspacePredict(train.features, train.labels, test.features, train.dim, { nComp: opts.nComp ?? 30 });
    result.nearsub = { pca: accuracy(r.pca, test.labels), svd: accuracy(r.svd, test.labels) };
    result.predictions.nearsub = r;
    result.seconds.nearsub = (Date.now() - t) / 1000;
    log(`PCA: ${result.nearsub.pca}`);
    log(`SVD: ${result.nearsub.svd}`);
  }
  return result;
}
