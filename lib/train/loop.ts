// What supervised and self-supervised training share: opening (or resuming) the run folder, the
// engine (this thread or data-parallel workers), the epoch loop with per-step logging, progress,
// checkpoints and the learning-rate schedule.
import { describeBackend, initBackend, type BackendInfo } from '../backend/backend.js';
import type { Network } from '../models/network.js';
import { formatDuration, ProgressBar } from '../io/progress.js';
import { pyFloat } from '../io/pyformat.js';
import { RandomState } from '../math/random.js';
import { loadTensors, saveTensors } from './checkpoint.js';
import { LocalEngine, type TrainingEngine, type TrainingLoss } from './engine.js';
import { defaultWorkers, ParallelEngine } from './parallel.js';
import { RunFolder, type LossRow } from './run_folder.js';
import { multiStepLR, SGD } from './sgd.js';

export interface EpochSummary {
  epoch: number;
  epochs: number;
  lr: number;
  loss: number;
  discrimnLossE: number;
  compressLossE: number;
  discrimnLossT: number;
  compressLossT: number;
  imagesPerSecond: number;
  seconds: number;
}

export interface TrainHooks {
  /** Where lines go (default console.log). */
  log?: (line: string) => void;
  onEpoch?: (s: EpochSummary) => void;
  /** Called after every optimizer step with the row just written to losses.csv. */
  onStep?: (row: LossRow) => void;
  /** Show a terminal progress bar (when stderr is a TTY). Default true. */
  progress?: boolean;
}

/** One step's input: NHWC floats, the labels the loss sees and how many classes they range over. */
export interface StepBatch {
  data: Float32Array;
  shape: [number, number, number, number];
  labels: Int32Array;
  numClasses: number;
}

export interface LoopSpec {
  run: RunFolder;
  /** Everything params.json records; `sameRunKeys` must match for a run to be resumed. */
  params: Record<string, unknown>;
  sameRunKeys: string[];
  model: Network;
  loss: TrainingLoss;
  /** For data-parallel workers: how to rebuild the network. */
  build: { arch: string; fd: number; seed: number; inputShape: [number, number, number]; logits?: number };
  epochs: number;
  lr: number;
  mom: number;
  wd: number;
  milestones: number[];
  seed: number;
  /** Largest batch. */
  batchSize: number;
  workers: number;
  /** Rows per forward/backward chunk (0: whole slices; see chunked.ts). */
  chunk: number;
  stepsPerEpoch: number;
  /** The batches of one epoch, drawn from that epoch's generator. */
  batches(epoch: number, rng: RandomState): Iterable<StepBatch>;
  /** Also overwrite the epoch's model checkpoint every this many steps (self-supervised: 20). */
  checkpointEvery?: number;
  /** Written into each model checkpoint's metadata. */
  describe: Record<string, string>;
}

export interface LoopResult {
  backend: BackendInfo;
  imagesPerSecond: number;
  seconds: number;
  epochsRun: number;
  startEpoch: number;
}

/** Per-epoch generator: batch order and augmentations depend only on (seed, epoch), so resuming is exact. */
export function epochRng(seed: number, epoch: number): RandomState {
  return new RandomState((Math.imul(seed, 2654435761) + Math.imul(epoch + 1, 40503)) >>> 0);
}

export async function trainingBackend(log: (s: string) => void): Promise<BackendInfo> {
  const backend = await initBackend();
  log(describeBackend(backend));
  return backend;
}

/** Creates the folder, or resumes it from its last complete epoch; returns the first epoch to run. */
function openRun(s: LoopSpec, optim: SGD, log: (l: string) => void): number {
  const { run } = s;
  if (!run.exists()) {
    run.create(s.params);
    return 0;
  }
  const old = run.readParams();
  const differs = s.sameRunKeys.filter((k) => JSON.stringify(old[k]) !== JSON.stringify(s.params[k]));
  if (differs.length > 0) throw new Error(`${run.dir} exists with other parameters (${differs.join(', ')}); use --tail to name a new run`);
  // A complete epoch has its optimizer state beside the model (written after it, removed last).
  const e = run.recover();
  if (e < 0) return 0;
  s.model.loadStateDict(loadTensors(run.modelFile(e)).tensors, run.modelFile(e));
  optim.loadState(loadTensors(run.optimizerFile(e)).tensors);
  log(e + 1 >= s.epochs ? `${run.dir}: already trained for ${s.epochs} epochs` : `resuming ${run.dir} after epoch ${e}`);
  return e + 1;
}

