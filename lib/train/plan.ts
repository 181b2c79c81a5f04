// What a Trainer runs, whichever the kind of training: supervised (supervised.ts) and
// self-supervised (selfsup.ts) each build one plan; lib/train/trainer.ts runs every plan the same way.
import type { ImageDataset } from '../data/dataset.js';
import type { TrainingLoss } from '../loss/mcr2.js';
import { RandomState } from '../math/random.js';
import type { Network } from '../models/network.js';
import { readTorchCheckpoint, type TorchStateDict } from '../io/torch.js';
import type { Module } from '../models/nn.js';
import { loadTorchStateDict } from '../models/torch_state.js';
import { loadTensors, type TensorMap } from './checkpoint.js';
import { RunFolder } from './run_folder.js';
import { isTorchCheckpoint } from './model_checkpoint.js';

/** One step's input: NHWC floats, the labels the loss sees and how many classes they range over. */
export interface StepBatch {
  data: Float32Array;
  shape: [number, number, number, number];
  labels: Int32Array;
  numClasses: number;
}

export interface TrainingPlan {
  kind: 'supervised' | 'selfsup';
  /** The resolved options (SupervisedOptions or SelfSupOptions). */
  options: object;
  runDir: string;
  /** Everything params.json records (official snake_case keys); `sameRunKeys` must match to resume. */
  params: Record<string, unknown>;
  sameRunKeys: string[];
  model: Network;
  loss: TrainingLoss;
  /** For data-parallel workers: how to rebuild the network. */
  build: { arch: string; fd: number; seed: number; inputShape: [number, number, number]; logits?: number };
  epochs: number;
  lr: number;
  momentum: number;
  weightDecay: number;
  milestones: number[];
  seed: number;
  /** Largest batch. */
  batchSize: number;
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
