// DataFrames (danfojs-node: pandas' DataFrame, Series, groupby and CSV in JavaScript) of what the
// library gives as rows: a run's losses.csv, losses_test.csv and accuracy.csv, Trainer.losses(),
// evaluations, result tables. The library keeps plain rows (typed, no dependency); these turn them
// into frames for a reader who thinks in pandas:
//
//   const losses = mcr2.frames.readFrame(trainer.runDir);        // losses.csv, its own column names
//   nb.table(mcr2.frames.epochFrame(losses));                    // per-epoch means (danfojs groupby)
//   nb.table(mcr2.frames.evaluationFrame(await trainer.evaluate({ knn: 10, nearsub: 15 })));
//
// danfojs-node is loaded on first use only (danfo()): it loads mathjs, about 1.2 s of CPU, and
// `import 'mcr2'` must not pay that for users who never make a frame. It computes with the same
// tfjs engine as the library (the override in package.json points its tfjs-node at plain tfjs), so
// loading it changes no backend (test/frames.test.ts).
import * as path from 'node:path';
import type { DataFrame } from 'danfojs-node';
import type { ClusterScores } from '../evaluate/methods.js';
import type { LossRow } from '../loss/terms.js';
import type { AccuracyRow } from '../plot/figure.js';
import { ACCURACY_HEADER, readAccuracyCsv, readLossesCsv } from './generate.js';
import { LOSS_HEADER } from './run_folder.js';

export type { DataFrame };

/** The danfojs-node module. */
export type Danfo = typeof import('danfojs-node');

let loaded: Danfo | undefined;

/** danfojs-node (`dfd` in its docs), loaded on the first call. */
export function danfo(): Danfo {
  if (loaded === undefined) loaded = require('danfojs-node') as Danfo;
  return loaded;
}

/** losses.csv's columns: epoch, step, loss, discrimn_loss_e, compress_loss_e, discrimn_loss_t, compress_loss_t. */
export const LOSS_COLUMNS: readonly string[] = LOSS_HEADER.split(',');

/**
 * Rows as objects (columns: their keys in order of first appearance; a missing value is NaN), or
 * rows by name (`{ smoke: {...}, cpu: {...} }`: the names become the index).
 */
export function fromRows(rows: ReadonlyArray<Record<string, unknown>> | Readonly<Record<string, Record<string, unknown>>>): DataFrame {
  const list = Array.isArray(rows) ? (rows as ReadonlyArray<Record<string, unknown>>) : Object.values(rows);
  const columns = [...new Set(list.flatMap((r) => Object.keys(r)))];
  if (list.length === 0) throw new Error('fromRows: no rows (a DataFrame needs at least one)');
  const values = list.map((r) => columns.map((c) => r[c] ?? NaN));
  return new (danfo().DataFrame)(values, { columns, ...(Array.isArray(rows) ? {} : { index: Object.keys(rows) }) });
}

/** A frame's rows as objects (column → value), e.g. for mcr2.plot.seriesFigure. */
export function rowsOf(df: DataFrame): Array<Record<string, unknown>> {
  const cols = df.columns;
  return (df.values as unknown[][]).map((r) => Object.fromEntries(cols.map((c, j) => [c, r[j]])));
}

/** losses.csv rows (Trainer.losses(), generateTestLosses(...).rows) with losses.csv's column names. */
export function lossFrame(rows: readonly LossRow[]): DataFrame {
  if (rows.length === 0) throw new Error('lossFrame: no rows yet (train a step first)');
  const values = rows.map((r) => [r.epoch, r.step, r.total, r.discrimnLossE, r.compressLossE, r.discrimnLossT, r.compressLossT]);
  return new (danfo().DataFrame)(values, { columns: [...LOSS_COLUMNS] });
}

