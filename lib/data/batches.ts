// uint8 images → float batches in [0, 1] (no mean/std normalisation, as the official code),
// with the training transform applied per image from a seeded generator.
import * as tf from '@tensorflow/tfjs';
import { RandomState } from '../random.js';
import type { ImageDataset } from './dataset.js';

export interface Transform {
  name: string;
  /** Output image size for an input of h x w. */
  outSize(h: number, w: number): [number, number];
  /** Writes image i of ds, transformed, into out at offset (HWC floats in [0, 1]). */
  apply(ds: ImageDataset, i: number, out: Float32Array, offset: number, rng: RandomState): void;
}

function copyImage(ds: ImageDataset, i: number, out: Float32Array, offset: number): void {
  const size = ds.height * ds.width * ds.channels;
  const src = ds.images.subarray(i * size, (i + 1) * size);
  for (let j = 0; j < size; j++) out[offset + j] = src[j] / 255;
}

/** `test`: ToTensor only. */
export const testTransform: Transform = {
  name: 'test',
  outSize: (h, w) => [h, w],
  apply: (ds, i, out, offset) => copyImage(ds, i, out, offset),
};

/**
 * `default`: RandomCrop(size, padding=8) then RandomHorizontalFlip, as the official transform. The
 * official crop size is 32 (CIFAR); for other sizes the crop keeps the image's own size.
 */
export const defaultTransform: Transform = {
  name: 'default',
  outSize: (h, w) => [h, w],
  apply: (ds, i, out, offset, rng) => {
    const { height: h, width: w, channels: c } = ds;
    const pad = 8;
    const top = rng.interval(2 * pad);
    const left = rng.interval(2 * pad);
    const flip = rng.nextDouble() < 0.5;
    const base = i * h * w * c;
    for (let y = 0; y < h; y++) {
      const sy = y + top - pad;
      for (let x = 0; x < w; x++) {
        const sx0 = x + left - pad;
        const sx = flip ? w - 1 - x + left - pad : sx0;
        const o = offset + (y * w + x) * c;
        if (sy < 0 || sy >= h || sx < 0 || sx >= w) {
          for (let ch = 0; ch < c; ch++) out[o + ch] = 0;
        } else {
          const s = base + (sy * w + sx) * c;
          for (let ch = 0; ch < c; ch++) out[o + ch] = ds.images[s + ch] / 255;
        }
      }
    }
  },
};

export const TRANSFORMS: Record<string, Transform> = { test: testTransform, none: testTransform, default: defaultTransform };

export function getTransform(name: string): Transform {
  const t = TRANSFORMS[name];
  if (t === undefined) throw new Error(`unknown transform '${name}'; available: ${Object.keys(TRANSFORMS).join(', ')}`);
  return t;
}

/** The given images as float NHWC data, transformed. */
export function imageBatchData(ds: ImageDataset, indices: ArrayLike<number>, transform: Transform = testTransform, rng?: RandomState): { data: Float32Array; shape: [number, number, number, number] } {
  const [h, w] = transform.outSize(ds.height, ds.width);
  const size = h * w * ds.channels;
  const data = new Float32Array(indices.length * size);
  const r = rng ?? new RandomState(0);
  for (let b = 0; b < indices.length; b++) transform.apply(ds, indices[b], data, b * size, r);
  return { data, shape: [indices.length, h, w, ds.channels] };
}

/** A float NHWC batch tensor of the given images. */
export function imageBatch(ds: ImageDataset, indices: ArrayLike<number>, transform: Transform = testTransform, rng?: RandomState): tf.Tensor4D {
  const { data, shape } = imageBatchData(ds, indices, transform, rng);
  return tf.tensor4d(data, shape);
}
