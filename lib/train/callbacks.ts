// What the training loop calls at its moments, in PyTorch Lightning's spirit: the loop (trainer.ts)
// only steps and commits epochs; the speed meter, the progress bar, the epoch's log line, the
// mid-epoch checkpoints and the stop on a non-finite loss are callbacks here, and a caller's own
// (Trainer.create(options, { callbacks: [...] })) run after them. Each method is optional and may
// return a promise (the loop waits for it); callbacks are called in the order they are listed.
import { type LossRow, type LossTerms, meanTerms } from '../loss/terms.js';
import { formatDuration, ProgressBar } from '../io/progress.js';
import { pyFloat } from '../io/pyformat.js';
import { saveTensors } from '../io/safetensors.js';
import type { Network } from '../models/network.js';
import type { RunFolder } from '../runs/run_folder.js';
import { CollapseGuard, type CollapseGuardOptions } from './collapse.js';
import type { Trainer } from './trainer.js';

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
  /** 0-based epoch under way (after onEpochEnd: the next one). */
  epoch: number;
  epochs: number;
  /** Steps taken in this epoch (after a step: including it). */
  step: number;
  stepsPerEpoch: number;
  model: Network;
  run: RunFolder;
  /** Written into each model checkpoint's metadata. */
  describe: Record<string, string>;
  /** The trainer itself: its features, evaluation, options (what a probe reads). */
  trainer: Trainer;
  /** Where lines go (the trainer's log). */
  log(line: string): void;
  /** Stops the run after the step under way (what a kernel interrupt asks). */
  stop(): void;
}

/** One step as it was taken: its losses.csv row, its images and the milliseconds the step took. */
export interface StepResult {
  row: LossRow;
  images: number;
  ms: number;
}

type Maybe = void | Promise<void>;

export interface Callback {
  /** Before the run folder is opened and locked (the notebook kit closes a trainer already open on it). */
  beforeOpen?(runDir: string, log: (line: string) => void): Maybe;
  /** Once the trainer is open and its engine started. */
  onOpen?(t: Trainer): Maybe;
  /** A runSteps / runEpoch / run call begins, and ends (however). */
  onRunStart?(s: LoopState): Maybe;
  onRunEnd?(s: LoopState): Maybe;
  /** Before the first step of an epoch. */
  onEpochStart?(s: LoopState): Maybe;
  /** A step's engine call threw: return the error to stop with instead (the first callback that does wins). */
  onStepError?(s: LoopState, e: unknown): Error | undefined;
  /** After the optimizer step, before its row is written: throw to stop training (the NaN guard). */
  checkStep?(s: LoopState, r: StepResult): void;
  /** After every step, once its row is in losses.csv. */
  onStepEnd?(s: LoopState, r: StepResult): Maybe;
  /** After an epoch is committed (checkpoint and optimizer state on disk); `s.epoch` is the next one. */
  onEpochEnd?(s: LoopState, summary: EpochSummary): Maybe;
  /** When a run stops before its epoch ends (interrupted, failed, closed). */
  onStop?(s: LoopState): Maybe;
  /** The trainer is closed (finished, closed or failed). */
  onClose?(t: Trainer): Maybe;
}

/**
 * Images per second over the steps alone (checkpointing and logging excluded), per epoch and in
 * all; and each epoch's summary: the mean of its losses.csv rows, its wall time.
 */
export class SpeedMeter implements Callback {
  private epochMs = 0;
  private epochImages = 0;
  private totalMs = 0;
  private totalImages = 0;
  private rows: LossRow[] = [];
  private start = 0;

  onEpochStart(): void {
    this.epochMs = 0;
    this.epochImages = 0;
    this.rows = [];
    this.start = Date.now();
  }

  onStepEnd(_s: LoopState, r: StepResult): void {
    this.epochMs += r.ms;
    this.epochImages += r.images;
    this.totalMs += r.ms;
    this.totalImages += r.images;
    this.rows.push(r.row);
  }

  /** The epoch under way (or just ended). */
  get epochRate(): number {
    return this.epochImages / (this.epochMs / 1000);
  }

  /** Every step this meter saw; 0 before any. */
  get rate(): number {
    return this.totalMs > 0 ? this.totalImages / (this.totalMs / 1000) : 0;
  }

