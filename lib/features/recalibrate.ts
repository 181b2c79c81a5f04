// Batch-norm recalibration: running statistics recomputed as the plain average of the batch
// statistics of one training-mode pass over the training images (no gradients, weights untouched),
// as torch.optim.swa_utils.update_bn does. After a short run the exponential running averages
// (momentum 0.1) still mix in statistics of earlier weights, and inference-mode features can
// collapse (notebook 05 measures it); recalibrated statistics are those of the final weights.
import * as tf from '@tensorflow/tfjs';
import { imageBatch } from '../data/batches.js';
import type { ImageDataset } from '../data/dataset.js';
import type { Module } from '../models/nn.js';
import { BatchNorm } from '../models/nn.js';
import { centerToSize } from './dataset.js';

export interface RecalibrateOptions {
  /** Images per forward pass: use the training batch size, whose statistics training normalised with (default 500). */
  batchSize?: number;
  /** Use the first N images only (default 0: all). */
  maxImages?: number;
  /** The [height, width] the network was trained at (see DatasetFeatureOptions.inputSize). */
  inputSize?: [number, number];
}

/** Every BatchNorm in the module tree. */
export function batchNorms(m: Module): BatchNorm[] {
  const out: BatchNorm[] = m instanceof BatchNorm ? [m] : [];
  for (const [, c] of m.children()) out.push(...batchNorms(c));
  return out;
}

/**
 * Recomputes every batch norm's running mean and variance from `ds` (its images untransformed, in
 * order, in batches of `batchSize`). Returns the number of batch-norm layers and batches used.
 */
export function recalibrateBatchNorm(
  model: Module,
  ds: ImageDataset,
  opts: RecalibrateOptions = {},
): { layers: number; batches: number; images: number } {
  const bs = opts.batchSize ?? 500;
  const n = opts.maxImages ? Math.min(opts.maxImages, ds.n) : ds.n;
  if (!(Number.isInteger(bs) && bs >= 2)) throw new Error(`recalibrateBatchNorm: batchSize must be an integer ≥ 2, got ${bs}`);
  if (n < 2) throw new Error(`recalibrateBatchNorm: needs at least 2 images, the dataset has ${ds.n}`);
  const bns = batchNorms(model);
  const wasTraining = model.training;
  for (const bn of bns) bn.resetRunningStats();
  model.train(true);
  let batches = 0;
  try {
    for (let s = 0; s < n; s += bs) {
      let count = Math.min(bs, n - s);
      if (n - s - count === 1) count++; // never a last batch of one image (batch norm needs two)
      if (count < 2) break;
      const idx = Int32Array.from({ length: count }, (_, i) => s + i);
      tf.tidy(() => {
        const x = imageBatch(ds, idx);
        model.forward(opts.inputSize ? centerToSize(x, opts.inputSize[0], opts.inputSize[1]) : x);
      });
      batches++;
      if (count > bs) break;
    }
  } finally {
    for (const bn of bns) bn.endCumulativeStats();
    model.train(wasTraining);
  }
  return { layers: bns.length, batches, images: n };
}
