// The one training loop, as an object a notebook steps through cell by cell:
//
//   const t = await Trainer.create({ arch: 'cnn-small', data: 'mnist', epochs: 2, batchSize: 1000 });
//   await t.runEpoch();                       // one epoch (or the rest of the current one)
//   t.losses(); t.epoch; t.step; t.lr;        // read between cells
//   await t.evaluate(); t.lossFigure();       // judge the features, draw R, Rᶜ, ΔR
//   await t.runSteps(10); await t.run();      // N steps, or every epoch left
//   await t.close();
//
// trainSupervised, trainSelfSup and the CLI's train commands are this loop run to the end.
//
// Resuming. A run folder is resumed per finished epoch, as before: an epoch is complete when its
// model checkpoint and optimizer state are written (model first, the previous epoch's optimizer
// state removed last; run_folder.ts recover() cleans what a kill leaves). While a trainer is open
// it holds the folder's lock (run_lock.ts): another process on the same folder is refused. Opening a folder (Trainer.create with the same options, or Trainer.open(runDir))
// loads the last complete epoch and cuts losses.csv back to it. Within one Trainer, stepping is
// finer: runSteps(n) may stop mid-epoch and the next call continues from the very next batch of
// that epoch (batch order and augmentations depend only on (seed, epoch)). losses.csv gets one row
// per step as it is taken, so if the process dies mid-epoch (kill, kernel restart) the partial
// epoch's rows are cut on the next open and that epoch is run again from its first step: no row is
// lost or written twice. In a notebook, a kernel interrupt (SIGINT) during a run stops it after the
// current step with the state intact; the next runEpoch()/runSteps() continues from there. A step
// that throws closes the trainer (the state of a half-taken step is not trusted); reopen to resume.
import * as path from 'node:path';
import { describeBackend, initBackend, type BackendInfo } from '../backend/backend.js';
import { loadDataset } from '../data/index.js';
import type { ImageDataset } from '../data/dataset.js';
import { evaluateFeatures } from '../evaluate/methods.js';
import { recalibrateBatchNorm } from '../features/recalibrate.js';
import { datasetFeatures, type Features } from '../features/dataset.js';
import { formatDuration } from '../io/progress.js';
import { displayPath } from '../io/paths.js';
import { pyFloat } from '../io/pyformat.js';
import { loadTensors } from '../io/safetensors.js';
import { type LossRow, lossTerms, meanTerms } from '../loss/terms.js';
import type { Network } from '../models/network.js';
import { lossFigure, type Figure } from '../plot/figure.js';
import { inNotebook } from '../plot/notebook.js';
import { RunFolder } from '../runs/run_folder.js';
import {
  type Callback,
  type EpochSummary,
  type LoopState,
  MidEpochCheckpoint,
  ProgressBarCallback,
  SpeedMeter,
  type StepResult,
} from './callbacks.js';
import { type CollapseGuardOptions, CollapseGuard } from './collapse.js';
import { LocalEngine, type TrainingEngine } from './engine.js';
import { fromParams } from './options.js';
import { defaultWorkers, ParallelEngine } from './parallel.js';
import { epochRng, type StepBatch, type TrainingPlan } from './plan.js';
import { resolveSelfSup, SELFSUP_DEFAULTS, SELFSUP_PARAM_KEYS, selfsupPlan, type SelfSupOptions } from './selfsup.js';
import { multiStepLR, SGD } from './sgd.js';
import { resolveSupervised, SUPERVISED_DEFAULTS, SUPERVISED_PARAM_KEYS, supervisedPlan, type SupervisedOptions } from './supervised.js';

export type { EpochSummary } from './callbacks.js';

/** Faults a test injects into training (test/fault_cli.ts); production code passes none. */
export interface TrainingFaults {
  /** True when the loss of this step is to read NaN (how training stops on a non-finite loss). */
  nanLoss?(epoch: number, step: number): boolean;
}

