// Features of a whole dataset from a trained network, in inference mode (running batch-norm
// statistics), as evaluate.py / extract.py compute them (transform `test`).
import * as tf from '@tensorflow/tfjs';
import { imageBatch } from '../data/batches.js';
import type { ImageDataset } from '../data/dataset.js';
import { LogitNet, type Network } from '../models/network.js';
import { l2normalize } from '../models/nn.js';

export interface Features {
  /** n x dim, row-major, unit rows. */
  features: Float32Array;
  labels: Int32Array;
  n: number;
  dim: number;
}

export interface DatasetFeatureOptions {
  /** Images per forward pass (default 500). */
  batchSize?: number;
  /**
   * The [height, width] the network was trained at, when its training transform changed the image
   * size (the `default` transform crops 32x32 from MNIST's 28x28 padded by 8): images are centred
   * on a zero canvas of that size (the mean position of the random crop), or centre-cropped.
   */
  inputSize?: [number, number];
  /**
   * A cross-entropy network's penultimate layer (LogitNet.penultimate) as unit rows instead of its
   * output: what a frozen-feature classifier reads of a CE network, to compare it with MCR²'s
   * features like for like (default false).
   */
  penultimate?: boolean;
  /** With `penultimate`: also the logits of the same forward pass (`logits` of the result). */
  withLogits?: boolean;
}

/** Centres a batch on an h x w canvas: zero padding where it is smaller, a centre crop where larger. */
export function centerToSize(x: tf.Tensor4D, h: number, w: number): tf.Tensor4D {
  const [, xh, xw] = x.shape;
  if (xh === h && xw === w) return x;
  return tf.tidy(() => {
    const pad = (have: number, want: number): [number, number] => {
      const d = Math.max(0, want - have);
      return [Math.floor(d / 2), d - Math.floor(d / 2)];
    };
    const padded = tf.pad(x, [[0, 0], pad(xh, h), pad(xw, w), [0, 0]]);
    const [, ph, pw, c] = padded.shape;
    return tf.slice(padded, [0, Math.floor((ph - h) / 2), Math.floor((pw - w) / 2), 0], [-1, h, w, c]);
  });
}

export async function datasetFeatures(
  model: Network,
  ds: ImageDataset,
  opts: DatasetFeatureOptions = {},
): Promise<Features & { logits?: Float32Array }> {
  const bs = opts.batchSize ?? 500;
  const wasTraining = model.training;
  model.eval();
  const cut = opts.penultimate ? penultimateOf(model) : undefined;
  const dim = cut ? cut.dim : model.featureDim;
  const out = new Float32Array(ds.n * dim);
  const k = model.featureDim;
  const logits = cut && opts.withLogits ? new Float32Array(ds.n * k) : undefined;
  try {
    for (let s = 0; s < ds.n; s += bs) {
      const idx = Int32Array.from({ length: Math.min(bs, ds.n - s) }, (_, i) => s + i);
      const [z, l] = tf.tidy(() => {
        const x = imageBatch(ds, idx);
        const input = opts.inputSize ? centerToSize(x, opts.inputSize[0], opts.inputSize[1]) : x;
        return cut ? cut.forward(input, logits !== undefined) : [model.forward(input)];
      });
      out.set(await z.data(), s * dim);
      if (l) logits?.set(await l.data(), s * k);
      tf.dispose([z, l]);
    }
  } finally {
    model.train(wasTraining);
  }
  return { features: out, labels: Int32Array.from(ds.labels), n: ds.n, dim, ...(logits ? { logits } : {}) };
}

/** The penultimate layer of a cross-entropy network, as unit rows (and the logits from the same pass). */
function penultimateOf(model: Network): { dim: number; forward: (x: tf.Tensor, logits: boolean) => tf.Tensor2D[] } {
  if (!(model instanceof LogitNet)) throw new Error('penultimate features: the network is not a cross-entropy classifier (LogitNet)');
  return {
    dim: model.penultimateDim(),
    forward: (x, logits) =>
      tf.tidy(() => {
        const h = model.penultimate(x);
        return logits ? [l2normalize(h) as tf.Tensor2D, model.classify(h)] : [l2normalize(h) as tf.Tensor2D];
      }),
  };
}
