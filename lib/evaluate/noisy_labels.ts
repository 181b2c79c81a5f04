// Training on corrupted labels, measured the way the noisy-label literature does (Arpit et al. 2017,
// Zhang et al. 2017, Liu et al. 2020): how well a network's classifier fits the labels it was
// trained on, how many of the *wrong* labels it has memorised, and how it does on clean test labels.
// "Its classifier" is cross-entropy's argmax of the logits, and for a feature network (MCR²) nearest
// subspace fit on the training features with the corrupted labels (evaluate.py --nearsub), scored on
// those same training images.
import type { ImageDataset } from '../data/dataset.js';
import type { Features } from '../data/features.js';
import { datasetFeatures } from '../features/dataset.js';
import { LogitNet, type Network } from '../models/network.js';
import { KNN, KNN_DEFAULTS } from './knn.js';
import { accuracy } from './metrics.js';
import { argmaxRows } from './methods.js';
import { type NearSubspaceOptions, NearestSubspace } from './nearsub.js';
import { LinearSVC } from './svm.js';

/** Predictions on the training images against the corrupted labels they were trained on and the true ones. */
export interface LabelFit {
  /** Share of all training images predicted as their training (corrupted) label. */
  fit: number;
  /** Share of the corrupted images (training label ≠ true label) predicted as their wrong label. */
  memorised: number;
  /** Share of the corrupted images predicted as their true label. */
  corrected: number;
  /** How many training labels differ from the true ones. */
  corrupted: number;
}

/** How `pred` (on the training images) matches the training labels `noisy` and the true labels `clean`. */
export function labelFit(pred: ArrayLike<number>, noisy: ArrayLike<number>, clean: ArrayLike<number>): LabelFit {
  const n = pred.length;
  if (noisy.length !== n || clean.length !== n)
    throw new Error(`labelFit: ${n} predictions, ${noisy.length} training labels and ${clean.length} true labels (must be equal)`);
  let fit = 0;
  let corrupted = 0;
  let memorised = 0;
  let corrected = 0;
  for (let i = 0; i < n; i++) {
    if (pred[i] === noisy[i]) fit++;
    if (noisy[i] === clean[i]) continue;
    corrupted++;
    if (pred[i] === noisy[i]) memorised++;
    else if (pred[i] === clean[i]) corrected++;
  }
  return {
    fit: n > 0 ? fit / n : Number.NaN,
    memorised: corrupted > 0 ? memorised / corrupted : Number.NaN,
    corrected: corrupted > 0 ? corrected / corrupted : Number.NaN,
    corrupted,
  };
}

/**
 * Nearest subspace's predictions on training features, each row scored against subspaces fit to the
 * other rows (`folds` folds, default 5, each held out in turn): fit and predicted on the same rows,
 * 30 components a class of 100 rows fit random labels of random features perfectly, so an in-sample
 * fit says nothing about what a network learned. The folds are stratified: the k-th row of each
 * label goes to fold k mod folds, whatever the order of the rows.
 */
export function heldOutNearestSubspace(f: Features, opts: { nearsub?: NearSubspaceOptions; folds?: number } = {}): Int32Array {
  const folds = opts.folds ?? 5;
  if (!Number.isInteger(folds) || folds < 2 || folds > f.n)
    throw new Error(`heldOutNearestSubspace: folds must be an integer in [2, ${f.n}], got ${folds}`);
  let k = 0;
  for (let i = 0; i < f.n; i++) k = Math.max(k, f.labels[i] + 1);
  const seen = new Int32Array(k);
  const fold = Int32Array.from(f.labels, (y) => seen[y]++ % folds);
  const pred = new Int32Array(f.n);
  for (let b = 0; b < folds; b++) {
    const fitRows: number[] = [];
    const heldRows: number[] = [];
    for (let i = 0; i < f.n; i++) (fold[i] === b ? heldRows : fitRows).push(i);
    const take = (rows: number[]): Features => {
      const out = new Float32Array(rows.length * f.dim);
      rows.forEach((r, j) => out.set(f.features.subarray(r * f.dim, (r + 1) * f.dim), j * f.dim));
      return { features: out, labels: Int32Array.from(rows, (r) => f.labels[r]), n: rows.length, dim: f.dim };
    };
    const p = new NearestSubspace({ ...opts.nearsub, numClasses: k }).fit(take(fitRows)).predict(take(heldRows));
    heldRows.forEach((r, j) => {
      pred[r] = p[j];
    });
  }
  return pred;
}

