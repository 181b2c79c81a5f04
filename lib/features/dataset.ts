// Features of a whole dataset from a trained network, in inference mode (running batch-norm
// statistics), as evaluate.py / extract.py compute them (transform `test`).
import * as tf from '@tensorflow/tfjs';
import { imageBatch } from '../data/batches.js';
import type { ImageDataset } from '../data/dataset.js';
import type { Features } from '../data/features.js';
import { LogitNet, type Network } from '../models/network.js';
import { l2normalize } from '../models/nn.js';

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

export async function datasetFeatures(model: Network, ds: ImageDataset, opts: DatasetFeatureOptions = {}): Promise<Features> {
  const bs = opts.batchSize ?? 500;
  const wasTraining = model.training;
  model.eval();
  const cut = opts.penultimate ? penultimateOf(model) : undefined;
  const dim = cut ? cut.dim : model.featureDim;
  const out = new Float32Array(ds.n * dim);
  try {
    for (let s = 0; s < ds.n; s += bs) {
      const idx = Int32Array.from({ length: Math.min(bs, ds.n - s) }, (_, i) => s + i);
      const z = tf.tidy(() => {
        const x = imageBatch(ds, idx);
        const input = opts.inputSize ? centerToSize(x, opts.inputSize[0], opts.inputSize[1]) : x;
        return cut ? cut.forward(input) : model.forward(input);
      });
      out.set(await z.data(), s * dim);
      z.dispose();
    }
  } finally {
    model.train(wasTraining);
  }
  return { features: out, labels: Int32Array.from(ds.labels), n: ds.n, dim };
}

/** The penultimate layer of a cross-entropy network, as unit rows. */
function penultimateOf(model: Network): { dim: number; forward: (x: tf.Tensor) => tf.Tensor2D } {
  if (!(model instanceof LogitNet)) throw new Error('penultimate features: the network is not a cross-entropy classifier (LogitNet)');
  return {
    dim: model.penultimateDim(),
    forward: (x) => tf.tidy(() => l2normalize(model.penultimate(x)) as tf.Tensor2D),
  };
}
