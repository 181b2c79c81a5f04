// evaluate.py's methods on features in memory, as one registry: each method's name (its flag),
// kind (a classifier fit on the train labels and scored on the test labels, or a clustering of the
// train features scored against those same train labels, as the official code), help, parameters,
// how it predicts, how it is scored and what it prints and saves. What `mcr2 evaluate` runs on a
// run folder (lib/runs/evaluate.ts), Trainer.evaluate between epochs and the notebooks' judges all
// go through evaluateFeatures; the method lists, flags and result types derive from METHODS.
import type { Features } from '../data/features.js';
import { defaultsOf, opt, type OptionsOf } from '../options/spec.js';
import { ENSC_DEFAULTS, EnSC } from './ensc.js';
import type { Threads } from './input.js';
import { KMEANS_DEFAULTS, KMeans } from './kmeans.js';
import { KNN, KNN_DEFAULTS } from './knn.js';
import { accuracy, adjustedRandIndex, clusteringAccuracy, normalizedMutualInfo } from './metrics.js';
import { NEARSUB_DEFAULTS, NearestSubspace, type NearSubspaceResult } from './nearsub.js';
import { LinearSVC } from './svm.js';

/** The methods' parameters (evaluate.py's flags), defaults from each estimator's own constant. */
export const METHOD_PARAMS = {
  k: opt.int(KNN_DEFAULTS.k, { flag: 'k', min: 1, help: 'top k components for kNN' }),
  nClusters: opt.int(KMEANS_DEFAULTS.nClusters, { flag: 'n', min: 1, help: 'number of clusters for cluster' }),
  gamma: opt.int(ENSC_DEFAULTS.gamma, { flag: 'gam', min: 0, help: 'gamma paramter for subspace clustering' }),
  tau: opt.float(ENSC_DEFAULTS.tau, { flag: 'tau', help: 'tau paramter for subspace clustering' }),
  nComp: opt.int(NEARSUB_DEFAULTS.nComp, { flag: 'n_comp', min: 1, help: 'number of components for PCA' }),
};

export type MethodParams = OptionsOf<typeof METHOD_PARAMS>;

/**
 * The reference protocol's evaluation (docs/reference-results.md §1): kNN with k 10 and nearest
 * subspace with 15 components a class (what `mcr2 quickstart` and notebook 01 score with).
 */
export const PROTOCOL_EVALUATION = { k: 10, nComp: 15 } as const satisfies Partial<MethodParams>;

/** 'kNN k=10, nearest subspace 15 components': the kNN and nearest-subspace parameters in words. */
export function describeParams(p: Pick<MethodParams, 'k' | 'nComp'>): string {
  return `kNN k=${p.k}, nearest subspace ${p.nComp} components`;
}

/** What a method's predict gets besides the features. */
export interface MethodContext extends MethodParams {
  threads: Threads;
  warn?: (line: string) => void;
}

export interface ClusterScores {
  acc: number;
  nmi: number;
  ari: number;
}

/** A clustering's accuracy (Hungarian-matched), NMI and ARI against the true labels. */
export const clusterScores = (pred: ArrayLike<number>, truth: ArrayLike<number>): ClusterScores => ({
  acc: clusteringAccuracy(pred, truth),
  nmi: normalizedMutualInfo(pred, truth),
  ari: adjustedRandIndex(pred, truth),
});

/** Nearest subspace's accuracies, one per variant. */
export interface NearSubspaceScore {
  pca: number;
  svd: number;
}

/** One method: P its predictions, S its score. */
export interface Method<K extends 'classifier' | 'clustering', P, S> {
  kind: K;
  /** --<name>'s help (evaluate.py's). */
  help: string;
  /** Its main parameter (a key of METHOD_PARAMS): Trainer.evaluate({ knn: 10 }) sets it. */
  main?: keyof MethodParams;
  /** The name of its confusion-matrix figure (clusterings, --save). */
  title?: string;
  /** Classifiers: fit on train, predict test. Clusterings: the labels of the train features. */
  predict(train: Features, test: Features, c: MethodContext): P | Promise<P>;
  /** Scored against the test labels (classifiers) or the train labels (clusterings). */
  score(pred: P, labels: Int32Array): S;
  /** The official result lines. */
  lines(s: S): string[];
}

