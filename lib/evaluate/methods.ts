// evaluate.py's methods on features in memory: what `mcr2 evaluate` runs on a run folder
// (lib/runs/evaluate.ts) and what Trainer.evaluate runs between epochs, written once. As the
// official code: classifiers fit on the train labels given and scored on the test labels;
// clusterings run on the train features and are scored against those same train labels.
import type { Features } from '../features/dataset.js';
import { ENSC_DEFAULTS, EnSC } from './ensc.js';
import type { Threads } from './input.js';
import { KMEANS_DEFAULTS, KMeans } from './kmeans.js';
import { KNN, KNN_DEFAULTS } from './knn.js';
import { accuracy, adjustedRandIndex, clusteringAccuracy, normalizedMutualInfo } from './metrics.js';
import { NEARSUB_DEFAULTS, NearestSubspace } from './nearsub.js';
import { LinearSVC } from './svm.js';

/** Which methods run, and their main parameters (each defaults to the official value). */
export interface EvaluateMethods {
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
  /** The features are class logits (a cross-entropy run): also score their argmax as `ce`. */
  logits?: boolean;
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

/** The scores of the methods that ran, their predictions and times. */
export interface FeatureEvaluation {
  /** Cross-entropy runs: test accuracy of the classifier's argmax. */
  ce?: number;
  svm?: number;
  knn?: number;
  nearsub?: { pca: number; svd: number };
  kmeans?: ClusterScores;
  ensc?: ClusterScores;
  /** Test-set predictions of the classifiers; train-set cluster labels of the clusterings. */
  predictions: {
    ce?: Int32Array;
    svm?: Int32Array;
    knn?: Int32Array;
    nearsub?: { pca: Int32Array; svd: Int32Array };
    kmeans?: Int32Array;
    ensc?: Int32Array;
  };
  /** Seconds per method. */
  seconds: Record<string, number>;
}

/** The index of each row's largest value (a logit network's prediction). */
export function argmaxRows(x: Float32Array, dim: number): Int32Array {
  const n = x.length / dim;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < dim; j++) if (x[i * dim + j] > x[i * dim + best]) best = j;
    out[i] = best;
  }
  return out;
}

/** A clustering's accuracy (Hungarian-matched), NMI and ARI against the true labels. */
export const clusterScores = (pred: ArrayLike<number>, truth: ArrayLike<number>): ClusterScores => ({
  acc: clusteringAccuracy(pred, truth),
  nmi: normalizedMutualInfo(pred, truth),
  ari: adjustedRandIndex(pred, truth),
});

/** evaluate.py's chosen methods on `train` (fit, with its labels) and `test` (scored). */
export async function evaluateFeatures(train: Features, test: Features, opts: EvaluateMethods): Promise<FeatureEvaluation> {
  const log = opts.log ?? ((s: string) => console.log(s));
  const result: FeatureEvaluation = { predictions: {}, seconds: {} };
  const timed = async <T>(name: string, f: () => T | Promise<T>): Promise<T> => {
    const t = Date.now();
    const r = await f();
    result.seconds[name] = (Date.now() - t) / 1000;
    return r;
  };
  const p = result.predictions;
  if (opts.logits) {
    p.ce = argmaxRows(test.features, test.dim);
    result.ce = accuracy(p.ce, test.labels);
    log(`CE: ${result.ce}`);
  }
  const threads = opts.threads ?? KNN_DEFAULTS.threads;
  if (opts.svm) {
    p.svm = await timed('svm', () => new LinearSVC().fit(train).predict(test));
    result.svm = accuracy(p.svm, test.labels);
    log(`SVM: ${result.svm}`);
  }
  if (opts.knn) {
    p.knn = await timed('knn', () => new KNN({ k: opts.k ?? KNN_DEFAULTS.k, threads }).fit(train).predict(test));
    result.knn = accuracy(p.knn, test.labels);
    log(`kNN: ${result.knn}`);
  }
  if (opts.nearsub) {
    const nComp = opts.nComp ?? NEARSUB_DEFAULTS.nComp;
    p.nearsub = await timed('nearsub', () => new NearestSubspace({ nComp }).fit(train).predictBoth(test));
    result.nearsub = { pca: accuracy(p.nearsub.pca, test.labels), svd: accuracy(p.nearsub.svd, test.labels) };
    log(`PCA: ${result.nearsub.pca}`);
    log(`SVD: ${result.nearsub.svd}`);
  }
  if (opts.kmeans) {
    const km = new KMeans({ nClusters: opts.nClusters ?? KMEANS_DEFAULTS.nClusters, threads });
    p.kmeans = await timed('kmeans', () => km.fitPredict(train));
    result.kmeans = clusterScores(p.kmeans, train.labels);
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
    p.ensc = await timed('ensc', () => ensc.fitPredict(train));
    result.ensc = clusterScores(p.ensc, train.labels);
    log(`EnSC: ${result.ensc.acc}`);
  }
  return result;
}
