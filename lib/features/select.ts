// Features that need no network, and parts of a feature set: raw pixels as features (the baseline
// every method is compared with), and the first rows of each class (a balanced sample to draw).
import { rawBatchData } from '../data/batches.js';
import type { ImageDataset } from '../data/dataset.js';
import type { Features } from '../data/features.js';
import { unitRows } from '../data/synthetic.js';

/** The images' pixels in [0, 1] as n x (h·w·c) features; `unit`: each row scaled to unit length (for cosines). */
export function pixelFeatures(ds: ImageDataset, opts: { unit?: boolean } = {}): Features {
  const dim = ds.height * ds.width * ds.channels;
  const pixels = rawBatchData(
    ds,
    Int32Array.from({ length: ds.n }, (_, i) => i),
  );
  return { features: opts.unit ? unitRows(pixels, dim) : pixels, labels: Int32Array.from(ds.labels), n: ds.n, dim };
}

/** The first `n` rows of each class (fewer where a class has fewer), in their order. */
export function firstPerClass(f: Features, n: number): Features {
  const seen = new Map<number, number>();
  const pick: number[] = [];
  for (let i = 0; i < f.n; i++) {
    const c = seen.get(f.labels[i]) ?? 0;
    if (c < n) pick.push(i);
    seen.set(f.labels[i], c + 1);
  }
  const features = new Float32Array(pick.length * f.dim);
  pick.forEach((r, k) => features.set(f.features.subarray(r * f.dim, (r + 1) * f.dim), k * f.dim));
  return { features, labels: Int32Array.from(pick, (i) => f.labels[i]), n: pick.length, dim: f.dim };
}
