// generate.py: the data --traintest and --acc plot, from a run's checkpoints.
//  - losses_test.csv: the MCR² terms on the test set, batch by batch (the run's --bs, in order), for
//    every checkpoint; header and row format as losses.csv. (The official crashes: len(int).)
//  - accuracy.csv: epoch,acc_train,acc_test of a LinearSVC fit on the train features (clean labels,
//    as the official loads them) every 5th checkpoint.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../accel/backend.js';
import type { ImageDataset } from '../data/dataset.js';
import { accuracy } from '../evaluate/metrics.js';
import { LinearSVC } from '../evaluate/svm.js';
import { datasetFeatures } from '../features/dataset.js';
import { writeFileAtomic } from '../io/files.js';
import { displayPath } from '../io/paths.js';
import { formatDuration, ProgressBar } from '../io/progress.js';
import { MaximalCodingRateReduction } from '../loss/mcr2.js';
import type { Network } from '../models/network.js';
import { inputSizeOf, loadRun, runDataset } from './load_run.js';
import { type LossRow, lossesCsvText, parseLossesCsv, RunFolder } from './run_folder.js';
import { RUN_SPEC } from './options.js';
import { checkInt } from '../options/checks.js';
import { opt, withHelp } from '../options/spec.js';
import type { AccuracyRow } from '../plot/figure.js';

export const ACCURACY_HEADER = 'epoch,acc_train,acc_test';

/** generate.py's flags: the run, which files, how often. */
export const GENERATE_SPEC = {
  modelDir: withHelp(RUN_SPEC.modelDir, 'base directory for saving PyTorch model.'),
  test: opt.bool(false, { flag: 'test', help: 'create losses_test.csv (the MCR² terms on the test set, every checkpoint)' }),
  trainAcc: opt.bool(false, {
    flag: 'train_acc',
    help: 'create accuracy.csv (LinearSVC train and test accuracy, every 5th checkpoint)',
  }),
  // official 5
  every: opt.int(5, { flag: 'every', min: 1, help: '--train_acc: every N-th checkpoint (mcr2-ts)' }),
  dataDir: withHelp(RUN_SPEC.dataDir, 'path to dataset (default: the one the run trained on) (mcr2-ts)'),
};

export interface GenerateOptions {
  dataDir?: string;
  /** One line per checkpoint (default console.log). */
  log?: (line: string) => void;
}

/** A split of the run's dataset (its --subset for train). */
function runData(modelDir: string, split: 'train' | 'test', dataDir?: string): ImageDataset {
  return runDataset(new RunFolder(modelDir).readParams(), split, dataDir);
}

/**
 * Runs `fn` on the network of each checkpoint in `epochs` (built at the run's input size, disposed
 * after), with a progress bar and one line each: `<what>: epoch e (k/n): <fn's text> (seconds)`.
 */