/** accuracy.csv rows (generateAccuracy(...).rows) with accuracy.csv's column names (epoch, acc_train, acc_test). */
export function accuracyFrame(rows: readonly AccuracyRow[]): DataFrame {
  if (rows.length === 0) throw new Error('accuracyFrame: no rows');
  return new (danfo().DataFrame)(
    rows.map((r) => [r.epoch, r.accTrain, r.accTest]),
    { columns: ACCURACY_HEADER.split(',') },
  );
}

const RUN_CSV = { losses: 'losses.csv', losses_test: 'losses_test.csv', accuracy: 'accuracy.csv' } as const;

/**
 * One of a run folder's CSV files as a DataFrame: 'losses' (losses.csv, one row per step),
 * 'losses_test' (generate --test's losses_test.csv) or 'accuracy' (generate --train_acc's
 * accuracy.csv). Read by the library's own parser (what pd.read_csv would give, checked header).
 */
export function readFrame(runDir: string, which: keyof typeof RUN_CSV = 'losses'): DataFrame {
  const file = path.join(runDir, RUN_CSV[which]);
  return which === 'accuracy' ? accuracyFrame(readAccuracyCsv(file)) : lossFrame(readLossesCsv(file));
}

/**
 * Per-epoch summary of a loss frame (lossFrame, readFrame): one row per epoch with its number of
 * steps, the mean of each term (danfojs groupby) and delta_r, the mean theoretical ΔR = R − Rᶜ
 * (what mcr2.plot.epochMeans computes, and generate.py's per-epoch curves).
 */
export function epochFrame(losses: DataFrame): DataFrame {
  const terms = LOSS_COLUMNS.filter((c) => c !== 'epoch' && c !== 'step');
  const g = losses.groupby(['epoch']);
  const means = g.col(terms).mean();
  const steps = g.col(['step']).count();
  const out = means.rename(Object.fromEntries(terms.map((c) => [`${c}_mean`, c]))) as DataFrame;
  out.addColumn('steps', steps.column('step_count'), { inplace: true, atIndex: 1 });
  out.addColumn('delta_r', out.column('discrimn_loss_t').sub(out.column('compress_loss_t')), { inplace: true });
  return out;
}

/** What evaluationFrame reads of an evaluation (Trainer.evaluate, evaluateRun, evaluateFeatures). */
export interface EvaluationScores {
  ce?: number;
  knn?: number;
  nearsub?: { pca: number; svd: number };
  svm?: number;
  kmeans?: ClusterScores;
  ensc?: ClusterScores;
}

/**
 * An evaluation as one row per method that ran: `method` and its test `accuracy` (ACC, Hungarian-
 * matched, for a clustering), and `nmi` and `ari` columns when a clustering ran. `k` and `nComp`,
 * when given, name kNN's k and nearest subspace's components in the method column.
 */
export function evaluationFrame(ev: EvaluationScores, opts: { k?: number; nComp?: number } = {}): DataFrame {
  const k = opts.k !== undefined ? ` (k=${opts.k})` : '';
  const c = opts.nComp !== undefined ? ` (${opts.nComp})` : '';
  const rows: Array<Record<string, unknown>> = [];
  if (ev.ce !== undefined) rows.push({ method: 'cross-entropy (argmax)', accuracy: ev.ce });
  if (ev.knn !== undefined) rows.push({ method: `kNN${k}`, accuracy: ev.knn });
  if (ev.nearsub !== undefined) {
    rows.push({ method: `nearest subspace, SVD${c}`, accuracy: ev.nearsub.svd });
    rows.push({ method: `nearest subspace, PCA${c}`, accuracy: ev.nearsub.pca });
  }
  if (ev.svm !== undefined) rows.push({ method: 'LinearSVC', accuracy: ev.svm });
  for (const [name, s] of [
    ['k-means', ev.kmeans],
    ['EnSC', ev.ensc],
  ] as const)
    if (s !== undefined) rows.push({ method: name, accuracy: s.acc, nmi: s.nmi, ari: s.ari });
  if (rows.length === 0) throw new Error('evaluationFrame: the evaluation has no scores (no method ran)');
  return fromRows(rows);
}
