// evaluate.py on a run folder: features of the train and test sets from a checkpoint, then the
// chosen methods. As the official code, classifiers are fit on the train labels the run trained on
// (corrupted again from params.json when it used --lcr) and scored on clean test labels.
import { initBackend } from '../backend.js';
import { corruptLabels } from '../data/corrupt.js';
import { firstN, loadDataset } from '../data/index.js';
import { extractFeatures, type Features } from '../features.js';
import { defaultDataDir } from '../paths.js';
import { loadRun } from '../train/load_run.js';
import { RunFolder } from '../train/run_folder.js';
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
  /** Cross-entropy runs: test accuracy of the classifier's argmax. */
  ce?: number;
  knn?: number;
  nearsub?: { pca: number; svd: number };
  train: Features;
  test: Features;
  /** Test-set predictions of each method run. */
  predictions: { knn?: Int32Array; nearsub?: { pca: Int32Array; svd: Int32Array } };
  seconds: { features: number; knn?: number; nearsub?: number };
}

function argmaxRows(x: Float32Array, dim: number): Int32Array {
  const n = x.length / dim;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < dim; j++) if (x[i * dim + j] > x[i * dim + best]) best = j;
    out[i] = best;
  }
  return out;
}

export async function evaluateRun(opts: EvaluateOptions): Promise<EvaluateResult> {
  const log = opts.log ?? ((s: string) => console.log(s));
  await initBackend();
  const p = new RunFolder(opts.modelDir).readParams();
  const dataDir = opts.dataDir ?? (typeof p.data_dir === 'string' ? p.data_dir : defaultDataDir());
  const trainSet = loadDataset(String(p.data), 'train', { dataDir });
  const subset = Number(p.subset ?? 0);
  const testSet = loadDataset(String(p.data), 'test', { dataDir });
  const probe = loadRun(opts.modelDir, opts.epoch, [testSet.height, testSet.width, testSet.channels]);
  const t0 = Date.now();
  const train = await extractFeatures(probe.model, firstN(trainSet, subset));
  const test = await extractFeatures(probe.model, testSet);
  probe.model.dispose();
  if (p.lcr !== undefined && Number(p.lcr) > 0) {
    train.labels = corruptLabels(train.labels, String(p.corrupt ?? 'default'), Number(p.lcr), Number(p.lcs ?? 10));
  }
  const result: EvaluateResult = { epoch: probe.epoch, train, test, predictions: {}, seconds: { features: (Date.now() - t0) / 1000 } };
  if (probe.logits) {
    result.ce = accuracy(argmaxRows(test.features, test.dim), test.labels);
    log(`CE: ${result.ce}`);
  }
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
