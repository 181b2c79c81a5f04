// An image dataset held as uint8 in NHWC order; floats are made per batch (lib/data/batches).

export type Split = 'train' | 'test';

export interface ImageDataset {
  /** Official --data name, e.g. 'mnist'. */
  name: string;
  split: Split;
  /** n·height·width·channels bytes, NHWC. */
  images: Uint8Array;
  labels: Int32Array;
  n: number;
  height: number;
  width: number;
  channels: number;
  numClasses: number;
  classes: string[];
  /** Where it was read from (shown to users). */
  source: string;
  /** CIFAR-100 (`cifar100`): the 20 superclass labels the files hold beside the fine ones. */
  coarseLabels?: Int32Array;
}

/** Throws if any label is outside 0..numClasses−1 (names the first offender). */
export function checkLabels(labels: ArrayLike<number>, numClasses: number, where: string): void {
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (!(v >= 0 && v < numClasses) || !Number.isInteger(v)) {
      throw new Error(`${where}: label ${v} at index ${i} is outside 0..${numClasses - 1}`);
    }
  }
}

/** Images per class. */
export function classCounts(labels: ArrayLike<number>, numClasses: number): number[] {
  const c = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) c[labels[i]]++;
  return c;
}

/** The first n images (all of them when n is 0 or ≥ the size); shares memory with ds. */
export function firstN(ds: ImageDataset, n: number): ImageDataset {
  if (n <= 0 || n >= ds.n) return ds;
  const size = ds.height * ds.width * ds.channels;
  const coarse = ds.coarseLabels ? { coarseLabels: ds.coarseLabels.slice(0, n) } : {};
  return { ...ds, n, images: ds.images.subarray(0, n * size), labels: ds.labels.slice(0, n), ...coarse };
}

/** Images and labels of several parts, one after the other (splits read from several files). */
export function concatParts(
  parts: Array<{ images: Uint8Array; labels: Int32Array }>,
  pixelsPerImage: number,
): { images: Uint8Array; labels: Int32Array } {
  const n = parts.reduce((a, p) => a + p.labels.length, 0);
  const images = new Uint8Array(n * pixelsPerImage);
  const labels = new Int32Array(n);
  let off = 0;
  for (const p of parts) {
    images.set(p.images, off * pixelsPerImage);
    labels.set(p.labels, off);
    off += p.labels.length;
  }
  return { images, labels };
}