export interface TrainHooks {
  /** Where lines go (default console.log; a notebook shows them under the cell). */
  log?: (line: string) => void;
  onEpoch?: (s: EpochSummary) => void;
  /** Called after every optimizer step with the row just written to losses.csv. */
  onStep?: (row: LossRow) => void;
  /** A terminal progress bar per epoch when stderr is a TTY (the CLI). Default true. */
  progress?: boolean;
  /** Stop cleanly after the current step on SIGINT (a kernel interrupt). Default: inside a notebook only. */
  interruptible?: boolean;
  /** More callbacks (callbacks.ts), called after the trainer's own (speed, progress bar, mid-epoch checkpoints). */
  callbacks?: Callback[];
  /** Stop when the features collapse (collapse.ts): thresholds, or false to let a run go on. Default: the defaults. */
  collapse?: Partial<CollapseGuardOptions> | false;
  /** Injected faults (tests only). */
  faults?: TrainingFaults;
}

/** What Trainer.evaluate runs; each method's argument is its main parameter, `true` for the official default. */
export interface TrainerEvaluateOptions {
  /** kNN on cosine similarity with k neighbours (official default 5). */
  knn?: number | boolean;
  /** Nearest subspace with n components per class (official default 30). */
  nearsub?: number | boolean;
  /** LinearSVC (scikit-learn defaults). */
  svm?: boolean;
}

export interface TrainerEvaluation {
  /** Epochs finished and steps into the next when the features were taken. */
  epoch: number;
  step: number;
  /** Cross-entropy runs: test accuracy of the classifier's argmax. */
  ce?: number;
  knn?: number;
  nearsub?: { pca: number; svd: number };
  svm?: number;
  /** Test-set predictions of each method. */
  predictions: { knn?: Int32Array; nearsub?: { pca: Int32Array; svd: Int32Array }; svm?: Int32Array };
  /** Clean test labels. */
  testLabels: Int32Array;
}

/** The evaluation with the methods that were asked for typed as present (no `!` needed). */
export type EvaluationOf<O extends TrainerEvaluateOptions> = TrainerEvaluation &
  (O extends { knn: number | true } ? { knn: number } : unknown) &
  (O extends { nearsub: number | true } ? { nearsub: { pca: number; svd: number } } : unknown) &
  (O extends { svm: true } ? { svm: number } : unknown);

/** What a wrapper that runs to the end returns (trainSupervised, trainSelfSup). */
export interface TrainSummary {
  runDir: string;
  backend: BackendInfo;
  /** The trained network, in eval mode (the caller disposes it). */
  model: Network;
  /** Training images per second over the steps run in this call (excludes checkpointing). */
  imagesPerSecond: number;
  seconds: number;
  epochsRun: number;
  labelsChanged: number;
}

/** Trainers open in this process by run folder: opening one again closes the old one first. */
const OPEN = new Map<string, Trainer>();

export async function trainingBackend(log: (s: string) => void): Promise<BackendInfo> {
  const backend = await initBackend();
  log(describeBackend(backend));
  return backend;
}

const nextTick = () => new Promise<void>((r) => setImmediate(r));

export class Trainer {
  readonly runDir: string;
  readonly kind: 'supervised' | 'selfsup';
  readonly backend: BackendInfo;
  /** The network being trained (train mode during steps; features() switches to eval and back). */
  readonly model: Network;
  /** Epochs in the run (the options' `epochs`). */
  readonly epochs: number;
  readonly stepsPerEpoch: number;
  /** The first epoch this trainer ran (after the complete ones found in the folder). */
  readonly startEpoch: number;

  private readonly plan: TrainingPlan;
  private readonly run_: RunFolder;
  private readonly log: (l: string) => void;
  private readonly hooks: TrainHooks;
  private readonly optim: SGD;
  private readonly speed = new SpeedMeter();
  private readonly callbacks: Callback[];
  private engine!: TrainingEngine;
  private epoch_: number;
  private step_ = 0;
  private batches?: Iterator<StepBatch>;
  private epochRows: LossRow[] = [];
  private epochStart = 0;
  private readonly t0 = Date.now();
  private readonly summaries: EpochSummary[] = [];
  private closedBecause?: string;
  private readonly release_: () => void;
  private stopRequested = false;
  /** Opening already said the run is complete: the first loop() need not say it again. */
  private saidDone = false;
  private testSet?: ImageDataset;
  private cache?: { at: number; train?: Features; test?: Features };

