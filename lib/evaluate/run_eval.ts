// evaluate.py on a run folder: features of the train and test sets from a checkpoint, then the
// chosen methods. As the official code, classifiers are fit on the train labels the run trained on
// (corrupted again from params.json when it used --lcr) and scored on clean test labels.
import type { Features } from '../features.js';
import { knnPredict } from './knn.js';
import { accuracy } from './metrics.js';
import { nearSubspacePredict } from './nearsub.js';
import { runFeatures } from './run_features.js';

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
  const rf = await runFeatures(opts.modelDir, opts.epoch, opts.dataDir);
  const { test } = rf;
  // As the official code: classifiers fit on the labels the run trained on, scored on clean test labels.
  const train = { ...rf.train, labels: rf.trainLabelsUsed };
  const result: EvaluateResult = { epoch: rf.epoch, train, test, predictions: {}, seconds: { features: rf.seconds } };
  if (rf.logits) {
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
