// evaluate.py: judge learned features with any of five methods, from a run folder's checkpoint or
// from saved features (.npz). As the official code, classifiers are fit on the train labels the run
// trained on (corrupted again from params.json when it used --lcr) and scored on clean test labels;
// clustering runs on the train features and is scored against those same train labels.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initBackend } from '../backend/backend.js';
import type { Features } from '../features/dataset.js';
import { readNpz, writeNpy, type NpyArray } from '../io/npz.js';
import { enscClusterParallel } from './ensc.js';
import { kmeansClusterParallel } from './kmeans_parallel.js';
import { knnPredictParallel } from './knn.js';
import { accuracy, adjustedRandIndex, clusteringAccuracy, normalizedMutualInfo } from './metrics.js';
import { nearSubspacePredict } from './nearsub.js';
import { runFeatures } from '../features/run.js';
import { linearSvcPredict } from './svm.js';
import { saveClusteringConfusion } from '../plot/confusion.js';

export interface EvaluateOptions {
  /** A run folder (evaluate its checkpoint) ... */
  modelDir?: string;
  /** ... or an .npz with train_features, train_labels, test_features, test_labels. */
  features?: string;
  epoch?: number;
  svm?: boolean;
  knn?: boolean;
  nearsub?: boolean;
  kmeans?: boolean;
  ensc?: boolean;
  /** kNN neighbours (official default 5). */
  k?: number;
  /** Clusters for kmeans/ensc (official default 10). */
  n?: number;
  /** EnSC γ and τ (official defaults 300 and 1). */
  gam?: number;
  tau?: number;
  /** Components per class for nearest subspace (official default 30). */
  nComp?: number;
  /** Write each method's predicted labels to plabels/{method}_epoch{e}.npy. */
  save?: boolean;
  dataDir?: string;
  log?: (line: string) => void;
}

export interface ClusterScores {
  acc: number;
  nmi: number;
  ari: number;
}