  private constructor(plan: TrainingPlan, backend: BackendInfo, hooks: TrainHooks) {
    this.plan = plan;
    this.kind = plan.kind;
    this.backend = backend;
    this.model = plan.model;
    this.epochs = plan.epochs;
    this.stepsPerEpoch = plan.stepsPerEpoch;
    this.runDir = plan.runDir;
    this.hooks = hooks;
    this.log = hooks.log ?? ((l: string) => console.log(l));
    this.callbacks = [
      this.speed,
      ...(hooks.progress === false ? [] : [new ProgressBarCallback(this.speed)]),
      ...(plan.checkpointEvery ? [new MidEpochCheckpoint(plan.checkpointEvery)] : []),
      ...(hooks.collapse === false ? [] : [new CollapseGuard({ eps: Number(plan.params.eps), ...hooks.collapse })]),
      ...(hooks.callbacks ?? []),
    ];
    this.optim = new SGD(plan.model.namedParameters(), { lr: plan.lr, momentum: plan.momentum, weightDecay: plan.weightDecay });
    let opened: ReturnType<typeof RunFolder.open> | undefined;
    try {
      // The lock, then the folder created or recovered; then the last complete epoch's state loaded.
      opened = RunFolder.open(plan.runDir, plan.params, plan.sameRunKeys);
      this.run_ = opened.run;
      this.epoch_ = this.resume(opened.lastEpoch);
    } catch (e) {
      opened?.release();
      this.optim.dispose();
      throw e;
    }
    this.release_ = opened.release;
    this.startEpoch = this.epoch_;
    this.optim.lr = multiStepLR(plan.lr, plan.milestones, this.epoch_);
  }

  /** Supervised training (train_sup.py): creates the run folder, or resumes it from its last complete epoch. */
  static async create(options: Partial<SupervisedOptions> = {}, hooks: TrainHooks = {}): Promise<Trainer> {
    resolveSupervised(options); // bad options fail before the backend starts
    return Trainer.start((log) => supervisedPlan(options, log), hooks);
  }

  /** Self-supervised training (train_selfsup.py), likewise. */
  static async createSelfSup(options: Partial<SelfSupOptions> = {}, hooks: TrainHooks = {}): Promise<Trainer> {
    resolveSelfSup(options);
    return Trainer.start((log) => selfsupPlan(options, log), hooks);
  }

  /**
   * An existing run folder, resumed from its last complete epoch with the options its params.json
   * records. overrides: options that may differ between sessions (workers, chunk, dataDir, ...).
   */
  static async open(
    runDir: string,
    overrides: Partial<SupervisedOptions> | Partial<SelfSupOptions> = {},
    hooks: TrainHooks = {},
  ): Promise<Trainer> {
    const params = new RunFolder(runDir).readParams();
    const selfsup = params.aug !== undefined || path.basename(path.resolve(runDir)).startsWith('selfsup_');
    const saveDir = path.dirname(path.resolve(runDir));
    if (selfsup) {
      const o = { ...fromParams(params, SELFSUP_PARAM_KEYS, SELFSUP_DEFAULTS), saveDir, ...(overrides as Partial<SelfSupOptions>) };
      return Trainer.start((log) => selfsupPlan(o, log, runDir), hooks);
    }
    const o = { ...fromParams(params, SUPERVISED_PARAM_KEYS, SUPERVISED_DEFAULTS), saveDir, ...(overrides as Partial<SupervisedOptions>) };
    return Trainer.start((log) => supervisedPlan(o, log, runDir), hooks);
  }

