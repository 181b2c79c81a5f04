// A training run's folder, laid out as the official code lays it out:
//   params.json  losses.csv  checkpoints/model-epoch{e}.safetensors  figures/  plabels/
// plus checkpoints/optimizer-epoch{e}.safetensors (latest only) so a run can resume exactly.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../io/files.js';
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

  optimizerFile(epoch: number): string {
    return path.join(this.checkpointDir, `optimizer-epoch${epoch}.safetensors`);
  }

  exists(): boolean {
    return fs.existsSync(this.paramsFile);
  }

  /** Creates the folder tree with params.json and an empty losses.csv. */
  create(params: Record<string, unknown>): void {
    for (const d of [this.dir, this.checkpointDir, this.figuresDir, path.join(this.dir, 'plabels')]) fs.mkdirSync(d, { recursive: true });
    this.writeParams(params);
    writeFileAtomic(this.lossesFile, LOSS_HEADER);
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
    try {
      return JSON.parse(fs.readFileSync(this.paramsFile, 'utf8'));
    } catch (e) {
      throw new Error(`${this.paramsFile}: not valid JSON (${(e as Error).message})`);
    }
  }

  /** Epoch numbers that have a model checkpoint, ascending. */
  checkpointEpochs(): number[] {
    if (!fs.existsSync(this.checkpointDir)) return [];
    return fs
      .readdirSync(this.checkpointDir)
      .map((f) => /^model-epoch(\d+)\.safetensors$/.exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
  }

  /** The given epoch's checkpoint, or the latest one (as the official loader picks). */
  resolveCheckpoint(epoch?: number): { epoch: number; file: string } {
    const epochs = this.checkpointEpochs();
    if (epochs.length === 0) throw new Error(`no checkpoints in ${this.checkpointDir}`);
    const e = epoch ?? epochs[epochs.length - 1];
    if (!epochs.includes(e))
      throw new Error(`no checkpoint for epoch ${e} in ${this.checkpointDir} (have ${epochs[0]}..${epochs[epochs.length - 1]})`);
    return { epoch: e, file: this.modelFile(e) };
  }

  /** Appends one row per optimizer step, official style: "\n" + the comma-joined values. */
  appendLoss(row: LossRow): void {
    const vals = [row.epoch, row.step, row.total, row.discrimnLossE, row.compressLossE, row.discrimnLossT, row.compressLossT];
    fs.appendFileSync(this.lossesFile, `\n${vals.join(',')}`);
  }

  readLosses(): LossRow[] {
    return parseLossesCsv(fs.readFileSync(this.lossesFile, 'utf8'), this.lossesFile);
  }

  /** Keeps only rows of epochs ≤ lastEpoch (resuming after an interruption). */
  truncateLosses(lastEpoch: number): void {
    const rows = this.readLosses().filter((r) => r.epoch <= lastEpoch);
    const body = rows
      .map((r) => `\n${[r.epoch, r.step, r.total, r.discrimnLossE, r.compressLossE, r.discrimnLossT, r.compressLossT].join(',')}`)
      .join('');
    writeFileAtomic(this.lossesFile, LOSS_HEADER + body);
  }
}

export function parseLossesCsv(text: string, where = 'losses.csv'): LossRow[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0 || lines[0].trim() !== LOSS_HEADER) throw new Error(`${where}: header is not '${LOSS_HEADER}'`);
  return lines.slice(1).map((l, i) => {
    const parts = l.split(',');
    const v = parts.map(Number);
    // 'NaN' is what a cross-entropy run logs for the four MCR² terms.
    if (v.length !== 7 || v.some((x, j) => Number.isNaN(x) && parts[j].trim() !== 'NaN'))
      throw new Error(`${where}: line ${i + 2} is malformed: '${l}'`);
    return { epoch: v[0], step: v[1], total: v[2], discrimnLossE: v[3], compressLossE: v[4], discrimnLossT: v[5], compressLossT: v[6] };
  });
}