/** What one method gives on a pair of feature sets. */
export interface MethodRun<P, S> {
  pred: P;
  score: S;
  /** The official result lines. */
  lines: string[];
  seconds: number;
}

/** A method's entry, with `run`: predict, then score against the labels its kind takes. */
/** A registry entry: the method, and `run` (predict, then score against the labels its kind takes). */
export type Entry<K extends 'classifier' | 'clustering', P, S> = Method<K, P, S> & {
  run(train: Features, test: Features, c: MethodContext): Promise<MethodRun<P, S>>;
};

const method = <K extends 'classifier' | 'clustering', P, S>(m: Method<K, P, S>): Entry<K, P, S> => ({
  ...m,
  async run(train: Features, test: Features, c: MethodContext): Promise<MethodRun<P, S>> {
    const t = Date.now();
    const pred = await m.predict(train, test, c);
    const seconds = (Date.now() - t) / 1000;
    const score = m.score(pred, m.kind === 'classifier' ? test.labels : train.labels);
    return { pred, score, lines: m.lines(score), seconds };
  },
});

/**
 * The five methods of evaluate.py, in the order they run and print. (The entries' types are
 * written out, each P and S as declared: the emitted declarations then read under tslab's
 * TypeScript 5.0, where typed arrays take no type arguments.)
 */
export const METHODS: {
  svm: Entry<'classifier', Int32Array, number>;
  knn: Entry<'classifier', Int32Array, number>;
  nearsub: Entry<'classifier', NearSubspaceResult, NearSubspaceScore>;
  kmeans: Entry<'clustering', Int32Array, ClusterScores>;
  ensc: Entry<'clustering', Int32Array, ClusterScores>;
} = {
  svm: method({
    kind: 'classifier',
    help: 'evaluate using SVM',
    predict: (train, test): Int32Array => new LinearSVC().fit(train).predict(test),
    score: (p, labels) => accuracy(p, labels),
    lines: (s) => [`SVM: ${s}`],
  }),
  knn: method({
    kind: 'classifier',
    help: 'evaluate using kNN measuring cosine similarity',
    main: 'k',
    predict: (train, test, c): Promise<Int32Array> => new KNN({ k: c.k, threads: c.threads }).fit(train).predict(test),
    score: (p, labels) => accuracy(p, labels),
    lines: (s) => [`kNN: ${s}`],
  }),
  nearsub: method({
    kind: 'classifier',
    help: 'evaluate using Nearest Subspace',
    main: 'nComp',
    predict: (train, test, c): NearSubspaceResult => new NearestSubspace({ nComp: c.nComp }).fit(train).predictBoth(test),
    score: (p, labels) => ({ pca: accuracy(p.pca, labels), svd: accuracy(p.svd, labels) }),
    lines: (s) => [`PCA: ${s.pca}`, `SVD: ${s.svd}`],
  }),
  kmeans: method({
    kind: 'clustering',
    help: 'evaluate using KMeans',
    main: 'nClusters',
    title: 'k-means',
    predict: (train, _test, c): Promise<Int32Array> => new KMeans({ nClusters: c.nClusters, threads: c.threads }).fitPredict(train),
    score: (p, labels) => clusterScores(p, labels),
    lines: (s) => [`KMeans: ${s.acc}`],
  }),
  ensc: method({
    kind: 'clustering',
    help: 'evaluate using Elastic Net Subspace Clustering',
    main: 'nClusters',
    title: 'EnSC',
    predict: (train, _test, c): Promise<Int32Array> =>
      new EnSC({ nClusters: c.nClusters, gamma: c.gamma, tau: c.tau, threads: c.threads, warn: c.warn }).fitPredict(train),
    score: (p, labels) => clusterScores(p, labels),
    lines: (s) => [`EnSC: ${s.acc}`],
  }),
};

