// Self-supervised MCR² (train_selfsup.py, "MCR²-CTRL"): every batch is num_img images x aug views
// (lib/data/augment.ts) and the loss treats each image's views as one class, so features of one
// image's augmentations are compressed together while different images are spread apart.
import * as path from 'node:path';
import type { BackendInfo } from '../backend/backend.js';
import { AugmentLoader, type SamplerName } from '../data/augment.js';
import { getTransform } from '../data/batches.js';
import { firstN, loadDataset, normaliseDatasetName } from '../data/index.js';
import { MaximalCodingRateReduction } from '../loss/mcr2.js';
import { archDefaultChunk } from '../models/index.js';
import { createNetwork, type Network } from '../models/network.js';
import { defaultDataDir, defaultSaveDir } from '../io/paths.js';
import { pyFloat, pyInt } from '../io/pyformat.js';
import { pretrainedWeights, trainingBackend, trainLoop, type TrainHooks } from './loop.js';
import { RunFolder } from './run_folder.js';

/** train_selfsup.py's arguments (snake_case, as in params.json). */
export interface SelfSupConfig {
  arch: string;
  fd: number;
  data: string;
  epo: number;
  bs: number;
  aug: number;
  lr: number;
  mom: number;
  wd: number;
  gam1: number;
  gam2: number;
  eps: number;
  tail: string;
  transform: string;
  sampler: SamplerName;
  pretrain_dir: string | null;
  pretrain_epo: number | null;
  save_dir: string;
  data_dir: string;
  /** Official: hard-coded [30, 60]. */
  milestones: number[];
  seed: number;
  /** random sampler: a seeded sample of images each epoch instead of dataset order (official: off). */
  shuffle: boolean;
  /** First N training images only (0 = all). */
  subset: number;
  workers: number;
  /** Rows per forward/backward chunk; −1: the architecture's default (bounded memory), 0: none. */
  chunk: number;
}

/** The official code's defaults (train_selfsup.py as shipped). */
export const SELFSUP_DEFAULTS: SelfSupConfig = {
  arch: 'resnet18',
  fd: 32,
  data: 'cifar10',
  epo: 50,
  bs: 1000,
  aug: 50,
  lr: 0.001,
  mom: 0.9,
  wd: 5e-4,
  gam1: 1.0,
  gam2: 10,
  eps: 2,
  tail: '',
  transform: 'default',
  sampler: 'random',
  pretrain_dir: null,
  pretrain_epo: null,
  save_dir: './saved_models/',
  data_dir: './data/',
  milestones: [30, 60],
  seed: 0,
  shuffle: false,
  subset: 0,
  workers: -1,
  chunk: -1,
};

/** selfsup_{arch}+{fd}_{data}_epo{epo}_bs{bs}_aug{aug}+{transform}_lr{lr}_mom{mom}_wd{wd}_gam1{gam1}_gam2{gam2}_eps{eps}{tail} */
export function selfsupRunName(c: SelfSupConfig): string {
  return (
    `selfsup_${c.arch}+${pyInt(c.fd)}_${c.data}_epo${pyInt(c.epo)}_bs${pyInt(c.bs)}_aug${pyInt(c.aug)}+${c.transform}_lr${pyFloat(c.lr)}` +
    `_mom${pyFloat(c.mom)}_wd${pyFloat(c.wd)}_gam1${pyFloat(c.gam1)}_gam2${pyFloat(c.gam2)}_eps${pyFloat(c.eps)}${c.tail}`
  );
}

const SAME_RUN_KEYS: Array<keyof SelfSupConfig> = [
  'arch',
  'fd',
  'data',
  'epo',
  'bs',
  'aug',
  'lr',
  'mom',
  'wd',
  'gam1',
  'gam2',
  'eps',
  'transform',
  'sampler',
  'milestones',
  'seed',
  'shuffle',
  'subset',
];

export interface SelfSupResult {
  runDir: string;
  config: SelfSupConfig;
  backend: BackendInfo;
  model: Network;
  imagesPerSecond: number;
  seconds: number;
  epochsRun: number;
}

export async function trainSelfSup(config: Partial<SelfSupConfig>, hooks: TrainHooks = {}): Promise<SelfSupResult> {
  const log = hooks.log ?? ((l: string) => console.log(l));
  const c: SelfSupConfig = { ...SELFSUP_DEFAULTS, save_dir: defaultSaveDir(), data_dir: defaultDataDir(), ...config };
  c.data = normaliseDatasetName(c.data);
  for (const k of ['epo', 'bs', 'aug', 'fd'] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 1) throw new Error(`--${k} must be a positive integer, got ${c[k]}`);
  }
  const backend = await trainingBackend(log);
  const pre = c.pretrain_dir ? pretrainedWeights(c.pretrain_dir, c.pretrain_epo) : undefined;
  if (pre) {
    c.arch = pre.arch;
    c.fd = pre.fd;
  }
  const train = firstN(loadDataset(c.data, 'train', { dataDir: c.data_dir }), c.subset);
  const transform = getTransform(c.transform);
  const loader = new AugmentLoader(train, { batchSize: c.bs, numAug: c.aug, transform, sampler: c.sampler, shuffle: c.shuffle });
  const inputShape: [number, number, number] = [train.height, train.width, train.channels];
  const model = createNetwork(c.arch, c.fd, { seed: c.seed, inputShape });
  if (pre) model.loadStateDict(pre.state, pre.file);
  log(
    `data: ${train.name} train, ${train.n} images ${train.height}x${train.width}x${train.channels} from ${train.source}; ` +
      `${loader.numImg} images x ${c.aug} views per batch (${c.transform}, ${c.sampler} sampler)`,
  );
  const run = new RunFolder(path.join(c.save_dir, selfsupRunName(c)));
  const r = await trainLoop(
    {
      run,
      params: { ...c },
      sameRunKeys: SAME_RUN_KEYS,
      model,
      loss: new MaximalCodingRateReduction({ gam1: c.gam1, gam2: c.gam2, eps: c.eps }),
      build: { arch: c.arch, fd: c.fd, seed: c.seed, inputShape },
      epochs: c.epo,
      lr: c.lr,
      mom: c.mom,
      wd: c.wd,
      milestones: c.milestones,
      seed: c.seed,
      batchSize: loader.numImg * c.aug,
      workers: c.workers,
      chunk: c.chunk >= 0 ? c.chunk : archDefaultChunk(c.arch),
      stepsPerEpoch: loader.steps,
      batches: function* (_epoch, rng) {
        for (const b of loader.epoch(rng)) yield { data: b.data, shape: b.shape, labels: b.batchIdx, numClasses: loader.numImg };
      },
      checkpointEvery: 20,
      describe: { arch: c.arch, fd: String(c.fd), loss: 'mcr2-selfsup', format: 'mcr2-ts NHWC; conv [kh,kw,in,out], linear [in,out]' },
    },
    backend,
    hooks,
  );
  return { runDir: run.dir, config: c, backend, model, imagesPerSecond: r.imagesPerSecond, seconds: r.seconds, epochsRun: r.epochsRun };
}