export interface EvaluateResult {
  epoch: number;
  /** Cross-entropy runs: test accuracy of the classifier's argmax. */
  ce?: number;
  svm?: number;
  knn?: number;
  nearsub?: { pca: number; svd: number };
  kmeans?: ClusterScores;
  ensc?: ClusterScores;
  train: Features;
  test: Features;
  /** Test-set predictions of the classifiers; train-set cluster labels of the clusterings. */
  predictions: {
    svm?: Int32Array;
    knn?: Int32Array;
    nearsub?: { pca: Int32Array; svd: Int32Array };
    kmeans?: Int32Array;
    ensc?: Int32Array;
  };
  seconds: Record<string, number>;
  /** Where --save wrote the predictions. */
  saved: string[];
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

const scores = (pred: Int32Array, truth: Int32Array): ClusterScores => ({
  acc: clusteringAccuracy(pred, truth),
  nmi: normalizedMutualInfo(pred, truth),
  ari: adjustedRandIndex(pred, truth),
});

export async function evaluateRun(opts: EvaluateOptions): Promise<EvaluateResult> {
  const log = opts.log ?? ((s: string) => console.log(s));
  await initBackend();
  let train: Features;
  let test: Features;
  let epoch = -1;
  let logits = false;
  let plabelsDir: string;
  const seconds: Record<string, number> = {};
  if (opts.features !== undefined) {
    ({ train, test } = readFeatureFile(opts.features));
    plabelsDir = path.join(path.dirname(opts.features), 'plabels');
  } else if (opts.modelDir !== undefined) {
    const rf = await runFeatures(opts.modelDir, opts.epoch, opts.dataDir);
    // As the official code: classifiers fit on the labels the run trained on, scored on clean test labels.
    train = { ...rf.train, labels: rf.trainLabelsUsed };
    test = rf.test;
    epoch = rf.epoch;
    logits = rf.logits;
    seconds.features = rf.seconds;
    plabelsDir = path.join(opts.modelDir, 'plabels');
  } else {
    throw new Error('evaluate needs a run folder (--model_dir) or saved features (--features)');
  }
  const result: EvaluateResult = { epoch, train, test, predictions: {}, seconds, saved: [] };
  const timed = async <T>(name: string, f: () => T | Promise<T>): Promise<T> => {
    const t = Date.now();
    const r = await f();
    seconds[name] = (Date.now() - t) / 1000;
    return r;
  };
  if (logits) {
    result.ce = accuracy(argmaxRows(test.features, test.dim), test.labels);
    log(`CE: ${result.ce}`);
  }
  if (opts.svm) {
    const pred = await timed('svm', () => linearSvcPredict(train.features, train.labels, test.features, train.dim));
    result.svm = accuracy(pred, test.labels);
    result.predictions.svm = pred;
    log(`SVM: ${result.svm}`);
  }
  if (opts.knn) {
    const pred = await timed('knn', () => knnPredictParallel(train.features, train.labels, test.features, train.dim, { k: opts.k ?? 5 }));
    result.knn = accuracy(pred, test.labels);
    result.predictions.knn = pred;
    log(`kNN: ${result.knn}`);
  }
  if (opts.nearsub) {
    const r = await timed('nearsub', () =>
      nearSubspacePredict(train.features, train.labels, test.features, train.dim, { nComp: opts.nComp ?? 30 }),
    );
    result.nearsub = { pca: accuracy(r.pca, test.labels), svd: accuracy(r.svd, test.labels) };
    result.predictions.nearsub = r;
    log(`PCA: ${result.nearsub.pca}`);
    log(`SVD: ${result.nearsub.svd}`);
  }
  if (opts.kmeans) {
    const r = await timed('kmeans', () => kmeansClusterParallel(train.features, train.dim, { nClusters: opts.n ?? 10 }));
    result.kmeans = scores(r.labels, train.labels);
    result.predictions.kmeans = r.labels;
    log(`KMeans: ${result.kmeans.acc}`);
  }
  if (opts.ensc) {
    const r = await timed('ensc', () =>
      enscClusterParallel(train.features, train.dim, { nClusters: opts.n ?? 10, gamma: opts.gam ?? 300, tau: opts.tau ?? 1 }),
    );
    result.ensc = scores(r.labels, train.labels);
    result.predictions.ensc = r.labels;
    log(`EnSC: ${result.ensc.acc}`);
  }
  if (opts.save) {
    fs.mkdirSync(plabelsDir, { recursive: true });
    const tag = epoch >= 0 ? `_epoch${epoch}` : '';
    const p = result.predictions;
    const out: Array<[string, Int32Array | undefined]> = [
      ['svm', p.svm],
      ['knn', p.knn],
      ['nearsub_pca', p.nearsub?.pca],
      ['nearsub_svd', p.nearsub?.svd],
      ['kmeans', p.kmeans],
      ['ensc', p.ensc],
    ];
    for (const [name, labels] of out) {
      if (labels === undefined) continue;
      const file = path.join(plabelsDir, `${name}${tag}.npy`);
      writeNpy(file, { data: labels, shape: [labels.length] });
      result.saved.push(file);
    }
    // The clusterings' confusion matrices, Hungarian-matched: figures/clustering/<method><tag>.{png,html,json}.
    const figDir = path.join(path.dirname(plabelsDir), 'figures', 'clustering');
    for (const [m, title] of [
      ['kmeans', 'k-means'],
      ['ensc', 'EnSC'],
    ] as const)
      if (p[m])
        result.saved.push(
          ...(await saveClusteringConfusion(p[m], train.labels, figDir, `${m}${tag}`, { title: `${title} on the train features` })),
        );
  }
  return result;
}

/** The --json document: only the methods that ran. */
export function evaluationJson(r: EvaluateResult): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (r.ce !== undefined) out.ce = r.ce;
  if (r.svm !== undefined) out.svm = r.svm;
  if (r.knn !== undefined) out.knn = r.knn;
  if (r.nearsub !== undefined) out.nearsub = r.nearsub;
  if (r.kmeans !== undefined) out.kmeans = r.kmeans;
  if (r.ensc !== undefined) out.ensc = r.ensc;
  return out;
}
