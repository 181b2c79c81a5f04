// The one training loop, as an object a notebook steps through cell by cell:
//   const t = await Trainer.create({ arch: 'cnn-small', data: 'mnist', epochs: 2 });
//   await t.runEpoch(); t.losses(); t.epoch; await t.evaluate(); t.lossFigure();
//   await t.runSteps(10); await t.run(); await t.close();
// It only steps and commits epochs; the rest is callbacks (callbacks.ts) and probes of the current
// weights (probes.ts). Opening: open.ts; resuming, locking and stopping: docs/training.md.
import type { BackendInfo } from '../accel/backend.js';
import type { Features } from '../data/features.js';
import { displayPath } from '../io/paths.js';
import { type LossRow, lossTerms } from '../loss/terms.js';
import type { Network } from '../models/network.js';
import { type Figure, lossFigure } from '../plot/figure.js';
import type { RunFolder } from '../runs/run_folder.js';
import { CallbackList, type EpochSummary, type LoopState, type SpeedMeter, type TrainHooks, trainerCallbacks } from './callbacks.js';
import type { TrainingEngine } from './engine.js';
import { folderMaker, type PlanMaker, type SelfSupInput, type SupervisedInput, selfsupMaker, supervisedMaker } from './kinds.js';
import type { CommonTrainOptions } from './options.js';
import { closedError, type OpenedRun, openRun } from './open.js';
import { createEngine } from './parallel.js';
import { epochRng, type StepBatch, type TrainingPlan } from './plan.js';
import { type EvaluationOf, type TrainerEvaluateOptions, WeightsProbe } from './probes.js';
import type { TrainSummary } from './run.js';
import type { SelfSupOptions } from './selfsup.js';
import type { SGD } from './sgd.js';
import type { SupervisedOptions } from './supervised.js';

const nextTick = () => new Promise<void>((r) => setImmediate(r));

export class Trainer<O extends CommonTrainOptions = CommonTrainOptions> {
  readonly runDir: string;
  readonly kind: 'supervised' | 'selfsup';
  /** The network being trained (train mode during steps; features() switches to eval and back). */
  readonly model: Network;
  /** Epochs in the run (the options' `epochs`) and steps in each. */
  readonly epochs: number;
  readonly stepsPerEpoch: number;
  /** The first epoch this trainer ran (after the complete ones found in the folder). */
  readonly startEpoch: number;
  readonly backend: BackendInfo;
  /** The resolved options (SupervisedOptions or SelfSupOptions, camelCase). */
  readonly options: O;
  /** Labels of the training set changed by label corruption. */
  readonly labelsChanged: number;
  private readonly plan: TrainingPlan<O>;
  private readonly run_: RunFolder;
  private readonly optim: SGD;
  private readonly log: (l: string) => void;
  private readonly speed: SpeedMeter;
  private readonly callbacks: CallbackList;
  private readonly release_: () => void;
  private readonly t0 = Date.now();
  private readonly summaries: EpochSummary[] = [];
  private engine?: TrainingEngine;
  private epoch_: number;
  private step_ = 0;
  private batches?: Iterator<StepBatch>;
  private closedBecause?: string;
  private stopRequested = false;
  /** Opening already said the run is complete: the first loop() need not say it again. */
  private saidDone = false;
  private readonly probe: WeightsProbe;

  private constructor(o: OpenedRun<O>, hooks: TrainHooks) {
    ({ plan: this.plan, backend: this.backend, run: this.run_, release: this.release_, optim: this.optim, log: this.log } = o);
    ({ runDir: this.runDir, kind: this.kind, model: this.model, epochs: this.epochs, stepsPerEpoch: this.stepsPerEpoch } = o.plan);
    ({ options: this.options, labelsChanged: this.labelsChanged } = o.plan);
    [this.epoch_, this.startEpoch, this.saidDone] = [o.startEpoch, o.startEpoch, o.saidDone];
    const { speed, list } = trainerCallbacks(hooks, o.plan);
    this.speed = speed;
    this.callbacks = new CallbackList(list, () => this.state);
    this.probe = new WeightsProbe(o.plan);
  }

  /** Supervised training (train_sup.py): creates the run folder, or resumes it from its last complete epoch. */
  static async create(options: SupervisedInput = {}, hooks: TrainHooks = {}): Promise<Trainer<SupervisedOptions>> {
    return Trainer.start(supervisedMaker(options), hooks);
  }

  /** Self-supervised training (train_selfsup.py), likewise. */
  static async createSelfSup(options: SelfSupInput = {}, hooks: TrainHooks = {}): Promise<Trainer<SelfSupOptions>> {
    return Trainer.start(selfsupMaker(options), hooks);
  }

  /** An existing run folder, resumed with the options its params.json records; overrides: those that may differ (workers, dataDir, ...). */
  static async open(
    runDir: string,
    overrides: SupervisedInput | SelfSupInput = {},
    hooks: TrainHooks = {},
  ): Promise<Trainer<SupervisedOptions | SelfSupOptions>> {
    return Trainer.start(folderMaker(runDir, overrides), hooks);
  }

  /** Opens the run (open.ts), then starts the engine (one thread or data-parallel workers) and tells the callbacks. */
  private static async start<P extends CommonTrainOptions>(makePlan: PlanMaker<P>, hooks: TrainHooks): Promise<Trainer<P>> {
    const t = new Trainer(await openRun(makePlan, hooks), hooks);
    try {
      t.engine = await createEngine(t.plan, t.optim, t.backend.name, t.log);
      t.log(`run folder: ${displayPath(t.runDir)}`);
      for (const c of t.callbacks.list) await c.onOpen?.(t);
    } catch (e) {
      await t.close();
      throw e;
    }
    return t;
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
    await this.loop(() => rows.length < n, rows);
    return rows;
  }