async function overCheckpoints(
  modelDir: string,
  epochs: number[],
  what: string,
  images: ImageDataset,
  log: (line: string) => void,
  fn: (model: Network, inputSize: [number, number] | undefined, epoch: number) => Promise<string>,
): Promise<void> {
  const bar = new ProgressBar(epochs.length, what);
  for (const [k, epoch] of epochs.entries()) {
    const t = Date.now();
    const { model, inputShape } = loadRun(modelDir, epoch, [images.height, images.width, images.channels]);
    let text: string;
    try {
      text = await fn(model, inputSizeOf(inputShape), epoch);
    } finally {
      model.dispose();
    }
    bar.update(k + 1, `epoch ${epoch}`);
    log(`${what}: epoch ${epoch} (${k + 1}/${epochs.length}): ${text} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
  }
  bar.done();
}

/** Writes <model_dir>/losses_test.csv; returns its path and rows. */
export async function generateTestLosses(modelDir: string, opts: GenerateOptions = {}): Promise<{ file: string; rows: LossRow[] }> {
  const log = opts.log ?? ((s: string) => console.log(s));
  await initBackend();
  const run = new RunFolder(modelDir);
  const params = run.readParams();
  if (params.loss === 'ce') throw new Error(`${modelDir}: a cross-entropy run has no MCR² terms to generate`);
  const epochs = run.checkpointEpochs();
  if (epochs.length === 0) throw new Error(`no checkpoints in ${run.checkpointDir}`);
  const test = runData(modelDir, 'test', opts.dataDir);
  const bs = Number(params.bs ?? 1000);
  const crit = new MaximalCodingRateReduction({
    gam1: Number(params.gam1 ?? 1),
    gam2: Number(params.gam2 ?? 1),
    eps: Number(params.eps ?? 0.5),
  });
  const rows: LossRow[] = [];
  const t0 = Date.now();
  await overCheckpoints(modelDir, epochs, 'test losses', test, log, async (model, inputSize, epoch) => {
    const f = await datasetFeatures(model, test, { inputSize });
    let last: LossRow | undefined;
    for (let s = 0, step = 0; s < f.n; s += bs, step++) {
      const m = Math.min(bs, f.n - s);
      const z = tf.tensor2d(f.features.subarray(s * f.dim, (s + m) * f.dim), [m, f.dim]);
      const r = crit.evaluate(z, f.labels.subarray(s, s + m), test.numClasses);
      z.dispose();
      last = { epoch, step, ...r.terms };
      rows.push(last);
    }
    return `last batch R ${last!.discrimnLossT.toFixed(4)}, Rc ${last!.compressLossT.toFixed(4)}`;
  });
  const file = path.join(modelDir, 'losses_test.csv');
  writeFileAtomic(file, lossesCsvText(rows));
  log(`wrote ${displayPath(file)}: ${rows.length} rows, ${epochs.length} checkpoints in ${formatDuration((Date.now() - t0) / 1000)}`);
  return { file, rows };
}

/** Writes <model_dir>/accuracy.csv (every `every`-th checkpoint, official 5); returns its path and rows. */
export async function generateAccuracy(
  modelDir: string,
  opts: GenerateOptions & { every?: number } = {},
): Promise<{ file: string; rows: AccuracyRow[] }> {
  const log = opts.log ?? ((s: string) => console.log(s));
  await initBackend();
  const run = new RunFolder(modelDir);
  run.readParams();
  const every = opts.every ?? GENERATE_SPEC.every.default;
  checkInt({ every }, 'every', 1);
  const epochs = run.checkpointEpochs().filter((e) => e % every === 0);
  if (epochs.length === 0) throw new Error(`no checkpoint with an epoch divisible by ${every} in ${run.checkpointDir}`);
  const train = runData(modelDir, 'train', opts.dataDir);
  const test = runData(modelDir, 'test', opts.dataDir);
  const rows: AccuracyRow[] = [];
  const t0 = Date.now();
  await overCheckpoints(modelDir, epochs, 'accuracy', test, log, async (model, inputSize, epoch) => {
    const ftr = await datasetFeatures(model, train, { inputSize });
    const fte = await datasetFeatures(model, test, { inputSize });
    const svc = new LinearSVC().fit(ftr, ftr.labels);
    const row = { epoch, accTrain: accuracy(svc.predict(ftr), ftr.labels), accTest: accuracy(svc.predict(fte), fte.labels) };
    rows.push(row);
    return `train ${row.accTrain.toFixed(4)}, test ${row.accTest.toFixed(4)}`;
  });
  const file = path.join(modelDir, 'accuracy.csv');
  writeFileAtomic(file, ACCURACY_HEADER + rows.map((r) => `\n${r.epoch},${r.accTrain},${r.accTest}`).join(''));
  log(`wrote ${displayPath(file)}: ${rows.length} rows in ${formatDuration((Date.now() - t0) / 1000)}`);
  return { file, rows };
}

export function parseAccuracyCsv(text: string, where = 'accuracy.csv'): AccuracyRow[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0 || lines[0].trim() !== ACCURACY_HEADER) throw new Error(`${where}: header is not '${ACCURACY_HEADER}'`);
  return lines.slice(1).map((l, i) => {
    const v = l.split(',').map(Number);
    if (v.length !== 3 || v.some((x) => !Number.isFinite(x))) throw new Error(`${where}: line ${i + 2} is malformed: '${l}'`);
    return { epoch: v[0], accTrain: v[1], accTest: v[2] };
  });
}

export function readAccuracyCsv(file: string): AccuracyRow[] {
  return parseAccuracyCsv(fs.readFileSync(file, 'utf8'), file);
}

export function readLossesCsv(file: string): LossRow[] {
  return parseLossesCsv(fs.readFileSync(file, 'utf8'), file);
}
