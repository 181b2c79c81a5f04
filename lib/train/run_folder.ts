// A training run's folder, laid out as the official code lays it out:
//   params.json  losses.csv  checkpoints/model-epoch{e}.safetensors  figures/  plabels/
// (a folder the official code wrote has checkpoints/model-epoch{e}.pt instead: read as well)
// plus checkpoints/optimizer-epoch{e}.safetensors (latest only) so a run can resume exactly, and
// .lock while a process trains in it (lib/train/run_lock.ts).
// What is on disk after a kill -9 at any moment is enough to go on: an epoch is complete once its
// optimizer state is written (after its model checkpoint); losses.csv rows past the last complete
// epoch, a row cut half-way and temporary files are dropped when the run is resumed (recover()).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { faultPoint, injectedNaN } from '../io/faults.js';
import { appendFileChecked, removeStaleTemps, writeFileAtomic } from '../io/files.js';
import { saveTensors } from './checkpoint.js';
import { lockRunFolder } from './run_lock.js';
import type { LossTerms } from '../loss/terms.js';

export const LOSS_HEADER = 'epoch,step,loss,discrimn_loss_e,compress_loss_e,discrimn_loss_t,compress_loss_t';

/** One losses.csv row: the step's loss terms (column `loss` is `total`) and where it was taken. */
export interface LossRow extends LossTerms {
  epoch: number;
  step: number;
}

export class RunFolder {
  constructor(readonly dir: string) {}

  get paramsFile(): string {
    return path.join(this.dir, 'params.json');
  }

  get lossesFile(): string {
    return path.join(this.dir, 'losses.csv');
  }

  get checkpointDir(): string {
    return path.join(this.dir, 'checkpoints');
  }

  get figuresDir(): string {
    return path.join(this.dir, 'figures');
  }

  modelFile(epoch: number): string {
    return path.join(this.checkpointDir, `model-epoch${epoch}.safetensors`);
  }

  /** A PyTorch checkpoint of the epoch: what the official code saves, and what `mcr2 export` writes. */
  torchModelFile(epoch: number): string {
    return path.join(this.checkpointDir, `model-epoch${epoch}.pt`);
  }

  optimizerFile(epoch: number): string {
    return path.join(this.checkpointDir, `optimizer-epoch${epoch}.safetensors`);
  }

  exists(): boolean {
    return fs.existsSync(this.paramsFile);
  }

  /** Creates the folder tree with an empty losses.csv, then params.json (whose presence marks a run folder). */
  create(params: Record<string, unknown>): void {
    for (const d of [this.dir, this.checkpointDir, this.figuresDir, path.join(this.dir, 'plabels')]) fs.mkdirSync(d, { recursive: true });
    writeFileAtomic(this.lossesFile, LOSS_HEADER);
    this.writeParams(params);
  }

  /** Takes the folder's lock (see run_lock.ts); returns the function that releases it. */
  lock(): () => void {
    return lockRunFolder(this.dir);
  }

  writeParams(params: Record<string, unknown>): void {
    const sorted = Object.fromEntries(
      Object.keys(params)
        .sort()
        .map((k) => [k, params[k]]),
    );
    writeFileAtomic(this.paramsFile, JSON.stringify(sorted, null, 2));
  }

  readParams(): Record<string, unknown> {
    if (!fs.existsSync(this.paramsFile)) throw new Error(`${this.dir} is not a run folder: params.json is missing`);
    return parseParamsJson(readText(this.paramsFile), this.paramsFile);
  }

