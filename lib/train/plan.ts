// What a Trainer runs, whichever the kind of training: supervised (supervised.ts) and
// self-supervised (selfsup.ts) each build one plan; lib/train/trainer.ts runs every plan the same way.
import { getTransform } from '../data/batches.js';
import type { ImageDataset } from '../data/dataset.js';
import { firstN, loadDataset } from '../data/index.js';
import type { Transform } from '../data/transforms.js';
import { defaultDataDir, displayPath } from '../io/paths.js';
import { loadTensors, type TensorMap } from '../io/safetensors.js';
import type { TrainingLoss } from '../loss/mcr2.js';
import { RandomState } from '../math/random.js';
import { readTorchCheckpoint, type TorchStateDict } from '../io/torch.js';
import { archDefaultChunk } from '../models/index.js';
import { createNetwork, type Network } from '../models/network.js';
import type { Module } from '../models/nn.js';
import { loadTorchStateDict } from '../models/torch_state.js';
import { RunFolder } from '../runs/run_folder.js';
import { isTorchCheckpoint } from '../runs/model_checkpoint.js';
import type { CommonTrainOptions } from './options.js';
import { lrSchedule } from './sgd.js';

/** One step's input: NHWC floats, the labels the loss sees and how many classes they range over. */
export interface StepBatch {
  data: Float32Array;
  shape: [number, number, number, number];
  labels: Int32Array;
  numClasses: number;
}

export interface TrainingPlan<O extends CommonTrainOptions = CommonTrainOptions> {
  kind: 'supervised' | 'selfsup';
  /** The resolved options (SupervisedOptions or SelfSupOptions). */
  options: O;
  runDir: string;
  /** Everything params.json records (official snake_case keys); `sameRunKeys` must match to resume. */
  params: Record<string, unknown>;
  sameRunKeys: string[];
  model: Network;
  loss: TrainingLoss;
  /** For data-parallel workers: how to rebuild the network. */
  build: { arch: string; fd: number; seed: number; inputShape: [number, number, number]; logits?: number };
  epochs: number;
  /** The first learning rate, and the one of each (0-based) epoch (sgd.ts: MultiStepLR). */
  lr: number;
  lrAt(epoch: number): number;
  momentum: number;
  weightDecay: number;
  seed: number;
  /** Largest batch. */
  batchSize: number;
  /** [h, w] the network takes (build.inputShape's). */
  inputSize: [number, number];
  workers: number;
  /** Rows per forward/backward chunk (0: whole slices; see chunked.ts). */
  chunk: number;
  stepsPerEpoch: number;
  /** The training images (after subset) and the labels training uses (corrupted, if asked). */
  train: ImageDataset;
  trainLabels: Int32Array;
  labelsChanged: number;
  dataDir: string;
  /** The batches of one epoch, drawn from that epoch's generator. */
  batches(epoch: number, rng: RandomState): Iterable<StepBatch>;
  /** Also overwrite the epoch's model checkpoint every this many steps (self-supervised: 20). */
  checkpointEvery?: number;
  /** Written into each model checkpoint's metadata. */
  describe: Record<string, string>;
}

/** Per-epoch generator: batch order and augmentations depend only on (seed, epoch), so resuming is exact. */
export function epochRng(seed: number, epoch: number): RandomState {
  return new RandomState((Math.imul(seed, 2654435761) + Math.imul(epoch + 1, 40503)) >>> 0);
}

/** Weights of another run's checkpoint (pretrainDir / pretrainEpoch), with its arch and fd. */
export function pretrainedWeights(
  dir: string,
  epoch: number | null | undefined,
): { arch: string; fd: number; file: string; load: (model: Module) => void } {
  const prev = new RunFolder(dir);
  const pp = prev.readParams();
  const ck = prev.resolveCheckpoint(epoch ?? undefined);
  // Read now, so that a bad checkpoint fails before training starts; ours or an official .pt.
  const torch = isTorchCheckpoint(ck.file);
  const state = torch ? readTorchCheckpoint(ck.file) : loadTensors(ck.file).tensors;
  const load = (model: Module) =>
    torch ? loadTorchStateDict(model, state as TorchStateDict, { where: ck.file }) : model.loadStateDict(state as TensorMap, ck.file);
  return { arch: String(pp.arch), fd: Number(pp.fd), file: ck.file, load };
}

/** Written into each model checkpoint's metadata: how the tensors are laid out. */
export const CHECKPOINT_FORMAT = 'mcr2-ts NHWC; conv [kh,kw,in,out], linear [in,out]';

/** What both kinds of training prepare alike before their own batches. */
export interface TrainingData {
  /** The pretrained start, if any (its arch and featureDim are already in the options). */
  pre?: ReturnType<typeof pretrainedWeights>;
  /** The training images, after --subset. */
  train: ImageDataset;
  transform: Transform;
  /** [h, w, c] the network takes: the transform's output size (32x32 for 'default'). */
  inputShape: [number, number, number];
}

/** The pretrained start (whose arch and featureDim win, as in the official code), the data, the input shape. */
export function trainingData(o: CommonTrainOptions): TrainingData {
  const pre = o.pretrainDir ? pretrainedWeights(o.pretrainDir, o.pretrainEpoch) : undefined;
  if (pre) {
    o.arch = pre.arch;
    o.featureDim = pre.fd;
  }
  const train = firstN(loadDataset(o.data, 'train', { dataDir: o.dataDir ?? undefined }), o.subset);
  const transform = getTransform(o.transform);
  const [oh, ow] = transform.outSize(train.height, train.width);
  return { pre, train, transform, inputShape: [oh, ow, train.channels] };
}

/** The network to train: seeded, at the input shape, with the pretrained weights loaded. */
export function trainingNetwork(o: CommonTrainOptions, d: TrainingData, logits?: number): Network {
  const model = createNetwork(o.arch, o.featureDim, { seed: o.seed, inputShape: d.inputShape, logits });
  try {
    if (d.pre) d.pre.load(model);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}

/** The first part of the log line about the data. */
export function dataLine(train: ImageDataset): string {
  return `data: ${train.name} train, ${train.n} images ${train.height}x${train.width}x${train.channels} from ${displayPath(train.source)}`;
}

/** The plan fields that are the shared options themselves. */
export function commonPlanFields(
  o: CommonTrainOptions,
): Pick<TrainingPlan, 'epochs' | 'lr' | 'lrAt' | 'momentum' | 'weightDecay' | 'seed' | 'workers' | 'chunk' | 'dataDir'> {
  return {
    epochs: o.epochs,
    lr: o.lr,
    lrAt: lrSchedule(o),
    momentum: o.momentum,
    weightDecay: o.weightDecay,
    seed: o.seed,
    workers: o.workers,
    chunk: o.chunk >= 0 ? o.chunk : archDefaultChunk(o.arch),
    dataDir: o.dataDir ?? defaultDataDir(),
  };
}
