// Supervised MCR² training (train_sup.py): the flags, defaults, folder name, logs and checkpoints
// of the official script, plus --milestones, --seed and resuming an interrupted run.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeBackend, initBackend, type BackendInfo } from '../backend.js';
import { corruptLabels, countChanged } from '../data/corrupt.js';
import { getTransform, imageBatchData } from '../data/batches.js';
import { firstN, loadDataset, normaliseDatasetName } from '../data/index.js';
import { MaximalCodingRateReduction } from '../loss.js';
import { createModel, type FeatureNet } from '../models/index.js';
import { defaultDataDir, defaultSaveDir } from '../paths.js';
import { formatDuration, ProgressBar } from '../progress.js';
import { pyFloat, pyInt } from '../pyformat.js';
import { RandomState } from '../random.js';
import { loadTensors, saveTensors } from './checkpoint.js';
import { LocalEngine, type TrainingEngine } from './engine.js';
import { defaultWorkers, ParallelEngine } from './parallel.js';
import { RunFolder, type LossRow } from './run_folder.js';
import { multiStepLR, SGD } from './sgd.js';

/** train_sup.py's arguments (snake_case, as they appear in params.json). */
export interface SupervisedConfig {
  arch: string;
  fd: number;
  data: string;
  epo: number;
  bs: number;
  lr: number;
  mom: number;
  wd: number;
  gam1: number;
  gam2: number;
  eps: number;
  corrupt: string;
  lcr: number;
  lcs: number;
  tail: string;
  transform: string;
  save_dir: string;
  data_dir: string;
  pretrain_dir: string | null;
  pretrain_epo: number | null;
  /** Epochs after which the learning rate is multiplied by 0.1 (official: hard-coded [200, 400, 600]). */
  milestones: number[];
  /** Seed of the initial weights, batch order and augmentations. */
  seed: number;
  /** A fresh seeded permutation every epoch (the official loader does not shuffle). */
  shuffle: boolean;
  /** Train on the first N training images only (0 = all); for quick runs. */
  subset: number;
  /** Data-parallel worker threads besides this one; −1: one per extra core on wasm/cpu (MCR2_WORKERS). */
  workers: number;
}

/** The official code's defaults (train_sup.py as shipped, not its README's help text). */
export const SUPERVISED_DEFAULTS: SupervisedConfig = {
  arch: 'resnet18',
  fd: 128,
  data: 'cifar10',
  epo: 800,
  bs: 1000,
  lr: 0.001,
  mom: 0.9,
  wd: 5e-4,
  gam1: 1.0,
  gam2: 1.0,
  eps: 0.5,
  corrupt: 'default',
  lcr: 0.0,
  lcs: 10,
  tail: '',
  transform: 'default',
  save_dir: './saved_models/',
  data_dir: './data/',
  pretrain_dir: null,
  pretrain_epo: null,
  milestones: [200, 400, 600],
  seed: 0,
  shuffle: true,
  subset: 0,
  workers: -1,
};

/** The official folder name: sup_{arch}+{fd}_{data}_epo{epo}_bs{bs}_lr{lr}_mom{mom}_wd{wd}_gam1{gam1}_gam2{gam2}_eps{eps}_lcr{lcr}{tail}. */
export function supervisedRunName(c: SupervisedConfig): string {
  return `sup_${c.arch}+${pyInt(c.fd)}_${c.data}_epo${pyInt(c.epo)}_bs${pyInt(c.bs)}_lr${pyFloat(c.lr)}_mom${pyFloat(c.mom)}` +
    `_wd${pyFloat(c.wd)}_gam1${pyFloat(c.gam1)}_gam2${pyFloat(c.gam2)}_eps${pyFloat(c.eps)}_lcr${pyFloat(c.lcr)}${c.tail}`;
}

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

export interface TrainResult {
  runDir: string;
  config: SupervisedConfig;
  backend: BackendInfo;
  model: FeatureNet;
  /** Training images per second over the steps run in this call (excludes checkpointing). */
  imagesPerSecond: number;
  seconds: number;
  epochsRun: number;
  labelsChanged: number;
}

const SAME_RUN_KEYS: Array<keyof SupervisedConfig> = ['arch', 'fd', 'data', 'epo', 'bs', 'lr', 'mom', 'wd', 'gam1', 'gam2', 'eps', 'corrupt', 'lcr', 'lcs', 'transform', 'milestones', 'seed', 'shuffle', 'subset'];