  private static async start(makePlan: (log: (l: string) => void) => TrainingPlan, hooks: TrainHooks): Promise<Trainer> {
    const log = hooks.log ?? ((l: string) => console.log(l));
    const backend = await trainingBackend(log);
    const plan = makePlan(log);
    const key = path.resolve(plan.runDir);
    const old = OPEN.get(key);
    if (old !== undefined) {
      log(
        `closing the trainer already open on ${displayPath(plan.runDir)} (at epoch ${old.epoch}, step ${old.step}); resuming from its folder`,
      );
      await old.close();
    }
    let t: Trainer | undefined;
    try {
      t = new Trainer(plan, backend, hooks);
      await t.startEngine();
    } catch (e) {
      if (t !== undefined) await t.close();
      else plan.model.dispose();
      throw e;
    }
    OPEN.set(key, t);
    return t;
  }

  /** Loads the last complete epoch's model and optimizer state (none: a fresh run); the first epoch to run. */
  private resume(last: number): number {
    if (last < 0) return 0;
    const run = this.run_;
    this.model.loadStateDict(loadTensors(run.modelFile(last)).tensors, run.modelFile(last));
    this.optim.loadState(loadTensors(run.optimizerFile(last)).tensors);
    this.saidDone = last + 1 >= this.plan.epochs;
    this.log(
      this.saidDone
        ? `${displayPath(run.dir)}: already trained for ${this.plan.epochs} epochs`
        : `resuming ${displayPath(run.dir)} after epoch ${last}`,
    );
    return last + 1;
  }

  private async startEngine(): Promise<void> {
    const p = this.plan;
    const workers = Math.min(p.workers >= 0 ? p.workers : defaultWorkers(this.backend.name), Math.max(0, Math.floor(p.batchSize / 2) - 1));
    this.engine =
      workers > 0
        ? await ParallelEngine.create(this.model, this.optim, p.loss, {
            ...p.build,
            backend: this.backend.name,
            workers,
            maxBatch: p.batchSize,
            chunk: p.chunk,
          })
        : new LocalEngine(this.model, this.optim, p.loss, p.chunk);
    this.log(
      `model: ${p.build.arch} (fd ${p.build.fd}), ${this.model.numParameters().toLocaleString('en-US')} trainable parameters; ` +
        `${p.stepsPerEpoch} steps/epoch of ${p.batchSize}${workers > 0 ? `, split over ${workers + 1} threads` : ''}` +
        `${p.chunk > 0 && p.batchSize / (workers + 1) > p.chunk ? `, in chunks of ${p.chunk}` : ''}`,
    );
    this.log(`run folder: ${displayPath(this.runDir)}`);
  }

  /** The resolved options (camelCase; SupervisedOptions or SelfSupOptions). */
  get options(): Readonly<SupervisedOptions> | Readonly<SelfSupOptions> {
    return this.plan.options as SupervisedOptions | SelfSupOptions;
  }

  /** Epochs finished (the next epoch to run, 0-based, as in losses.csv). */
  get epoch(): number {
    return this.epoch_;
  }

  /** Steps taken in the epoch under way (0 between epochs). */
  get step(): number {
    return this.step_;
  }

  /** The learning rate of the epoch under way (or the next one). */
  get lr(): number {
    return this.optim.lr;
  }

  /** True when every epoch is trained. */
  get done(): boolean {
    return this.epoch_ >= this.epochs;
  }

  /** Labels of the training set changed by label corruption. */
  get labelsChanged(): number {
    return this.plan.labelsChanged;
  }

  /** Every losses.csv row so far (one per step; earlier sessions' complete epochs included). */
  losses(): LossRow[] {
    return this.run_.readLosses();
  }

  /** The epochs finished by this trainer, in order. */
  epochSummaries(): EpochSummary[] {
    return [...this.summaries];
  }

  /** The loss curves of the rows so far (plot.py --loss): 'theoretical' ΔR, R, Rᶜ or 'empirical'. */
  lossFigure(kind: 'theoretical' | 'empirical' = 'theoretical', title?: string): Figure {
    return lossFigure(this.losses(), kind, title);
  }

  /** Asks a run under way to stop after the step it is taking (what a kernel interrupt does). */
  interrupt(): void {
    this.stopRequested = true;
  }

