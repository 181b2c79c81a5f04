// uint8 images → float batches in [0, 1] (no mean/std normalisation, as the official code), with a
// training transform (lib/data/transforms) applied to the whole batch.
import * as tf from '@tensorflow/tfjs';
import { RandomState } from '../math/random.js';
import type { ImageDataset } from './dataset.js';
import { testTransform, type Transform } from './transforms.js';

/** The given images as floats in [0, 1], NHWC, untransformed. */
export function rawBatchData(ds: ImageDataset, indices: ArrayLike<number>): Float32Array {
  const size = ds.height * ds.width * ds.channels;
  const out = new Float32Array(indices.length * size);
  for (let b = 0; b < indices.length; b++) {
    const src = indices[b] * size;
    const dst = b * size;
    for (let j = 0; j < size; j++) out[dst + j] = ds.images[src + j] / 255;
  }
  return out;
}

/** The given images as float NHWC data, transformed. */
export function imageBatchData(
  ds: ImageDataset,
  indices: ArrayLike<number>,
  transform: Transform = testTransform,
  rng?: RandomState,
): { data: Float32Array; shape: [number, number, number, number] } {
  const raw = rawBatchData(ds, indices);
  const [h, w] = transform.outSize(ds.height, ds.width);
  if (transform === testTransform) return { data: raw, shape: [indices.length, ds.height, ds.width, ds.channels] };
  const x = tf.tensor4d(raw, [indices.length, ds.height, ds.width, ds.channels]);
  const y = transform.apply(x, rng ?? new RandomState(0));
  const data = y.dataSync() as Float32Array;
  tf.dispose([x, y]);
  return { data, shape: [indices.length, h, w, ds.channels] };
}

/** A float NHWC batch tensor of the given images. */
export function imageBatch(
  ds: ImageDataset,
  indices: ArrayLike<number>,
  transform: Transform = testTransform,
  rng?: RandomState,
): tf.Tensor4D {
  const { data, shape } = imageBatchData(ds, indices, transform, rng);
  return tf.tensor4d(data, shape);
}

export { getTransform, TRANSFORMS, testTransform, type Transform } from './transforms.js';
