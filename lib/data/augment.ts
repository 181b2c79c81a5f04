// The official AugmentLoader (augmentloader.py) for self-supervised MCR²: each batch holds
// num_img = bs / num_aug images, each as num_aug views (the first view untransformed), image-major:
// [img0 × num_aug, img1 × num_aug, ...]. The label of a view is its image's index within the batch,
// so each image's views form one class of the loss.
//   random   images 0..size−1 in dataset order (size = ⌊N/num_img⌋·num_img), or a seeded sample
//            without replacement with `shuffle`; ⌊N/num_img⌋ batches
//   balance  num_img/K images of each class per batch, drawn with replacement from the class;
//            ⌈N/num_img⌉ batches
import type { ImageDataset } from './dataset.js';
import { rawBatchData } from './batches.js';
import type { Transform } from './transforms.js';
import * as tf from '@tensorflow/tfjs';
import type { RandomState } from '../math/random.js';

export type SamplerName = 'random' | 'balance';

export interface AugmentOptions {
  batchSize: number;
  numAug: number;
  transform: Transform;
  sampler?: SamplerName;
  /** random sampler: sample the epoch's images without replacement instead of in order. */
  shuffle?: boolean;
}

export interface AugmentBatch {
  /** NHWC floats in [0, 1]. */
  data: Float32Array;
  shape: [number, number, number, number];
  /** Index of each view's image within the batch: the labels MCR² trains on. */
  batchIdx: Int32Array;
  /** Each view's true class (for monitoring). */
  labels: Int32Array;
  /** Dataset indices of the batch's images. */
  images: Int32Array;
}

export class AugmentLoader {
  readonly numImg: number;
  readonly sampler: SamplerName;

  constructor(
    readonly ds: ImageDataset,
    readonly opts: AugmentOptions,
  ) {
    const { batchSize, numAug } = opts;
    if (!Number.isInteger(numAug) || numAug < 1) throw new Error(`--aug must be a positive integer, got ${numAug}`);
    if (!Number.isInteger(batchSize) || batchSize < numAug) throw new Error(`--bs (${batchSize}) must be at least --aug (${numAug})`);
    this.numImg = Math.floor(batchSize / numAug);
    this.sampler = opts.sampler ?? 'random';
    if (this.sampler !== 'random' && this.sampler !== 'balance')
      throw new Error(`sampler ${this.sampler} not found; use random or balance`);
    if (this.sampler === 'balance' && this.numImg % ds.numClasses !== 0) {
      throw new Error(`balance sampler: ${this.numImg} images per batch cannot be split evenly over ${ds.numClasses} classes`);
    }
    if (this.numImg > ds.n) throw new Error(`a batch needs ${this.numImg} images but the dataset has ${ds.n}`);
  }

  /** Batches per epoch. */
  get steps(): number {
    return this.sampler === 'random' ? Math.floor(this.ds.n / this.numImg) : Math.ceil(this.ds.n / this.numImg);
  }

  /** Dataset indices of each batch of one epoch (drawn from rng). */
  private plan(rng: RandomState): Int32Array[] {
    const { ds, numImg } = this;
    const out: Int32Array[] = [];
    if (this.sampler === 'random') {
      const size = this.steps * numImg;
      const order = this.opts.shuffle ? rng.choice(ds.n, size, false) : Int32Array.from({ length: size }, (_, i) => i);
      for (let s = 0; s < this.steps; s++) out.push(order.slice(s * numImg, (s + 1) * numImg));
      return out;
    }
    const byClass: number[][] = Array.from({ length: ds.numClasses }, () => []);
    for (let i = 0; i < ds.n; i++) byClass[ds.labels[i]].push(i);
    const per = numImg / ds.numClasses;
    for (let s = 0; s < this.steps; s++) {
      const b = new Int32Array(numImg);
      let o = 0;
      for (const members of byClass) {
        if (members.length === 0) throw new Error('balance sampler: a class has no images');
        const pick = rng.randint(0, members.length, per);
        for (const p of pick) b[o++] = members[p];
      }
      out.push(b);
    }
    return out;
  }

  /** One epoch of batches; views are drawn from rng after the epoch's sample. */
  *epoch(rng: RandomState): Generator<AugmentBatch> {
    const { ds, numImg } = this;
    const { numAug, transform } = this.opts;
    const [h, w] = transform.outSize(ds.height, ds.width);
    if (h !== ds.height || w !== ds.width) {
      throw new Error(
        `transform '${transform.name}' makes ${h}x${w} views of ${ds.height}x${ds.width} images; the untransformed first view must have the same size`,
      );
    }
    const size = h * w * ds.channels;
    for (const images of this.plan(rng)) {
      const data = new Float32Array(numImg * numAug * size);
      const plain = rawBatchData(ds, images);
      // All augmented views of the batch in one transform call, image-major.
      const repeated: number[] = [];
      for (const i of images) for (let a = 1; a < numAug; a++) repeated.push(i);
      let aug: Float32Array = new Float32Array(0);
      if (repeated.length > 0) {
        const x = tf.tensor4d(rawBatchData(ds, repeated), [repeated.length, ds.height, ds.width, ds.channels]);
        const y = transform.apply(x, rng);
        aug = y.dataSync() as Float32Array;
        tf.dispose([x, y]);
      }
      const batchIdx = new Int32Array(numImg * numAug);
      const labels = new Int32Array(numImg * numAug);
      for (let i = 0; i < numImg; i++) {
        data.set(plain.subarray(i * size, (i + 1) * size), i * numAug * size);
        data.set(aug.subarray(i * (numAug - 1) * size, (i + 1) * (numAug - 1) * size), (i * numAug + 1) * size);
        batchIdx.fill(i, i * numAug, (i + 1) * numAug);
        labels.fill(ds.labels[images[i]], i * numAug, (i + 1) * numAug);
      }
      yield { data, shape: [numImg * numAug, h, w, ds.channels], batchIdx, labels, images };
    }
  }
}