  /** Epoch numbers that have a model checkpoint (ours, or PyTorch's .pt), ascending. */
  checkpointEpochs(): number[] {
    if (!fs.existsSync(this.checkpointDir)) return [];
    const epochs = fs
      .readdirSync(this.checkpointDir)
      .map((f) => /^model-epoch(\d+)\.(safetensors|pt)$/.exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]));
    return [...new Set(epochs)].sort((a, b) => a - b);
  }

  /** The given epoch's checkpoint, or the latest one (as the official loader picks). */
  resolveCheckpoint(epoch?: number): { epoch: number; file: string } {
    const epochs = this.checkpointEpochs();
    if (epochs.length === 0) throw new Error(`no checkpoints in ${this.checkpointDir}`);
    const e = epoch ?? epochs[epochs.length - 1];
    if (!epochs.includes(e))
      throw new Error(`no checkpoint for epoch ${e} in ${this.checkpointDir} (have ${epochs[0]}..${epochs[epochs.length - 1]})`);
    // Ours where both are there (an exported .pt holds the same weights).
    return { epoch: e, file: fs.existsSync(this.modelFile(e)) ? this.modelFile(e) : this.torchModelFile(e) };
  }

  /** Appends one row per optimizer step, official style: "\n" + the comma-joined values. */
  appendLoss(row: LossRow): void {
    appendFileChecked(this.lossesFile, lossLine(row), `append:${row.epoch}:${row.step}`);
  }

  readLosses(): LossRow[] {
    return parseLossesCsv(readText(this.lossesFile), this.lossesFile);
  }

  /** Keeps only rows of epochs ≤ lastEpoch (resuming after an interruption; a row cut by a kill is dropped). */
  truncateLosses(lastEpoch: number): void {
    const text = fs.existsSync(this.lossesFile) ? readText(this.lossesFile) : LOSS_HEADER;
    const rows = parseLossesCsv(text, this.lossesFile, { tornTail: true }).filter((r) => r.epoch <= lastEpoch);
    writeFileAtomic(this.lossesFile, LOSS_HEADER + rows.map(lossLine).join(''));
  }

  /** Epochs whose optimizer state is on disk, i.e. complete ones (see commitEpoch), ascending. */
  completeEpochs(): number[] {
    return this.checkpointEpochs().filter((e) => fs.existsSync(this.optimizerFile(e)));
  }

  /**
   * Makes an interrupted folder consistent (hold the lock): removes temporary files and optimizer
   * states older than the last complete epoch, cuts losses.csv to the complete epochs. Returns the
   * last complete epoch, or −1.
   */
  recover(): number {
    removeStaleTemps(this.dir);
    removeStaleTemps(this.checkpointDir);
    const done = this.completeEpochs();
    const last = done.length > 0 ? done[done.length - 1] : -1;
    for (const e of done) if (e !== last) fs.rmSync(this.optimizerFile(e), { force: true });
    this.truncateLosses(last);
    return last;
  }

  /** Ends an epoch: model checkpoint, then optimizer state (the mark of a complete epoch), then the previous optimizer state goes. */
  commitEpoch(epoch: number, model: Array<[string, tf.Tensor]>, optim: Array<[string, tf.Tensor]>, describe: Record<string, string>): void {
    saveTensors(this.modelFile(epoch), model, { ...describe, epoch: String(epoch) });
    saveTensors(this.optimizerFile(epoch), optim, { epoch: String(epoch) });
    if (epoch > 0) {
      faultPoint(`remove:optimizer-epoch${epoch - 1}`);
      fs.rmSync(this.optimizerFile(epoch - 1), { force: true });
    }
  }

  /** One optimizer step; a loss (or features) no longer finite stops training with lossNotFinite's message. */
  guardStep<T extends { total: number }>(epoch: number, step: number, fn: () => T): T {
    let t: T;
    try {
      t = fn();
    } catch (e) {
      if (/NaN|Inf/.test((e as Error).message)) throw this.lossNotFinite(epoch, step, Number.NaN, e);
      throw e;
    }
    if (!Number.isFinite(t.total) || injectedNaN(epoch, step))
      throw this.lossNotFinite(epoch, step, injectedNaN(epoch, step) ? Number.NaN : t.total);
    return t;
  }

  /** The error for a loss that stopped being finite: where, what is kept, what to change. */
  lossNotFinite(epoch: number, step: number, value: number, cause?: unknown): Error {
    let now = '';
    try {
      const p = this.readParams();
      now = ` (now --lr ${p.lr}${p.eps !== undefined && p.loss !== 'ce' ? `, --eps ${p.eps}` : ''})`;
    } catch {
      // the message stands without the current values
    }
    const done = this.completeEpochs();
    const kept =
      done.length > 0
        ? `the last good checkpoint is ${this.modelFile(done[done.length - 1])} (epoch ${done[done.length - 1]})`
        : 'no epoch had finished, so there is no checkpoint';
    return new Error(
      `the loss became ${value} at epoch ${epoch}, step ${step}; training stopped and ${kept}.\n` +
        `Lower --lr or raise --eps${now} and start again with another --tail.`,
      { cause },
    );
  }
}

function lossLine(r: LossRow): string {
  return `\n${[r.epoch, r.step, r.total, r.discrimnLossE, r.compressLossE, r.discrimnLossT, r.compressLossT].join(',')}`;
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** Keys of params.json whose type the readers rely on: a wrong one is named here, not deep inside a loader. */
const PARAM_TYPES: Record<string, 'string' | 'posint' | 'number'> = {
  arch: 'string',
  data: 'string',
  fd: 'posint',
  epo: 'posint',
  bs: 'posint',
  num_classes: 'posint',
  lr: 'number',
};

export function parseParamsJson(text: string, file = 'params.json'): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${file}: expected a JSON object of parameters`);
  const p = v as Record<string, unknown>;
  for (const [k, t] of Object.entries(PARAM_TYPES)) {
    if (!(k in p)) continue;
    const x = p[k];
    const ok = t === 'string' ? typeof x === 'string' : t === 'number' ? typeof x === 'number' : Number.isInteger(x) && (x as number) > 0;
    if (!ok) throw new Error(`${file}: "${k}" is ${JSON.stringify(x)}; expected ${t === 'posint' ? 'a positive integer' : `a ${t}`}`);
  }
  return p;
}

/**
 * Rows of a losses.csv. tornTail: the last line may be cut short by a kill (it is then dropped);
 * a malformed line anywhere else is an error naming it.
 */
export function parseLossesCsv(text: string, where = 'losses.csv', opts: { tornTail?: boolean } = {}): LossRow[] {
  const all = text.split('\n');
  if (all[0].trim() !== LOSS_HEADER) {
    if (opts.tornTail && all.length === 1 && LOSS_HEADER.startsWith(all[0])) return [];
    throw new Error(`${where}: header is not '${LOSS_HEADER}'`);
  }
  const rows: LossRow[] = [];
  for (let i = 1; i < all.length; i++) {
    const l = all[i];
    if (l.trim() === '') continue;
    const parts = l.split(',');
    const v = parts.map((s) => (s.trim() === '' ? Number.NaN : Number(s)));
    // 'NaN' is what a cross-entropy run logs for the four MCR² terms.
    const bad =
      v.length !== 7 ||
      v.some((x, j) => Number.isNaN(x) && parts[j].trim() !== 'NaN') ||
      !Number.isInteger(v[0]) ||
      !Number.isInteger(v[1]) ||
      v[0] < 0 ||
      v[1] < 0;
    if (bad) {
      if (opts.tornTail && i === all.length - 1) break;
      throw new Error(`${where}: line ${i + 1} is malformed: '${l.length > 80 ? `${l.slice(0, 80)}...` : l}'`);
    }
    rows.push({ epoch: v[0], step: v[1], total: v[2], discrimnLossE: v[3], compressLossE: v[4], discrimnLossT: v[5], compressLossT: v[6] });
  }
  return rows;
}
