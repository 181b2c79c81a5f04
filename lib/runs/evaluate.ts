// evaluate.py: judge learned features with any of five methods, from a run folder's checkpoint or
// from saved features (.npz). As the official code, classifiers are fit on the train labels the run
// trained on (corrupted again from params.json when it used --lcr) and scored on clean test labels;
// clustering runs on the train features and is scored against those same train labels.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initBackend } from '../accel/backend.js';
import type { Features } from '../data/features.js';
import { writeNpy } from '../io/npz.js';
import {
  type EvaluateMethods,
  evaluateFeatures,
  type FeatureEvaluation,
  labelVectors,
  METHOD_NAMES,
  METHOD_PARAMS,
  METHODS,
} from '../evaluate/methods.js';
import { type InputOf, opt, resolve, rowsFor, withHelp } from '../options/spec.js';
import { RUN_SPEC } from './options.js';
import { saveClusteringConfusion } from '../plot/confusion.js';
import { readFeatureFile, runFeatures } from './features.js';
import { RunFolder } from './run_folder.js';

export type { ClusterScores } from '../evaluate/methods.js';

/** evaluate.py's flags: where the features come from, which methods run with which parameters, what is saved. */
export const EVALUATE_SPEC = {
  // a run folder (evaluate its checkpoint) ...
  modelDir: opt.maybeText({ flag: 'model_dir', help: 'run folder to evaluate' }),
  // ... or an .npz with train_features, train_labels, test_features, test_labels
  features: opt.maybeText({
    flag: 'features',
    help: 'or: an .npz of train_features, train_labels, test_features, test_labels (mcr2 extract writes one) (mcr2-ts)',
  }),
  ...rowsFor(METHOD_NAMES, (m) => opt.bool(false, { flag: m, help: METHODS[m].help })),
  epoch: withHelp(RUN_SPEC.epoch, 'which epoch for evaluation (default: latest)'),
  ...METHOD_PARAMS,
  // each method's predicted labels to plabels/{method}_epoch{e}.npy (clusterings: their confusion matrices too)
  save: opt.bool(false, { flag: 'save', help: 'save labels (plabels/<method>_epoch<e>.npy)' }),
  dataDir: RUN_SPEC.dataDir,
  recalibrate: opt.bool(false, {
    flag: 'bn_recalibrate',
    help: "recompute batch norm's running statistics on the training images before extracting features (mcr2-ts)",
  }),
  // a cross-entropy run: its penultimate layer (unit rows) instead of its logits' argmax
  penultimate: opt.bool(false, {
    flag: 'penultimate',
    help: 'a cross-entropy run: judge its penultimate layer with --svm/--knn/--nearsub instead of its logits (mcr2-ts)',
  }),
};

/** evaluateRun's options: the flags, and how the methods run (threads, where lines and warnings go). */
export type EvaluateOptions = InputOf<typeof EVALUATE_SPEC> & Pick<EvaluateMethods, 'threads' | 'log' | 'warn'>;

export interface EvaluateResult extends FeatureEvaluation {
  /** The checkpoint's epoch (−1 for saved features). */
  epoch: number;
  train: Features;
  test: Features;
  /** Where --save wrote the predictions. */
  saved: string[];
}

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
export async function evaluateRun(options: EvaluateOptions): Promise<EvaluateResult> {
  const { threads, log, warn, ...given } = options;
  const opts = resolve(EVALUATE_SPEC, given, 'evaluate');
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
    const rf = await runFeatures(opts.modelDir, opts.epoch, opts.dataDir, {
      recalibrate: opts.recalibrate,
      penultimate: opts.penultimate,
    });
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
  const ev = await evaluateFeatures(train, test, { ...opts, threads, log, warn, logits });
  const result: EvaluateResult = { ...ev, epoch, train, test, seconds: { ...seconds, ...ev.seconds }, saved: [] };
  if (opts.save) {
    fs.mkdirSync(plabelsDir, { recursive: true });
    const tag = epoch >= 0 ? `_epoch${epoch}` : '';
    const p = result.predictions;
    for (const m of METHOD_NAMES) {
      const pred = p[m];
      if (pred === undefined) continue;
      for (const [name, labels] of labelVectors(m, pred)) {
        const file = path.join(plabelsDir, `${name}${tag}.npy`);
        writeNpy(file, { data: labels, shape: [labels.length] });
        result.saved.push(file);
      }
    }
    // The clusterings' confusion matrices, Hungarian-matched: figures/clustering/<method><tag>.{png,html,json}.
    const figDir = path.join(path.dirname(plabelsDir), 'figures', 'clustering');
    for (const m of METHOD_NAMES) {
      const pred = p[m];
      if (METHODS[m].kind === 'clustering' && pred instanceof Int32Array)
        result.saved.push(
          ...(await saveClusteringConfusion(pred, train.labels, figDir, `${m}${tag}`, {
            title: `${METHODS[m].title} on the train features`,
          })),
        );
    }
  }
  return result;
}

/** The --json document: only the methods that ran. */
export function evaluationJson(r: EvaluateResult): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ['ce', ...METHOD_NAMES] as const) if (r[k] !== undefined) out[k] = r[k];
  return out;
}