/** What {@link judgeNoisyLabels} measures at one moment of training. */
export interface NoisyLabelJudgement {
  /** The network's own classifier on its training images: cross-entropy's logits; MCR²'s nearest subspace (held out, as `featureFit`). */
  fit: LabelFit;
  /** Nearest subspace on the features (CE: its penultimate layer, only with featureFitOfLogits), fit with the training labels, each image held out (heldOutNearestSubspace). */
  featureFit?: LabelFit;
  /** Clean test accuracy of the classifiers on the features (fit on all training features and labels) and, for CE, of its logits. */
  test: { nearsub: number; svm?: number; knn?: number; ce?: number };
}

export interface JudgeNoisyOptions {
  /** Nearest subspace's options (default NEARSUB_DEFAULTS: 30 components a class, 'svd'). */
  nearsub?: NearSubspaceOptions;
  /** Folds of the held-out nearest subspace on the training images (default 5). */
  folds?: number;
  /** Also the held-out nearest subspace on a cross-entropy network's penultimate features (default false: its logits are its classifier). */
  featureFitOfLogits?: boolean;
  /** kNN neighbours (default KNN_DEFAULTS.k = 5; 0: no kNN). */
  k?: number;
  /** Also the linear SVM (default true). */
  svm?: boolean;
  /** The [height, width] the network was trained at (datasetFeatures' inputSize). */
  inputSize?: [number, number];
}

/**
 * Judges a network trained on corrupted labels, in inference mode: `train` are its training images
 * (with their true labels), `trainLabels` the labels it was trained on, `test` clean test images.
 * A cross-entropy network (LogitNet) is judged by its logits and by its penultimate features (unit
 * rows, the same forward pass) like a feature network; a feature network by its features.
 */
export async function judgeNoisyLabels(
  model: Network,
  data: { train: ImageDataset; trainLabels: Int32Array; test: ImageDataset },
  opts: JudgeNoisyOptions = {},
): Promise<NoisyLabelJudgement> {
  const { train, trainLabels, test } = data;
  if (trainLabels.length !== train.n) throw new Error(`judgeNoisyLabels: ${trainLabels.length} training labels for ${train.n} images`);
  const ce = model instanceof LogitNet;
  const fo = { inputSize: opts.inputSize, penultimate: ce, withLogits: ce };
  const { logits: trainLogits, ...trainF } = await datasetFeatures(model, train, fo);
  const { logits: testLogits, ...ftest } = await datasetFeatures(model, test, fo);
  const ftrain: Features = { ...trainF, labels: trainLabels };
  const featureFit =
    !ce || opts.featureFitOfLogits
      ? labelFit(heldOutNearestSubspace(ftrain, { nearsub: opts.nearsub, folds: opts.folds }), trainLabels, train.labels)
      : undefined;
  const ns = new NearestSubspace(opts.nearsub).fit(ftrain);
  const test1 = { nearsub: accuracy(ns.predict(ftest), test.labels) };
  const out: NoisyLabelJudgement = { fit: featureFit as LabelFit, ...(featureFit ? { featureFit } : {}), test: test1 };
  if (opts.svm ?? true) out.test.svm = accuracy(new LinearSVC().fit(ftrain).predict(ftest), test.labels);
  const k = opts.k ?? KNN_DEFAULTS.k;
  if (k > 0) out.test.knn = accuracy(await new KNN({ k }).fit(ftrain).predict(ftest), test.labels);
  if (trainLogits && testLogits) {
    const classes = model.featureDim;
    out.fit = labelFit(argmaxRows(trainLogits, classes), trainLabels, train.labels);
    out.test.ce = accuracy(argmaxRows(testLogits, classes), test.labels);
  }
  return out;
}
