// What the training loop calls at its moments, in PyTorch Lightning's spirit: the loop itself only
// steps, commits epochs and logs; the progress bar, the speed meter and the mid-epoch checkpoints are
// callbacks, and a caller's own (Trainer.create(options, { callbacks: [...] })) run after them.
import type { LossRow, LossTerms } from '../loss/terms.js';
import { ProgressBar } from '../io/progress.js';
import { saveTensors } from '../io/safetensors.js';
import type { Network } from '../models/network.js';
import type { RunFolder } from '../runs/run_folder.js';

/** One finished epoch: its mean loss terms, learning rate and speed. */
export interface EpochSummary extends LossTerms {
  /** 0-based epoch number (as in losses.csv and the checkpoint names). */
  epoch: number;
  epochs: number;
  lr: number;
  imagesPerSecond: number;
  seconds: number;
}

/** Where the loop is, as callbacks see it. */
export interface LoopState {
  /** 0-based epoch under way. */
  epoch: number;
  epochs: number;
  /** Steps taken in this epoch (after a step: including it). */
  step: number;
  stepsPerEpoch: number;
  model: Network;
  run: RunFolder;
  /** Written into each model checkpoint's metadata. */
  describe: Record<string, string>;
}

/** One step as it was taken: its losses.csv row, its images and the milliseconds the step took. */
export interface StepResult {
  row: LossRow;
  images: number;
  ms: number;
}

/** Every method is optional; each is called in the order the callbacks are listed. */
export interface Callback {
  /** Before the first step of an epoch. */
  onEpochStart?(s: LoopState): void;
  /** After every step, once its row is in losses.csv. */
  onStepEnd?(s: LoopState, r: StepResult): void;
  /** After an epoch is committed (checkpoint and optimizer state on disk). */
  onEpochEnd?(s: LoopState, summary: EpochSummary): void;
  /** When a run stops before its epoch ends (interrupted, failed, closed). */
  onStop?(s: LoopState): void;
}

/** Images per second over the steps alone (checkpointing and logging excluded), per epoch and in all. */
export class SpeedMeter implements Callback {
  private epochMs = 0;
  private epochImages = 0;
  private totalMs = 0;
  private totalImages = 0;

  onEpochStart(): void {
    this.epochMs = 0;
    this.epochImages = 0;
  }

  onStepEnd(_s: LoopState, r: StepResult): void {
    this.epochMs += r.ms;
    this.epochImages += r.images;
    this.totalMs += r.ms;
    this.totalImages += r.images;
  }

  /** The epoch under way (or just ended). */
  get epochRate(): number {
    return this.epochImages / (this.epochMs / 1000);
  }

  /** Every step this meter saw; 0 before any. */
  get rate(): number {
    return this.totalMs > 0 ? this.totalImages / (this.totalMs / 1000) : 0;
  }
}

/** A terminal progress bar per epoch (stderr, only on a TTY) with the last loss and the speed. */
export class ProgressBarCallback implements Callback {
  private bar?: ProgressBar;

  constructor(private readonly speed: SpeedMeter) {}

  onEpochStart(s: LoopState): void {
    this.bar = new ProgressBar(s.stepsPerEpoch, `epoch ${s.epoch + 1}/${s.epochs}`);
  }

  onStepEnd(s: LoopState, r: StepResult): void {
    this.bar?.update(s.step, `loss ${r.row.total.toFixed(3)} ${this.speed.epochRate.toFixed(0)} img/s`);
  }

  onEpochEnd(): void {
    this.bar?.done();
  }

  onStop(): void {
    this.bar?.done();
  }
}

/**
 * Overwrites the epoch's model checkpoint every `every` steps within it (train_selfsup.py saves
 * every 20 steps). The epoch stays incomplete until its optimizer state is written at its end.
 */
export class MidEpochCheckpoint implements Callback {
  constructor(private readonly every: number) {}

  onStepEnd(s: LoopState): void {
    if (s.step % this.every !== 0 || s.step >= s.stepsPerEpoch) return;
    saveTensors(s.run.modelFile(s.epoch), s.model.stateDict(), { ...s.describe, epoch: String(s.epoch), step: String(s.step) });
  }
}
