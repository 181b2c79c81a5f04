// A grid of images as one plotly image trace: for looking at data and augmented views in a notebook.
import type { ImageDataset } from '../data/dataset.js';
import { imageBatchData } from '../data/batches.js';
import { getTransform } from '../data/transforms.js';
import { RandomState } from '../math/random.js';
import { type Figure, MAX_FIGURE_WIDTH } from './figure.js';

/** rows x cols tiles (NHWC floats in [0, 1], row-major order), 2-pixel white gutters. */
export function imageGridFigure(
  tiles: Float32Array,
  n: number,
  h: number,
  w: number,
  c: number,
  cols: number,
  title: string,
  scale = 3,
): Figure {
  const rows = Math.ceil(n / cols);
  const gap = 2;
  const H = rows * (h + gap) - gap;
  const W = cols * (w + gap) - gap;
  // Smaller tiles rather than a figure wider than a notebook's output area.
  scale = Math.min(scale, (MAX_FIGURE_WIDTH - 40) / W);
  const z: number[][][] = Array.from({ length: H }, () => Array.from({ length: W }, () => [255, 255, 255]));
  for (let t = 0; t < n; t++) {
    const r0 = Math.floor(t / cols) * (h + gap);
    const c0 = (t % cols) * (w + gap);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const o = ((t * h + y) * w + x) * c;
        const px = c === 1 ? [tiles[o], tiles[o], tiles[o]] : [tiles[o], tiles[o + 1], tiles[o + 2]];
        z[r0 + y][c0 + x] = px.map((v) => Math.round(Math.min(1, Math.max(0, v)) * 255));
      }
    }
  }
  return {
    data: [{ type: 'image', z, hoverinfo: 'skip' }],
    layout: {
      title: { text: title },
      width: Math.round(Math.max(300, W * scale + 40)),
      height: Math.round(H * scale + 80),
      margin: { l: 20, r: 20, t: 50, b: 20 },
      xaxis: { visible: false },
      yaxis: { visible: false, scaleanchor: 'x' },
    },
  };
}

export interface AugmentGridOptions {
  /** Images (rows), from the start of the dataset unless `indices` is given. */
  images?: number;
  indices?: number[];
  /** Augmented views per image (columns after the original). */
  views?: number;
  seed?: number;
}

/** Each row: an image, then `views` augmented views of it under the named transform. */
export function augmentationGrid(ds: ImageDataset, transform: string, opts: AugmentGridOptions = {}): Figure {
  const idx = opts.indices ?? Array.from({ length: Math.min(opts.images ?? 6, ds.n) }, (_, i) => i);
  const views = opts.views ?? 7;
  const t = getTransform(transform);
  const rng = new RandomState(opts.seed ?? 0);
  const [h, w] = t.outSize(ds.height, ds.width);
  const size = h * w * ds.channels;
  const tiles = new Float32Array(idx.length * (views + 1) * size);
  idx.forEach((i, r) => {
    const original = imageBatchData(ds, [i], getTransform('test')).data;
    const aug = imageBatchData(ds, new Array(views).fill(i), t, rng).data;
    const base = r * (views + 1) * size;
    if (h === ds.height && w === ds.width) tiles.set(original, base);
    tiles.set(aug, base + size);
  });
  return imageGridFigure(
    tiles,
    idx.length * (views + 1),
    h,
    w,
    ds.channels,
    views + 1,
    `${ds.name}: transform '${transform}' (first column: original)`,
  );
}
