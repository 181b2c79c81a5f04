// A training run's folder, laid out as the official code lays it out:
//   params.json  losses.csv  checkpoints/model-epoch{e}.safetensors  figures/  plabels/
// (a folder the official code wrote has checkpoints/model-epoch{e}.pt instead: read as well)
// plus checkpoints/optimizer-epoch{e}.safetensors (latest only) so a run can resume exactly, and
// .lock while a process trains in it (run_lock.ts).
// What is on disk after a kill -9 at any moment is enough to go on: an epoch is complete once its
// optimizer state is written (after its model checkpoint); losses.csv rows past the last complete
// epoch, a row cut half-way and temporary files are dropped when the run is resumed (recover()).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { faultPoint } from '../io/faults.js';
import { OptionError } from '../options/checks.js';
import { appendFileChecked, removeStaleTemps, writeFileAtomic } from '../io/files.js';
import { saveTensors } from '../io/safetensors.js';
import { lockRunFolder } from './run_lock.js';
import type { LossRow } from '../loss/terms.js';

export const LOSS_HEADER = 'epoch,step,loss,discrimn_loss_e,compress_loss_e,discrimn_loss_t,compress_loss_t';

export type { LossRow };

/** A run folder opened to train in (RunFolder.open). */
export interface OpenRun {
  run: RunFolder;
  /** The last complete epoch (its checkpoint and optimizer state on disk), −1 for none. */
  lastEpoch: number;
  /** True when open() made the folder. */
  created: boolean;
  /** Releases the folder's lock. */
  release: () => void;
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

  /**
   * Opens a folder to train in, the lock held until `release()`: creates it with `params`, or, when
   * it exists, checks that its params.json agrees on `sameKeys` (else an error naming `tail`) and
   * makes it consistent after any interruption (recover()). `lastEpoch`: the last complete epoch
   * to resume after, −1 for none.
   */
  static open(dir: string, params: Record<string, unknown>, sameKeys: readonly string[]): OpenRun {
    const run = new RunFolder(dir);
    const release = run.lock();
    try {
      if (!run.exists()) {
        run.create(params);
        return { run, lastEpoch: -1, created: true, release };
      }
      const old = run.readParams();
      const differs = sameKeys.filter((k) => JSON.stringify(old[k]) !== JSON.stringify(params[k]));
      if (differs.length > 0)
        throw new OptionError('tail', (n) => `${dir} exists with other parameters (${differs.join(', ')}); use ${n} to name a new run`);
      return { run, lastEpoch: run.recover(), created: false, release };
    } catch (e) {
      release();
      throw e;
    }
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
    writeFileAtomic(this.lossesFile, lossesCsvText(rows));
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
}

/** A whole losses.csv (also losses_test.csv): the header and one line per row. */
export function lossesCsvText(rows: readonly LossRow[]): string {
  return LOSS_HEADER + rows.map(lossLine).join('');
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