  /** Takes up to n steps (fewer when the run ends or is interrupted); returns their losses.csv rows. */
  async runSteps(n: number): Promise<LossRow[]> {
    if (!Number.isInteger(n) || n < 0) throw new Error(`runSteps: n must be an integer ≥ 0, got ${n}`);
    const rows: LossRow[] = [];
    await this.loop(
      () => rows.length < n,
      (r) => rows.push(r),
    );
    return rows;
  }

  /** Runs the epoch under way to its end (a whole epoch between epochs); its summary, or undefined if none ended. */
  async runEpoch(): Promise<EpochSummary | undefined> {
    const target = this.epoch_;
    const before = this.summaries.length;
    await this.loop(() => this.epoch_ === target);
    return this.summaries.length > before ? this.summaries[this.summaries.length - 1] : undefined;
  }

  /** Runs every epoch left; their summaries. */
  async run(): Promise<EpochSummary[]> {
    const before = this.summaries.length;
    await this.loop(() => true);
    return this.summaries.slice(before);
  }

  private checkOpen(): void {
    if (this.closedBecause !== undefined)
      throw new Error(
        `this trainer is closed${this.closedBecause === 'closed' ? '' : ` (${this.closedBecause})`}; ` +
          `Trainer.open(trainer.runDir) resumes its run, ${displayPath(this.runDir)}`,
      );
  }

  /** What callbacks see of the loop now. */
  private get state(): LoopState {
    const p = this.plan;
    return {
      epoch: this.epoch_,
      epochs: p.epochs,
      step: this.step_,
      stepsPerEpoch: p.stepsPerEpoch,
      model: this.model,
      run: this.run_,
      describe: p.describe,
    };
  }

  private emit<K extends keyof Callback>(
    hook: K,
    ...args: Parameters<NonNullable<Callback[K]>> extends [LoopState, ...infer R] ? R : never
  ): void {
    const s = this.state;
    for (const c of this.callbacks) (c[hook] as ((s: LoopState, ...a: unknown[]) => void) | undefined)?.call(c, s, ...args);
  }

  private async loop(more: () => boolean, onRow?: (r: LossRow) => void): Promise<void> {
    this.checkOpen();
    if (this.done) {
      if (!this.saidDone) this.log(`${displayPath(this.runDir)}: already trained for ${this.epochs} epochs`);
      this.saidDone = false;
      return;
    }
    const interruptible = this.hooks.interruptible ?? inNotebook();
    this.stopRequested = false;
    const onSigint = () => this.interrupt();
    if (interruptible) process.on('SIGINT', onSigint);
    try {
      // Steps run after the calling cell's synchronous part: tslab breaks synchronous cell code on
      // SIGINT (mid-step), but not callbacks, where the listener above stops between steps instead.
      await nextTick();
      while (!this.done && more()) {
        const row = this.takeStep();
        onRow?.(row);
        if (this.step_ === this.stepsPerEpoch) this.finishEpoch();
        // Lets a signal (kernel interrupt) and other callbacks through between steps.
        await nextTick();
        if (this.stopRequested) {
          this.emit('onStop');
          this.log(
            `interrupted at epoch ${this.epoch_ + 1}, step ${this.step_}/${this.stepsPerEpoch}; runEpoch() or runSteps() continues from here`,
          );
          break;
        }
      }
    } catch (e) {
      await this.close(`a step failed: ${(e as Error).message}`);
      throw e;
    } finally {
      if (interruptible) process.off('SIGINT', onSigint);
    }
  }