function validate(c: SupervisedConfig): void {
  const posInt = (k: keyof SupervisedConfig) => {
    const v = c[k] as number;
    if (!Number.isInteger(v) || v < 1) throw new Error(`--${k} must be a positive integer, got ${v}`);
  };
  posInt('epo');
  posInt('bs');
  posInt('fd');
  if (!(c.lcr >= 0 && c.lcr <= 1)) throw new Error(`--lcr must be in [0, 1], got ${c.lcr}`);
  if (!Number.isInteger(c.subset) || c.subset < 0) throw new Error(`--subset must be an integer ≥ 0, got ${c.subset}`);
  if (c.milestones.some((m) => !Number.isInteger(m) || m < 0)) throw new Error(`--milestones must be epoch numbers, got ${c.milestones}`);
}

/** Per-epoch generator: batch order and augmentations depend only on (seed, epoch), so resuming is exact. */
function epochRng(seed: number, epoch: number): RandomState {
  return new RandomState((Math.imul(seed, 2654435761) + Math.imul(epoch + 1, 40503)) >>> 0);
}

export async function trainSupervised(config: Partial<SupervisedConfig>, hooks: TrainHooks = {}): Promise<TrainResult> {
  const log = hooks.log ?? ((s: string) => console.log(s));
  const c: SupervisedConfig = { ...SUPERVISED_DEFAULTS, save_dir: defaultSaveDir(), data_dir: defaultDataDir(), ...config };
  c.data = normaliseDatasetName(c.data);
  validate(c);
  const backend = await initBackend();
  log(describeBackend(backend));

  // Pretrained start: arch and fd come from the earlier run, as the official code does.
  let pretrained: { state: Map<string, { shape: number[]; data: Float32Array }>; file: string } | undefined;
  if (c.pretrain_dir) {
    const prev = new RunFolder(c.pretrain_dir);
    const pp = prev.readParams();
    c.arch = String(pp.arch);
    c.fd = Number(pp.fd);
    const ck = prev.resolveCheckpoint(c.pretrain_epo ?? undefined);
    pretrained = { state: loadTensors(ck.file).tensors, file: ck.file };
  }

  const train = firstN(loadDataset(c.data, 'train', { dataDir: c.data_dir }), c.subset);
  const labels = corruptLabels(train.labels, c.corrupt, c.lcr, c.lcs);
  const labelsChanged = countChanged(labels, train.labels);
  const transform = getTransform(c.transform);
  const [oh, ow] = transform.outSize(train.height, train.width);
  const model = createModel(c.arch, c.fd, { seed: c.seed, inputShape: [oh, ow, train.channels] });
  if (pretrained) model.loadStateDict(pretrained.state, pretrained.file);
  const named = model.namedParameters();
  const optim = new SGD(named, { lr: c.lr, momentum: c.mom, weightDecay: c.wd });
  const loss = new MaximalCodingRateReduction({ gam1: c.gam1, gam2: c.gam2, eps: c.eps });

  const run = new RunFolder(path.join(c.save_dir, supervisedRunName(c)));
  let startEpoch = 0;
  if (run.exists()) {
    const old = run.readParams();
    const differs = SAME_RUN_KEYS.filter((k) => JSON.stringify(old[k]) !== JSON.stringify(c[k]));
    if (differs.length > 0) {
      throw new Error(`${run.dir} exists with other parameters (${differs.join(', ')}); use --tail to name a new run`);
    }
    const done = run.checkpointEpochs().filter((e) => fs.existsSync(run.optimizerFile(e)));
    if (done.length > 0) {
      const e = done[done.length - 1];
      model.loadStateDict(loadTensors(run.modelFile(e)).tensors, run.modelFile(e));
      optim.loadState(loadTensors(run.optimizerFile(e)).tensors);
      startEpoch = e + 1;
      run.truncateLosses(e);
      log(startEpoch >= c.epo ? `${run.dir}: already trained for ${c.epo} epochs` : `resuming ${run.dir} after epoch ${e}`);
    } else {
      run.truncateLosses(-1);
    }
  } else {
    run.create({ ...c });
  }

  const steps = Math.floor(train.n / c.bs);
  if (steps === 0) throw new Error(`--bs ${c.bs} is larger than the training set (${train.n} images)`);
  const workers = Math.min(c.workers >= 0 ? c.workers : defaultWorkers(backend.name), Math.max(0, Math.floor(c.bs / 2) - 1));
  const engine: TrainingEngine = workers > 0
    ? await ParallelEngine.create(model, optim, loss, { arch: c.arch, fd: c.fd, seed: c.seed, inputShape: [oh, ow, train.channels], backend: backend.name, workers, maxBatch: c.bs })
    : new LocalEngine(model, optim, loss);
  log(`data: ${train.name} train, ${train.n} images ${train.height}x${train.width}x${train.channels} from ${train.source}` +
    (c.lcr > 0 ? `; labels corrupted (${c.corrupt}, ratio ${c.lcr}, seed ${c.lcs}): ${labelsChanged} changed` : ''));
  log(`model: ${c.arch} (fd ${c.fd}), ${model.numParameters().toLocaleString('en-US')} trainable parameters; ${steps} steps/epoch of ${c.bs}` +
    (workers > 0 ? `, split over ${workers + 1} threads` : ''));
  log(`run folder: ${run.dir}`);

  let trainMs = 0;
  let imagesSeen = 0;
  const t0 = Date.now();
  try {
    for (let epoch = startEpoch; epoch < c.epo; epoch++) {
      optim.lr = multiStepLR(c.lr, c.milestones, epoch);
      const rng = epochRng(c.seed, epoch);
      const order = c.shuffle ? rng.permutation(train.n) : Int32Array.from({ length: train.n }, (_, i) => i);
      const bar = new ProgressBar(steps, `epoch ${epoch + 1}/${c.epo}`, hooks.progress ?? true);
      const sums = [0, 0, 0, 0, 0];
      const e0 = Date.now();
      let epochMs = 0;
      model.train();
      for (let step = 0; step < steps; step++) {
        const s0 = performance.now();
        const idx = order.subarray(step * c.bs, (step + 1) * c.bs);
        const y = new Int32Array(idx.length);
        for (let i = 0; i < idx.length; i++) y[i] = labels[idx[i]];
        const { data, shape } = imageBatchData(train, idx, transform, rng);
        const t = engine.step(data, shape, y, train.numClasses);
        const total = t.total;
        if (!Number.isFinite(total)) throw new Error(`epoch ${epoch} step ${step}: loss is ${total}; lower --lr or raise --eps`);
        const row: LossRow = { epoch, step, loss: total, discrimnLossE: t.discrimnLossE, compressLossE: t.compressLossE, discrimnLossT: t.discrimnLossT, compressLossT: t.compressLossT };
        run.appendLoss(row);
        hooks.onStep?.(row);
        sums[0] += total;
        sums[1] += t.discrimnLossE;
        sums[2] += t.compressLossE;
        sums[3] += t.discrimnLossT;
        sums[4] += t.compressLossT;
        const ms = performance.now() - s0;
        epochMs += ms;
        imagesSeen += idx.length;
        bar.update(step + 1, `loss ${total.toFixed(3)} ${((c.bs * (step + 1)) / (epochMs / 1000)).toFixed(0)} img/s`);
      }
      bar.done();
      trainMs += epochMs;
      // Optimizer state first: a model checkpoint with no optimizer state beside it is not resumed from.
      saveTensors(run.optimizerFile(epoch), optim.state(), { epoch: String(epoch) });
      saveTensors(run.modelFile(epoch), model.stateDict(), { epoch: String(epoch), arch: c.arch, fd: String(c.fd), format: 'mcr2-ts NHWC; conv [kh,kw,in,out], linear [in,out]' });
      if (epoch > 0) fs.rmSync(run.optimizerFile(epoch - 1), { force: true });
      const s: EpochSummary = {
        epoch, epochs: c.epo, lr: optim.lr,
        loss: sums[0] / steps, discrimnLossE: sums[1] / steps, compressLossE: sums[2] / steps, discrimnLossT: sums[3] / steps, compressLossT: sums[4] / steps,
        imagesPerSecond: (steps * c.bs) / (epochMs / 1000), seconds: (Date.now() - e0) / 1000,
      };
      log(`epoch ${epoch + 1}/${c.epo}  loss ${s.loss.toFixed(4)}  R ${s.discrimnLossE.toFixed(3)}  Rc ${s.compressLossE.toFixed(3)}  ` +
        `lr ${pyFloat(s.lr)}  ${s.imagesPerSecond.toFixed(0)} img/s  ${formatDuration(s.seconds)}`);
      hooks.onEpoch?.(s);
    }
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    await engine.dispose();
    optim.dispose();
  }
  model.eval();
  return {
    runDir: run.dir, config: c, backend, model,
    imagesPerSecond: trainMs > 0 ? imagesSeen / (trainMs / 1000) : 0,
    seconds: (Date.now() - t0) / 1000,
    epochsRun: Math.max(0, c.epo - startEpoch),
    labelsChanged,
  };
}
