// evaluate.py: judge learned features with any of five methods, from a run folder's checkpoint or
// from saved features (.npz). As the official code, classifiers are fit on the train labels the run
// trained on (corrupted again from params.json when it used --lcr) and scored on clean test labels;
// clustering runs on the train features and is scored against those same train labels.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initBackend } from '../backend/backend.js';
import type { Features } from '../features/dataset.js';
import { readNpz, writeNpy, type NpyArray } from '../io/npz.js';
import { runFeatures } from './features.js';
import { RunFolder } from './run_folder.js';
import { ENSC_DEFAULTS, EnSC } from '../evaluate/ensc.js';
import type { Threads } from '../evaluate/input.js';
import { KMEANS_DEFAULTS, KMeans } from '../evaluate/kmeans.js';
import { KNN, KNN_DEFAULTS } from '../evaluate/knn.js';
import { accuracy, adjustedRandIndex, clusteringAccuracy, normalizedMutualInfo } from '../evaluate/metrics.js';
import { NEARSUB_DEFAULTS, NearestSubspace } from '../evaluate/nearsub.js';
import { LinearSVC } from '../evaluate/svm.js';
import { saveClusteringConfusion } from '../plot/confusion.js';

export interface EvaluateOptions {
  /** A run folder (evaluate its checkpoint) ... */
  modelDir?: string;
  /** ... or an .npz with train_features, train_labels, test_features, test_labels. */
  features?: string;
  /** Checkpoint to evaluate (default: the latest). */
  epoch?: number;
  /** LinearSVC fit on the train features (evaluate.py --svm; default false, as every method). */
  svm?: boolean;
  /** kNN on cosine similarity (--knn). */
  knn?: boolean;
  /** Nearest subspace, both variants (--nearsub). */
  nearsub?: boolean;
  /** k-means on the train features, scored against the train labels (--kmeans). */
  kmeans?: boolean;
  /** EnSC on the train features, scored against the train labels (--ensc). */
  ensc?: boolean;
  /** kNN neighbours (default KNN_DEFAULTS.k = 5, evaluate.py's --k). */
  k?: number;
  /** Clusters for kmeans/ensc (default KMEANS_DEFAULTS.nClusters = 10, evaluate.py's --n). */
  nClusters?: number;
  /** EnSC's γ (default ENSC_DEFAULTS.gamma = 300, evaluate.py's --gam). */
  gamma?: number;
  /** EnSC's τ (default 1; another value warns and uses 1, as the official code). */
  tau?: number;
  /** Components per class for nearest subspace (default NEARSUB_DEFAULTS.nComp = 30, --n_comp). */
  nComp?: number;
  /** Worker threads of kNN, k-means and EnSC (default 'auto': every core); results do not depend on it. */
  threads?: Threads;
  /** Write each method's predicted labels to plabels/{method}_epoch{e}.npy. */
  save?: boolean;
  /** Dataset folder (default: the one the run trained on). */
  dataDir?: string;
  /** Where the official result lines go (default console.log). */
  log?: (line: string) => void;
  /** Where warnings go (default console.warn, i.e. stderr). */
  warn?: (line: string) => void;
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

/**
 * Whether `modelDir` holds a cross-entropy run (params.json says loss 'ce'): its `CE:` accuracy
 * needs no evaluation method. False when there is no readable params.json.
 */
export function isCrossEntropyRun(modelDir: string): boolean {
  try {
    return new RunFolder(modelDir).readParams().loss === 'ce';
  } catch {
    return false;
  }
}

/**
 * evaluate.py: the features of a run's checkpoint (or of a saved .npz) judged by the chosen
 * methods, each with the official defaults unless given; a cross-entropy run also gets `ce`.
 */
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
    throw new Error('evaluateRun: needs modelDir (a run folder) or features (an .npz of saved features)');
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
  const threads = opts.threads ?? KNN_DEFAULTS.threads;
  if (opts.svm) {
    const pred = await timed('svm', () => new LinearSVC().fit(train).predict(test));
    result.svm = accuracy(pred, test.labels);
    result.predictions.svm = pred;
    log(`SVM: ${result.svm}`);
  }
  if (opts.knn) {
    const pred = await timed('knn', () => new KNN({ k: opts.k ?? KNN_DEFAULTS.k, threads }).fit(train).predict(test));
    result.knn = accuracy(pred, test.labels);
    result.predictions.knn = pred;
    log(`kNN: ${result.knn}`);
  }
  if (opts.nearsub) {
    const r = await timed('nearsub', () =>
      new NearestSubspace({ nComp: opts.nComp ?? NEARSUB_DEFAULTS.nComp }).fit(train).predictBoth(test),
    );
    result.nearsub = { pca: accuracy(r.pca, test.labels), svd: accuracy(r.svd, test.labels) };
    result.predictions.nearsub = r;
    log(`PCA: ${result.nearsub.pca}`);
    log(`SVD: ${result.nearsub.svd}`);
  }
  if (opts.kmeans) {
    const km = new KMeans({ nClusters: opts.nClusters ?? KMEANS_DEFAULTS.nClusters, threads });
    const labels = await timed('kmeans', () => km.fitPredict(train));
    result.kmeans = scores(labels, train.labels);
    result.predictions.kmeans = labels;
    log(`KMeans: ${result.kmeans.acc}`);
  }
  if (opts.ensc) {
    const ensc = new EnSC({
      nClusters: opts.nClusters ?? ENSC_DEFAULTS.nClusters,
      gamma: opts.gamma ?? ENSC_DEFAULTS.gamma,
      tau: opts.tau ?? ENSC_DEFAULTS.tau,
      threads,
      warn: opts.warn,
    });
    const labels = await timed('ensc', () => ensc.fitPredict(train));
    result.ensc = scores(labels, train.labels);
    result.predictions.ensc = labels;
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