  private takeStep(): LossRow {
    const p = this.plan;
    const epoch = this.epoch_;
    if (this.batches === undefined) {
      this.optim.lr = multiStepLR(p.lr, p.milestones, epoch);
      this.batches = p.batches(epoch, epochRng(p.seed, epoch))[Symbol.iterator]();
      this.epochRows = [];
      this.epochStart = Date.now();
      // Steps are resumed mid-epoch only within this trainer: skip none, the iterator is fresh at step 0.
      this.step_ = 0;
      this.emit('onEpochStart');
    }
    this.model.train();
    const next = this.batches.next();
    if (next.done) throw new Error(`epoch ${epoch}: the data gave ${this.step_} batches, expected ${p.stepsPerEpoch}`);
    const b = next.value;
    const s0 = performance.now();
    const t = this.guardStep(epoch, this.step_, () => this.engine.step(b.data, b.shape, b.labels, b.numClasses));
    const step: StepResult = { row: { epoch, step: this.step_, ...lossTerms(t) }, images: b.shape[0], ms: performance.now() - s0 };
    this.run_.appendLoss(step.row);
    this.epochRows.push(step.row);
    this.step_++;
    this.hooks.onStep?.(step.row);
    this.emit('onStepEnd', step);
    return step.row;
  }

  /** One optimizer step; a loss (or features) no longer finite stops training with lossNotFinite's message. */
  private guardStep<T extends { total: number }>(epoch: number, step: number, fn: () => T): T {
    let t: T;
    try {
      t = fn();
    } catch (e) {
      if (/NaN|Inf/.test((e as Error).message)) throw lossNotFinite(this.run_, epoch, step, Number.NaN, e);
      throw e;
    }
    const total = this.hooks.faults?.nanLoss?.(epoch, step) ? Number.NaN : t.total;
    if (!Number.isFinite(total)) throw lossNotFinite(this.run_, epoch, step, total);
    return t;
  }

  private finishEpoch(): void {
    const p = this.plan;
    const epoch = this.epoch_;
    this.run_.commitEpoch(epoch, this.model.stateDict(), this.optim.state(), p.describe);
    const sum: EpochSummary = {
      epoch,
      epochs: p.epochs,
      lr: this.optim.lr,
      ...meanTerms(this.epochRows),
      imagesPerSecond: this.speed.epochRate,
      seconds: (Date.now() - this.epochStart) / 1000,
    };
    this.summaries.push(sum);
    this.emit('onEpochEnd', sum);
    this.epoch_ = epoch + 1;
    this.step_ = 0;
    this.batches = undefined;
    this.optim.lr = multiStepLR(p.lr, p.milestones, this.epoch_);
    const terms = Number.isNaN(sum.discrimnLossE) ? '' : `  R ${sum.discrimnLossE.toFixed(3)}  Rc ${sum.compressLossE.toFixed(3)}`;
    this.log(
      `epoch ${epoch + 1}/${p.epochs}  loss ${sum.total.toFixed(4)}${terms}  lr ${pyFloat(sum.lr)}  ${sum.imagesPerSecond.toFixed(0)} img/s  ${formatDuration(sum.seconds)}`,
    );
    this.hooks.onEpoch?.(sum);
  }

  /** Images the network takes ([h, w]): the training transform's output size. */
  private get inputSize(): [number, number] {
    return [this.plan.build.inputShape[0], this.plan.build.inputShape[1]];
  }

  /**
   * Features of the train (after subset) or test split in inference mode, without augmentation, at
   * the current weights (mid-epoch too); labels are the clean ones. Cached until the next step.
   */
  async features(split: 'train' | 'test'): Promise<Features> {
    this.checkOpen();
    const at = this.epoch_ * this.stepsPerEpoch + this.step_;
    if (this.cache?.at !== at) this.cache = { at };
    const hit = this.cache[split];
    if (hit !== undefined) return hit;
    let ds = this.plan.train;
    if (split === 'test') {
      this.testSet ??= loadDataset(this.plan.train.name, 'test', { dataDir: this.plan.dataDir });
      ds = this.testSet;
    }
    const f = await datasetFeatures(this.model, ds, { inputSize: this.inputSize });
    this.cache[split] = f;
    return f;
  }