export async function trainLoop(s: LoopSpec, backend: BackendInfo, hooks: TrainHooks = {}): Promise<LoopResult> {
  const log = hooks.log ?? ((l: string) => console.log(l));
  const { run, model } = s;
  const optim = new SGD(model.namedParameters(), { lr: s.lr, momentum: s.mom, weightDecay: s.wd });
  let engine: TrainingEngine | undefined;
  let trainMs = 0;
  let imagesSeen = 0;
  const t0 = Date.now();
  let startEpoch = 0;
  let unlock = () => {};
  try {
    unlock = run.lock();
    startEpoch = openRun(s, optim, log);
    const workers = Math.min(s.workers >= 0 ? s.workers : defaultWorkers(backend.name), Math.max(0, Math.floor(s.batchSize / 2) - 1));
    engine =
      workers > 0
        ? await ParallelEngine.create(model, optim, s.loss, {
            ...s.build,
            backend: backend.name,
            workers,
            maxBatch: s.batchSize,
            chunk: s.chunk,
          })
        : new LocalEngine(model, optim, s.loss, s.chunk);
    log(
      `model: ${s.build.arch} (fd ${s.build.fd}), ${model.numParameters().toLocaleString('en-US')} trainable parameters; ` +
        `${s.stepsPerEpoch} steps/epoch of ${s.batchSize}${workers > 0 ? `, split over ${workers + 1} threads` : ''}` +
        `${s.chunk > 0 && s.batchSize / (workers + 1) > s.chunk ? `, in chunks of ${s.chunk}` : ''}`,
    );
    log(`run folder: ${run.dir}`);
    for (let epoch = startEpoch; epoch < s.epochs; epoch++) {
      optim.lr = multiStepLR(s.lr, s.milestones, epoch);
      const bar = new ProgressBar(s.stepsPerEpoch, `epoch ${epoch + 1}/${s.epochs}`, hooks.progress ?? true);
      const sums = [0, 0, 0, 0, 0];
      const e0 = Date.now();
      let epochMs = 0;
      let images = 0;
      let step = 0;
      model.train();
      for (const b of s.batches(epoch, epochRng(s.seed, epoch))) {
        const s0 = performance.now();
        const t = run.guardStep(epoch, step, () => engine!.step(b.data, b.shape, b.labels, b.numClasses));
        epochMs += performance.now() - s0;
        images += b.shape[0];
        const row: LossRow = {
          epoch,
          step,
          loss: t.total,
          discrimnLossE: t.discrimnLossE,
          compressLossE: t.compressLossE,
          discrimnLossT: t.discrimnLossT,
          compressLossT: t.compressLossT,
        };
        run.appendLoss(row);
        hooks.onStep?.(row);
        sums[0] += t.total;
        sums[1] += t.discrimnLossE;
        sums[2] += t.compressLossE;
        sums[3] += t.discrimnLossT;
        sums[4] += t.compressLossT;
        step++;
        if (s.checkpointEvery && step % s.checkpointEvery === 0 && step < s.stepsPerEpoch) {
          saveTensors(run.modelFile(epoch), model.stateDict(), { ...s.describe, epoch: String(epoch), step: String(step) });
        }
        bar.update(step, `loss ${t.total.toFixed(3)} ${(images / (epochMs / 1000)).toFixed(0)} img/s`);
      }
      bar.done();
      trainMs += epochMs;
      imagesSeen += images;
      run.commitEpoch(epoch, model.stateDict(), optim.state(), s.describe);
      const n = Math.max(step, 1);
      const sum: EpochSummary = {
        epoch,
        epochs: s.epochs,
        lr: optim.lr,
        loss: sums[0] / n,
        discrimnLossE: sums[1] / n,
        compressLossE: sums[2] / n,
        discrimnLossT: sums[3] / n,
        compressLossT: sums[4] / n,
        imagesPerSecond: images / (epochMs / 1000),
        seconds: (Date.now() - e0) / 1000,
      };
      const terms = Number.isNaN(sum.discrimnLossE) ? '' : `  R ${sum.discrimnLossE.toFixed(3)}  Rc ${sum.compressLossE.toFixed(3)}`;
      log(
        `epoch ${epoch + 1}/${s.epochs}  loss ${sum.loss.toFixed(4)}${terms}  lr ${pyFloat(sum.lr)}  ${sum.imagesPerSecond.toFixed(0)} img/s  ${formatDuration(sum.seconds)}`,
      );
      hooks.onEpoch?.(sum);
    }
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    await engine?.dispose();
    optim.dispose();
    unlock();
  }
  model.eval();
  return {
    backend,
    startEpoch,
    imagesPerSecond: trainMs > 0 ? imagesSeen / (trainMs / 1000) : 0,
    seconds: (Date.now() - t0) / 1000,
    epochsRun: Math.max(0, s.epochs - startEpoch),
  };
}

/** Weights of another run's checkpoint (--pretrain_dir/--pretrain_epo), with its arch and fd. */
export function pretrainedWeights(
  dir: string,
  epoch: number | null | undefined,
): { arch: string; fd: number; state: Map<string, { shape: number[]; data: Float32Array }>; file: string } {
  const prev = new RunFolder(dir);
  const pp = prev.readParams();
  const ck = prev.resolveCheckpoint(epoch ?? undefined);
  return { arch: String(pp.arch), fd: Number(pp.fd), state: loadTensors(ck.file).tensors, file: ck.file };
}
