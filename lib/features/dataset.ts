// Features of a whole dataset from a trained network, in inference mode (running batch-norm
// statistics), as evaluate.py / extract.py compute them (transform `test`).
import * as tf from '@tensorflow/tfjs';
import { imageBatch } from '../data/batches.js';
import type { ImageDataset } from '../data/dataset.js';
import type { Network } from '../models/network.js';

export interface Features {
  /** n x dim, row-major, unit rows. */
  features: Float32Array;
  labels: Int32Array;
  n: number;
  dim: number;
}

export async function datasetFeatures(model: Network, ds: ImageDataset, bs = 500): Promise<Features> {
  const wasTraining = model.training;
  model.eval();
  const dim = model.featureDim;
  const out = new Float32Array(ds.n * dim);
  for (let s = 0; s < ds.n; s += bs) {
    const idx = Int32Array.from({ length: Math.min(bs, ds.n - s) }, (_, i) => s + i);
    const z = tf.tidy(() => model.forward(imageBatch(ds, idx)));
    out.set(await z.data(), s * dim);
    z.dispose();
  }
  model.train(wasTraining);
  return { features: out, labels: Int32Array.from(ds.labels), n: ds.n, dim };
}