  /** The epoch just ended, at learning rate `lr`. */
  summary(epoch: number, epochs: number, lr: number): EpochSummary {
    const seconds = (Date.now() - this.start) / 1000;
    return { epoch, epochs, lr, ...meanTerms(this.rows), imagesPerSecond: this.epochRate, seconds };
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

/** The line each finished epoch prints: `epoch 3/8  loss -40.1234  R 43.000  Rc 2.880  lr 0.05  5000 img/s  0:12`. */
export class EpochLog implements Callback {
  onEpochEnd(s: LoopState, e: EpochSummary): void {
    const terms = Number.isNaN(e.discrimnLossE) ? '' : `  R ${e.discrimnLossE.toFixed(3)}  Rc ${e.compressLossE.toFixed(3)}`;
    s.log(
      `epoch ${e.epoch + 1}/${e.epochs}  loss ${e.total.toFixed(4)}${terms}  lr ${pyFloat(e.lr)}  ${e.imagesPerSecond.toFixed(0)} img/s  ${formatDuration(e.seconds)}`,
    );
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

/**
 * Stops training at a loss (or features) no longer finite, before the step's row is written: the
 * error names the step, the last good checkpoint, and what to change. `inject` makes a step's
 * loss read NaN (the crash tests' fault; production code passes none).
 */
export class StopOnNonFinite implements Callback {
  constructor(private readonly inject?: (epoch: number, step: number) => boolean) {}

  onStepError(s: LoopState, e: unknown): Error | undefined {
    return e instanceof Error && /NaN|Inf/.test(e.message) ? lossNotFinite(s.run, s.epoch, s.step, Number.NaN, e) : undefined;
  }

  checkStep(s: LoopState, r: StepResult): void {
    const total = this.inject?.(r.row.epoch, r.row.step) ? Number.NaN : r.row.total;
    if (!Number.isFinite(total)) throw lossNotFinite(s.run, r.row.epoch, r.row.step, total);
  }
}

/** The error for a loss that stopped being finite: where, what is kept, what to change. */
function lossNotFinite(run: RunFolder, epoch: number, step: number, value: number, cause?: unknown): Error {
  let now = '';
  try {
    const p = run.readParams();
    now = ` (now --lr ${p.lr}${p.eps !== undefined && p.loss !== 'ce' ? `, --eps ${p.eps}` : ''})`;
  } catch {
    // the message stands without the current values
  }
  const done = run.completeEpochs();
  const kept =
    done.length > 0
      ? `the last good checkpoint is ${run.modelFile(done[done.length - 1])} (epoch ${done[done.length - 1]})`
      : 'no epoch had finished, so there is no checkpoint';
  return new Error(
    `the loss became ${value} at epoch ${epoch}, step ${step}; training stopped and ${kept}.\n` +
      `Lower --lr or raise --eps${now} and start again with another --tail.`,
    { cause },
  );
}

/**
 * A kernel interrupt (SIGINT) stops a run after the step under way, the state intact; the next
 * runEpoch()/runSteps() continues from there. The notebook kit's hooks include it.
 */
export class StopOnInterrupt implements Callback {
  private listener?: () => void;

  onRunStart(s: LoopState): void {
    this.listener = () => s.stop();
    process.on('SIGINT', this.listener);
  }

  onRunEnd(): void {
    if (this.listener) process.off('SIGINT', this.listener);
    this.listener = undefined;
  }
}

/** What Trainer.create and the wrappers take besides the options. */
export interface TrainHooks {
  /** Where lines go (default console.log; the notebook kit's tidies paths). */
  log?: (line: string) => void;
  /** A terminal progress bar per epoch when stderr is a TTY (the CLI). Default true. */
  progress?: boolean;
  /** Callbacks run after the trainer's own (speed, progress bar, mid-epoch checkpoints, collapse and NaN guards, epoch line). */
  callbacks?: Callback[];
  /** Stop when the features collapse (collapse.ts): thresholds, or false to let a run go on. Default: the defaults. */
  collapse?: Partial<CollapseGuardOptions> | false;
  /** Injected faults (tests only): the loss of a step reads NaN. */
  faults?: { nanLoss?(epoch: number, step: number): boolean };
}

/** A trainer's callbacks in the order they run: its own, then the caller's; with the speed meter the trainer reads. */
export function trainerCallbacks(
  hooks: TrainHooks,
  plan: { checkpointEvery?: number; options: { eps: number } },
): { speed: SpeedMeter; list: Callback[] } {
  const speed = new SpeedMeter();
  const list: Callback[] = [
    speed,
    ...(hooks.progress === false ? [] : [new ProgressBarCallback(speed)]),
    ...(plan.checkpointEvery ? [new MidEpochCheckpoint(plan.checkpointEvery)] : []),
    ...(hooks.collapse === false ? [] : [new CollapseGuard({ eps: plan.options.eps, ...hooks.collapse })]),
    new StopOnNonFinite(hooks.faults?.nanLoss),
    new EpochLog(),
    ...(hooks.callbacks ?? []),
  ];
  return { speed, list };
}

/** Calls the callbacks' hooks in order with the loop's state of the moment, waiting for each. */
export class CallbackList {
  constructor(
    readonly list: Callback[],
    private readonly state: () => LoopState,
  ) {}

  async emit(hook: 'onRunStart' | 'onRunEnd' | 'onEpochStart' | 'onStop'): Promise<void> {
    for (const c of this.list) await c[hook]?.(this.state());
  }

  /** The error a step's failure stops training with: the first callback's own, else the failure itself. */
  stepError(e: unknown): unknown {
    for (const c of this.list) {
      const err = c.onStepError?.(this.state(), e);
      if (err !== undefined) return err;
    }
    return e;
  }

  check(r: StepResult): void {
    for (const c of this.list) c.checkStep?.(this.state(), r);
  }

  async stepEnd(r: StepResult): Promise<void> {
    for (const c of this.list) await c.onStepEnd?.(this.state(), r);
  }

  async epochEnd(sum: EpochSummary): Promise<void> {
    for (const c of this.list) await c.onEpochEnd?.(this.state(), sum);
  }
}