type Methods = typeof METHODS;
export type MethodName = keyof Methods;
/** The methods' names in the order they run. */
export const METHOD_NAMES = Object.keys(METHODS) as MethodName[];
/** What a method's predict gives (nearsub: both variants). */
export type PredictionOf<M extends MethodName> = Awaited<ReturnType<Methods[M]['run']>>['pred'];
/** What a method scores (an accuracy; nearsub: both variants'; clusterings: ACC, NMI, ARI). */
export type ScoreOf<M extends MethodName> = Awaited<ReturnType<Methods[M]['run']>>['score'];
/** The methods that take the train labels and predict the test set. */
export type ClassifierName = { [M in MethodName]: Methods[M]['kind'] extends 'classifier' ? M : never }[MethodName];

/** Which methods run, and their parameters (each defaults to the official value). */
export type EvaluateMethods = { [M in MethodName]?: boolean } & Partial<MethodParams> & {
    /** Worker threads of kNN, k-means and EnSC (default 'auto': every core); results do not depend on it. */
    threads?: Threads;
    /** The features are class logits (a cross-entropy run): also score their argmax as `ce`. */
    logits?: boolean;
    /** Where the official result lines go (default console.log). */
    log?: (line: string) => void;
    /** Where warnings go (default console.warn, i.e. stderr). */
    warn?: (line: string) => void;
  };

/** The scores of the methods that ran, their predictions and times. */
export type FeatureEvaluation = { [M in MethodName]?: ScoreOf<M> } & {
  /** Cross-entropy runs: test accuracy of the classifier's argmax. */
  ce?: number;
  /** Test-set predictions of the classifiers; train-set cluster labels of the clusterings. */
  predictions: { ce?: Int32Array } & { [M in MethodName]?: PredictionOf<M> };
  /** Seconds per method. */
  seconds: Record<string, number>;
};

/** A method's predicted labels by name: `knn`, or per variant `nearsub_pca`, `nearsub_svd` (what --save writes). */
export function labelVectors(name: string, pred: Int32Array | NearSubspaceResult): Array<[string, Int32Array]> {
  return pred instanceof Int32Array
    ? [[name, pred]]
    : [
        [`${name}_pca`, pred.pca],
        [`${name}_svd`, pred.svd],
      ];
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

/** evaluate.py's chosen methods on `train` (fit, with its labels) and `test` (scored). */
export async function evaluateFeatures(train: Features, test: Features, opts: EvaluateMethods): Promise<FeatureEvaluation> {
  const log = opts.log ?? ((s: string) => console.log(s));
  const result: FeatureEvaluation = { predictions: {}, seconds: {} };
  if (opts.logits) {
    const ce = argmaxRows(test.features, test.dim);
    result.predictions.ce = ce;
    result.ce = accuracy(ce, test.labels);
    log(`CE: ${result.ce}`);
  }
  const params: MethodParams = { ...defaultsOf(METHOD_PARAMS) };
  for (const k of Object.keys(METHOD_PARAMS) as Array<keyof MethodParams>) params[k] = opts[k] ?? params[k];
  const c: MethodContext = { ...params, threads: opts.threads ?? KNN_DEFAULTS.threads, warn: opts.warn };
  for (const m of METHOD_NAMES) {
    if (!opts[m]) continue;
    const r = await METHODS[m].run(train, test, c);
    result.seconds[m] = r.seconds;
    Object.assign(result.predictions, { [m]: r.pred });
    Object.assign(result, { [m]: r.score });
    for (const line of r.lines) log(line);
  }
  return result;
}