  /** Runs the epoch under way to its end (a whole epoch between epochs); its summary, or undefined if none ended. */
  async runEpoch(): Promise<EpochSummary | undefined> {
    const [target, before] = [this.epoch_, this.summaries.length];
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
    if (this.closedBecause !== undefined) throw closedError(this.closedBecause, this.runDir);
  }

  /** What callbacks see of the loop now. */
  private get state(): LoopState {
    const { epoch_: epoch, step_: step, epochs, stepsPerEpoch, model, run_: run, log, plan } = this;
    return { epoch, step, epochs, stepsPerEpoch, model, run, log, describe: plan.describe, trainer: this, stop: () => this.interrupt() };
  }

  private async loop(more: () => boolean, rows?: LossRow[]): Promise<void> {
    this.checkOpen();
    if (this.done) {
      if (!this.saidDone) this.log(`${displayPath(this.runDir)}: already trained for ${this.epochs} epochs`);
      this.saidDone = false;
      return;
    }
    this.stopRequested = false;
    await this.callbacks.emit('onRunStart');
    try {
      // Steps run after the calling cell's synchronous part: tslab breaks synchronous cell code on
      // SIGINT (mid-step), not callbacks, where StopOnInterrupt stops between steps instead.
      await nextTick();
      while (!this.done && more()) {
        const row = await this.takeStep();
        rows?.push(row);
        if (this.step_ === this.stepsPerEpoch) await this.finishEpoch();
        await nextTick(); // lets a signal (kernel interrupt) and other callbacks through between steps
        if (this.stopRequested) {
          await this.callbacks.emit('onStop');
          this.log(
            `interrupted at epoch ${this.epoch_ + 1}, step ${this.step_}/${this.stepsPerEpoch}; runEpoch() or runSteps() continues from here`,
          );
          break;
        }
      }
    } catch (e) {
      await this.close(`a step failed: ${e instanceof Error ? e.message : String(e)}`);
      throw e;
    } finally {
      await this.callbacks.emit('onRunEnd');
    }
  }

  private async takeStep(): Promise<LossRow> {
    const [p, epoch] = [this.plan, this.epoch_];
    if (this.batches === undefined) {
      this.optim.lr = p.lrAt(epoch);
      this.batches = p.batches(epoch, epochRng(p.seed, epoch))[Symbol.iterator]();
      this.step_ = 0;
      await this.callbacks.emit('onEpochStart');
    }
    this.model.train();
    const next = this.batches.next();
    if (next.done) throw new Error(`epoch ${epoch}: the data gave ${this.step_} batches, expected ${p.stepsPerEpoch}`);
    const b = next.value;
    const s0 = performance.now();
    let terms: ReturnType<TrainingEngine['step']>;
    try {
      terms = this.engine!.step(b.data, b.shape, b.labels, b.numClasses);
    } catch (e) {
      throw this.callbacks.stepError(e);
    }
    const step = { row: { epoch, step: this.step_, ...lossTerms(terms) }, images: b.shape[0], ms: performance.now() - s0 };
    this.callbacks.check(step);
    this.run_.appendLoss(step.row);
    this.step_++;
    await this.callbacks.stepEnd(step);
    return step.row;
  }

  private async finishEpoch(): Promise<void> {
    const [p, epoch, lr] = [this.plan, this.epoch_, this.optim.lr];
    this.run_.commitEpoch(epoch, this.model.stateDict(), this.optim.state(), p.describe);
    const sum = this.speed.summary(epoch, p.epochs, lr);
    this.summaries.push(sum);
    [this.epoch_, this.step_, this.batches] = [epoch + 1, 0, undefined];
    this.optim.lr = p.lrAt(this.epoch_);
    await this.callbacks.epochEnd(sum);
  }

  /** Features of the train (after subset) or test split at the current weights, in inference mode, clean labels (probes.ts). */
  async features(split: 'train' | 'test'): Promise<Features> {
    this.checkOpen();
    return this.probe.features(split, this.epoch_ * this.stepsPerEpoch + this.step_);
  }

  /** Batch norm's running statistics recomputed from the training images (probes.ts; later features() use them). */
  recalibrateBatchNorm(opts: { maxImages?: number } = {}): { layers: number; batches: number; images: number } {
    this.checkOpen();
    return this.probe.recalibrate(opts);
  }

  /** Judges the current features as evaluate.py does (probes.ts); default: kNN (k 5) and nearest subspace (30 components). */
  async evaluate<E extends TrainerEvaluateOptions = { knn: true; nearsub: true }>(opts?: E): Promise<EvaluationOf<E>> {
    this.checkOpen();
    return this.probe.evaluate(opts, { epoch: this.epoch_, step: this.step_ }, this.epoch_ * this.stepsPerEpoch + this.step_);
  }

  /** What a wrapper returns after run(): the engine is closed, the model handed to the caller. */
  async finish(): Promise<TrainSummary> {
    this.checkOpen();
    const { runDir, backend, model, labelsChanged, speed, summaries } = this;
    const seconds = (Date.now() - this.t0) / 1000;
    const summary = { runDir, backend, model, labelsChanged, seconds, imagesPerSecond: speed.rate, epochsRun: summaries.length };
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
    await this.callbacks.emit('onStop');
    try {
      await this.engine?.dispose();
    } finally {
      this.release_();
      this.optim.dispose();
      if (disposeModel) this.model.dispose();
      this.probe.clear();
    }
    for (const c of this.callbacks.list) await c.onClose?.(this);
  }
}