  /**
   * Recomputes batch norm's running statistics from one training-mode pass over the first
   * `maxImages` training images (all by default; batches of the run's batch size, no augmentation):
   * see features/recalibrate.ts. Later features() use them; a checkpoint saved after it holds them.
   */
  recalibrateBatchNorm(opts: { maxImages?: number } = {}): { layers: number; batches: number; images: number } {
    this.checkOpen();
    this.cache = undefined;
    return recalibrateBatchNorm(this.model, this.plan.train, {
      batchSize: this.plan.batchSize,
      maxImages: opts.maxImages,
      inputSize: this.inputSize,
    });
  }

  /**
   * Judges the current features as evaluate.py does (lib/evaluate/methods.ts, what evaluateRun
   * runs): classifiers fit on the train features with the labels training used (corrupted, if
   * asked) and scored on the clean test labels. Default: kNN (k 5) and nearest subspace (30
   * components), the official defaults.
   */
  async evaluate<O extends TrainerEvaluateOptions = { knn: true; nearsub: true }>(
    opts: O = { knn: true, nearsub: true } as O,
  ): Promise<EvaluationOf<O>> {
    const train = await this.features('train');
    const test = await this.features('test');
    const ev = await evaluateFeatures({ ...train, labels: this.plan.trainLabels }, test, {
      knn: !!opts.knn,
      k: typeof opts.knn === 'number' ? opts.knn : undefined,
      nearsub: !!opts.nearsub,
      nComp: typeof opts.nearsub === 'number' ? opts.nearsub : undefined,
      svm: opts.svm === true,
      logits: this.plan.build.logits !== undefined,
      log: () => {},
    });
    const { ce: _ce, ...predictions } = ev.predictions;
    const out: TrainerEvaluation = { epoch: this.epoch_, step: this.step_, predictions, testLabels: test.labels };
    for (const k of ['ce', 'knn', 'nearsub', 'svm'] as const) if (ev[k] !== undefined) Object.assign(out, { [k]: ev[k] });
    return out as EvaluationOf<O>;
  }

  /** What a wrapper returns after run(): the engine is closed, the model handed to the caller. */
  async finish(): Promise<TrainSummary> {
    this.checkOpen();
    const summary: TrainSummary = {
      runDir: this.runDir,
      backend: this.backend,
      model: this.model,
      imagesPerSecond: this.speed.rate,
      seconds: (Date.now() - this.t0) / 1000,
      epochsRun: this.summaries.length,
      labelsChanged: this.plan.labelsChanged,
    };
    await this.release(false, 'finished');
    this.model.eval();
    return summary;
  }

  /** Stops the worker threads and frees the network and optimizer state. The run folder stays resumable. */
  async close(reason = 'closed'): Promise<void> {
    await this.release(true, reason);
  }

  private async release(disposeModel: boolean, reason: string): Promise<void> {
    if (this.closedBecause !== undefined) return;
    this.closedBecause = reason;
    this.emit('onStop');
    if (OPEN.get(path.resolve(this.runDir)) === this) OPEN.delete(path.resolve(this.runDir));
    try {
      await this.engine?.dispose();
    } finally {
      this.release_();
      this.optim.dispose();
      if (disposeModel) this.model.dispose();
      this.cache = undefined;
    }
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

/** What trainSupervised returns. */
export interface TrainResult extends TrainSummary {
  options: SupervisedOptions;
}

/** What trainSelfSup returns. */
export interface SelfSupResult extends TrainSummary {
  options: SelfSupOptions;
}

/** Supervised training to the last epoch (what `mcr2 train-sup` runs): Trainer.create, run, finish. */
export async function trainSupervised(options: Partial<SupervisedOptions> = {}, hooks: TrainHooks = {}): Promise<TrainResult> {
  const t = await Trainer.create(options, hooks);
  await t.run();
  return { ...(await t.finish()), options: t.options as SupervisedOptions };
}

/** Self-supervised training to the last epoch (what `mcr2 train-selfsup` runs). */
export async function trainSelfSup(options: Partial<SelfSupOptions> = {}, hooks: TrainHooks = {}): Promise<SelfSupResult> {
  const t = await Trainer.createSelfSup(options, hooks);
  await t.run();
  return { ...(await t.finish()), options: t.options as SelfSupOptions };
}
