// The official training transforms (train_func.load_transforms), applied to a whole batch at once
// with tensor ops on the backend: crops and flips as crop-and-resize boxes, affine maps as
// projective transforms, colour jitter with per-image factors, blur as a depthwise convolution
// with one kernel per image. Every random parameter is drawn per image, in order, from the
// caller's seeded RandomState, so a seed gives the same views.
//   default       RandomCrop(32, padding 8), RandomHorizontalFlip
//   cifar         RandomResizedCrop(32), flip, ColorJitter(0.4,0.4,0.4,0.1) with p 0.8, RandomGrayscale(0.2)
//   stl10         RandomResizedCrop(96), flip, ColorJitter(0.8,0.8,0.8,0.2) with p 0.8, RandomGrayscale(0.2), GaussianBlur(9)
//   mnist         one of RandomAffine rotation ±90° | translate (0.2, 0.4) | scale (0.8, 1.1) | shear ±20°, GaussianBlur(3)
//   fashionmnist  flip, RandomRotation(±90°), the same affine choice, GaussianBlur(3)
//   test          none
// Where torchvision works on PIL images (uint8, antialiased resizing) these work on floats with
// bilinear or nearest sampling: the same distributions of views, not bit-identical pixels.
import * as tf from '@tensorflow/tfjs';
import type { RandomState } from '../math/random.js';

export interface Transform {
  name: string;
  /** Output [height, width] for inputs of h x w. */
  outSize(h: number, w: number): [number, number];
  /** x: [n, h, w, c] floats in [0, 1] → transformed batch (caller disposes both). */
  apply(x: tf.Tensor4D, rng: RandomState): tf.Tensor4D;
}

// ---------- crops and flips: one crop-and-resize box per image ----------

type Box = [number, number, number, number]; // y1, x1, y2, x2 in pixels (inclusive), x1 > x2 flips

function cropBoxes(x: tf.Tensor4D, boxes: Box[], size: [number, number], method: 'bilinear' | 'nearest'): tf.Tensor4D {
  const [n, h, w] = x.shape;
  const norm = boxes.flatMap(([y1, x1, y2, x2]) => [
    y1 / Math.max(h - 1, 1),
    x1 / Math.max(w - 1, 1),
    y2 / Math.max(h - 1, 1),
    x2 / Math.max(w - 1, 1),
  ]);
  return tf.tidy(() =>
    tf.image.cropAndResize(
      x,
      tf.tensor2d(norm, [n, 4]),
      tf.tensor1d(
        Array.from({ length: n }, (_, i) => i),
        'int32',
      ),
      size,
      method,
    ),
  );
}

/** RandomCrop(size, padding) then RandomHorizontalFlip(p 0.5): exact pixels (nearest, integer boxes). */
function randomCropFlip(x: tf.Tensor4D, rng: RandomState, size: number, padding: number, flip: boolean): tf.Tensor4D {
  const [n, h, w] = x.shape;
  const ph = h + 2 * padding;
  const pw = w + 2 * padding;
  if (ph < size || pw < size) throw new Error(`RandomCrop(${size}) does not fit a ${h}x${w} image padded by ${padding}`);
  const boxes: Box[] = [];
  for (let i = 0; i < n; i++) {
    const top = rng.interval(ph - size);
    const left = rng.interval(pw - size);
    const f = flip && rng.nextDouble() < 0.5;
    boxes.push(f ? [top, left + size - 1, top + size - 1, left] : [top, left, top + size - 1, left + size - 1]);
  }
  return tf.tidy(() => {
    const padded =
      padding > 0
        ? tf.pad(x, [
            [0, 0],
            [padding, padding],
            [padding, padding],
            [0, 0],
          ])
        : x;
    return cropBoxes(padded, boxes, [size, size], 'nearest');
  });
}

/** torchvision RandomResizedCrop's box (scale 0.08–1, ratio 3/4–4/3, 10 tries, then a centre crop). */
function resizedCropBox(rng: RandomState, h: number, w: number): [number, number, number, number] {
  const area = h * w;
  const logLo = Math.log(3 / 4);
  const logHi = Math.log(4 / 3);
  for (let t = 0; t < 10; t++) {
    const target = area * (0.08 + (1 - 0.08) * rng.nextDouble());
    const ratio = Math.exp(logLo + (logHi - logLo) * rng.nextDouble());
    const cw = Math.round(Math.sqrt(target * ratio));
    const ch = Math.round(Math.sqrt(target / ratio));
    if (cw > 0 && cw <= w && ch > 0 && ch <= h) {
      return [rng.interval(h - ch), rng.interval(w - cw), ch, cw];
    }
  }
  const inRatio = w / h;
  let cw = w;
  let ch = h;
  if (inRatio < 3 / 4) ch = Math.round(w / (3 / 4));
  else if (inRatio > 4 / 3) cw = Math.round(h * (4 / 3));
  return [Math.floor((h - ch) / 2), Math.floor((w - cw) / 2), ch, cw];
}

/** RandomResizedCrop(size) then RandomHorizontalFlip(p 0.5), bilinear. */
function randomResizedCropFlip(x: tf.Tensor4D, rng: RandomState, size: number): tf.Tensor4D {
  const [n, h, w] = x.shape;
  const boxes: Box[] = [];
  for (let i = 0; i < n; i++) {
    const [top, left, ch, cw] = resizedCropBox(rng, h, w);
    const f = rng.nextDouble() < 0.5;
    boxes.push(f ? [top, left + cw - 1, top + ch - 1, left] : [top, left, top + ch - 1, left + cw - 1]);
  }
  return cropBoxes(x, boxes, [size, size], 'bilinear');
}

// ---------- colour ----------

const GRAY = [0.299, 0.587, 0.114];

function grayscale(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.sum(tf.mul(x, tf.tensor1d(GRAY)), -1, true)) as tf.Tensor4D;
}

function perImage(values: number[]): tf.Tensor4D {
  return tf.tensor4d(values, [values.length, 1, 1, 1]);
}

function blend(a: tf.Tensor, b: tf.Tensor, f: tf.Tensor): tf.Tensor4D {
  return tf.clipByValue(tf.add(tf.mul(a, f), tf.mul(b, tf.sub(1, f))), 0, 1) as tf.Tensor4D;
}

/** Hue rotation by `shift` turns per image, through HSV (branch-free conversions). */
export function adjustHue(x: tf.Tensor4D, shift: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [r, g, b] = tf.split(x, 3, -1);
    const maxc = tf.maximum(tf.maximum(r, g), b);
    const minc = tf.minimum(tf.minimum(r, g), b);
    const delta = tf.sub(maxc, minc);
    const safe = tf.maximum(delta, 1e-12);
    const s = tf.div(delta, tf.maximum(maxc, 1e-12));
    const rc = tf.div(tf.sub(maxc, r), safe);
    const gc = tf.div(tf.sub(maxc, g), safe);
    const bc = tf.div(tf.sub(maxc, b), safe);
    let hue = tf.where(
      tf.equal(maxc, r),
      tf.sub(bc, gc),
      tf.where(tf.equal(maxc, g), tf.add(2, tf.sub(rc, bc)), tf.add(4, tf.sub(gc, rc))),
    );
    hue = tf.where(tf.equal(delta, 0), tf.zerosLike(hue), hue);
    hue = tf.mod(tf.add(tf.div(hue, 6), tf.add(shift, 1)), 1);
    // HSV → RGB: channel n ∈ {5, 3, 1}: v − v·s·clamp(min(k, 4 − k), 0, 1), k = (n + 6h) mod 6.
    const chan = (nn: number) => {
      const k = tf.mod(tf.add(tf.mul(hue, 6), nn), 6);
      return tf.sub(maxc, tf.mul(tf.mul(maxc, s), tf.clipByValue(tf.minimum(k, tf.sub(4, k)), 0, 1)));
    };
    return tf.concat([chan(5), chan(3), chan(1)], -1) as tf.Tensor4D;
  });
}

/**
 * RandomApply([ColorJitter(b, c, s, hue)], p) then RandomGrayscale(pGray). torchvision applies the
 * four adjustments in a random order per image; here each of the four slots blends the four
 * candidate adjustments with per-image one-hot weights (images without jitter get neutral factors).
 */
function colorJitterGray(
  x: tf.Tensor4D,
  rng: RandomState,
  b: number,
  c: number,
  s: number,
  hue: number,
  p: number,
  pGray: number,
): tf.Tensor4D {
  const n = x.shape[0];
  const fb: number[] = [];
  const fc: number[] = [];
  const fs: number[] = [];
  const fh: number[] = [];
  const order: number[][] = [];
  const gray: number[] = [];
  for (let i = 0; i < n; i++) {
    const apply = rng.nextDouble() < p;
    const perm = apply ? Array.from(rng.permutation(4)) : [0, 1, 2, 3];
    fb.push(apply ? 1 - b + 2 * b * rng.nextDouble() : 1);
    fc.push(apply ? 1 - c + 2 * c * rng.nextDouble() : 1);
    fs.push(apply ? 1 - s + 2 * s * rng.nextDouble() : 1);
    fh.push(apply ? -hue + 2 * hue * rng.nextDouble() : 0);
    order.push(perm);
    gray.push(rng.nextDouble() < pGray ? 1 : 0);
  }
  return tf.tidy(() => {
    const tb = perImage(fb);
    const tc = perImage(fc);
    const ts = perImage(fs);
    const th = perImage(fh);
    const ops = [
      (y: tf.Tensor4D) => tf.clipByValue(tf.mul(y, tb), 0, 1) as tf.Tensor4D,
      (y: tf.Tensor4D) => blend(y, tf.mean(grayscale(y), [1, 2, 3], true), tc),
      (y: tf.Tensor4D) => blend(y, grayscale(y), ts),
      (y: tf.Tensor4D) => adjustHue(y, th),
    ];
    let y = x;
    for (let slot = 0; slot < 4; slot++) {
      let acc: tf.Tensor4D | undefined;
      for (let op = 0; op < 4; op++) {
        const w = order.map((o) => (o[slot] === op ? 1 : 0));
        if (w.every((v) => v === 0)) continue;
        const term = tf.mul(ops[op](y), perImage(w)) as tf.Tensor4D;
        acc = acc === undefined ? term : (tf.add(acc, term) as tf.Tensor4D);
      }
      y = acc!;
    }
    const g = perImage(gray);
    return tf.add(tf.mul(y, tf.sub(1, g)), tf.mul(tf.tile(grayscale(y), [1, 1, 1, 3]), g)) as tf.Tensor4D;
  });
}

// ---------- blur ----------

/** cv2.getGaussianKernel(k, sigma). */
export function gaussianKernel(k: number, sigma: number): number[] {
  const c = (k - 1) / 2;
  const g = Array.from({ length: k }, (_, i) => Math.exp(-((i - c) ** 2) / (2 * sigma * sigma)));
  const sum = g.reduce((a, b) => a + b, 0);
  return g.map((v) => v / sum);
}

/**
 * The official GaussianBlur: with probability 0.5, sigma ~ U[0.1, 2.0], kernel k x k, borders
 * reflected as cv2 (BORDER_REFLECT_101). The batch is folded into channels so that one depthwise
 * convolution applies every image's own kernel.
 */
function randomBlur(x: tf.Tensor4D, rng: RandomState, k: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const kernels: number[][] = [];
  for (let i = 0; i < n; i++) {
    if (rng.nextDouble() < 0.5) {
      const sigma = (2.0 - 0.1) * rng.nextDouble() + 0.1;
      kernels.push(gaussianKernel(k, sigma));
    } else {
      kernels.push(Array.from({ length: k }, (_, j) => (j === (k - 1) / 2 ? 1 : 0)));
    }
  }
  if (kernels.every((kk) => kk[(k - 1) / 2] === 1)) return tf.clone(x);
  const r = (k - 1) / 2;
  if (h <= r || w <= r) throw new Error(`GaussianBlur(${k}) needs images larger than ${r} pixels`);
  return tf.tidy(() => {
    // [n, h, w, c] → [1, h, w, n·c]; filter taps per folded channel (image i's kernel for its c channels).
    const folded = tf.reshape(tf.transpose(x, [1, 2, 0, 3]), [1, h, w, n * c]);
    const taps = new Float32Array(k * n * c);
    for (let t = 0; t < k; t++) for (let i = 0; i < n; i++) for (let ch = 0; ch < c; ch++) taps[t * n * c + i * c + ch] = kernels[i][t];
    const padded = tf.mirrorPad(
      folded,
      [
        [0, 0],
        [r, r],
        [r, r],
        [0, 0],
      ],
      'reflect',
    ) as tf.Tensor4D;
    const vert = tf.depthwiseConv2d(padded, tf.tensor4d(taps, [k, 1, n * c, 1]), 1, 'valid');
    const both = tf.depthwiseConv2d(vert, tf.tensor4d(taps, [1, k, n * c, 1]), 1, 'valid');
    return tf.transpose(tf.reshape(both, [h, w, n, c]), [2, 0, 1, 3]) as tf.Tensor4D;
  });
}

// ---------- affine ----------

type Affine = [number, number, number, number, number, number]; // x' = a x + b y + c, y' = d x + e y + f

function compose(p: Affine, q: Affine): Affine {
  // p ∘ q: apply q, then p.
  return [
    p[0] * q[0] + p[1] * q[3],
    p[0] * q[1] + p[1] * q[4],
    p[0] * q[2] + p[1] * q[5] + p[2],
    p[3] * q[0] + p[4] * q[3],
    p[3] * q[1] + p[4] * q[4],
    p[3] * q[2] + p[4] * q[5] + p[5],
  ];
}

function invert(m: Affine): Affine {
  const det = m[0] * m[4] - m[1] * m[3];
  const a = m[4] / det;
  const b = -m[1] / det;
  const d = -m[3] / det;
  const e = m[0] / det;
  return [a, b, -(a * m[2] + b * m[5]), d, e, -(d * m[2] + e * m[5])];
}

/**
 * torchvision's affine (rotation angle counter-clockwise in degrees, translation in pixels, scale,
 * x-shear in degrees) about the image centre, as a forward map on pixel coordinates.
 */
function affineAbout(cx: number, cy: number, angle: number, tx: number, ty: number, scale: number, shear: number): Affine {
  const rot = (-angle * Math.PI) / 180; // image y points down: a counter-clockwise turn is −angle here
  const sh = (shear * Math.PI) / 180;
  // R·Sh·scale, with the shear applied along x before the rotation (torchvision's convention).
  const a = Math.cos(rot) * scale;
  const b = (Math.cos(rot) * Math.tan(-sh) - Math.sin(rot)) * scale;
  const d = Math.sin(rot) * scale;
  const e = (Math.sin(rot) * Math.tan(-sh) + Math.cos(rot)) * scale;
  const lin: Affine = [a, b, 0, d, e, 0];
  return compose([1, 0, cx + tx, 0, 1, cy + ty], compose(lin, [1, 0, -cx, 0, 1, -cy]));
}

/** One of the four official RandomAffine variants, chosen uniformly. */
function mnistAffine(rng: RandomState, h: number, w: number): Affine {
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  switch (rng.interval(3)) {
    case 0:
      return affineAbout(cx, cy, -90 + 180 * rng.nextDouble(), 0, 0, 1, 0);
    case 1: {
      const tx = Math.round((-0.2 + 0.4 * rng.nextDouble()) * w);
      const ty = Math.round((-0.4 + 0.8 * rng.nextDouble()) * h);
      return affineAbout(cx, cy, 0, tx, ty, 1, 0);
    }
    case 2:
      return affineAbout(cx, cy, 0, 0, 0, 0.8 + 0.3 * rng.nextDouble(), 0);
    default:
      return affineAbout(cx, cy, 0, 0, 0, 1, -20 + 40 * rng.nextDouble());
  }
}

/** Applies one forward affine map per image (nearest sampling, zeros outside, as RandomAffine). */
function warp(x: tf.Tensor4D, maps: Affine[]): tf.Tensor4D {
  const rows = maps.flatMap((m) => {
    const inv = invert(m); // tf.image.transform maps output pixels to input pixels
    return [inv[0], inv[1], inv[2], inv[3], inv[4], inv[5], 0, 0];
  });
  return tf.tidy(() => tf.image.transform(x, tf.tensor2d(rows, [maps.length, 8]), 'nearest', 'constant', 0));
}

// ---------- the named transforms ----------

export const testTransform: Transform = {
  name: 'test',
  outSize: (h, w) => [h, w],
  apply: (x) => tf.clone(x),
};

export const TRANSFORMS: Record<string, Transform> = {
  test: testTransform,
  default: {
    name: 'default',
    outSize: () => [32, 32],
    apply: (x, rng) => randomCropFlip(x, rng, 32, 8, true),
  },
  cifar: {
    name: 'cifar',
    outSize: () => [32, 32],
    apply: (x, rng) => tf.tidy(() => colorJitterGray(randomResizedCropFlip(x, rng, 32), rng, 0.4, 0.4, 0.4, 0.1, 0.8, 0.2)),
  },
  stl10: {
    name: 'stl10',
    outSize: () => [96, 96],
    apply: (x, rng) =>
      tf.tidy(() => randomBlur(colorJitterGray(randomResizedCropFlip(x, rng, 96), rng, 0.8, 0.8, 0.8, 0.2, 0.8, 0.2), rng, 9)),
  },
  mnist: {
    name: 'mnist',
    outSize: (h, w) => [h, w],
    apply: (x, rng) => {
      const [n, h, w] = x.shape;
      const maps = Array.from({ length: n }, () => mnistAffine(rng, h, w));
      return tf.tidy(() => randomBlur(warp(x, maps), rng, 3));
    },
  },
  fashionmnist: {
    name: 'fashionmnist',
    outSize: (h, w) => [h, w],
    apply: (x, rng) => {
      const [n, h, w] = x.shape;
      const cx = (w - 1) / 2;
      const cy = (h - 1) / 2;
      // Flip, rotation, then the affine choice, composed into one map (one resampling).
      const maps = Array.from({ length: n }, () => {
        const flip: Affine = rng.nextDouble() < 0.5 ? [-1, 0, w - 1, 0, 1, 0] : [1, 0, 0, 0, 1, 0];
        const rot = affineAbout(cx, cy, -90 + 180 * rng.nextDouble(), 0, 0, 1, 0);
        return compose(mnistAffine(rng, h, w), compose(rot, flip));
      });
      return tf.tidy(() => randomBlur(warp(x, maps), rng, 3));
    },
  },
};
TRANSFORMS.none = testTransform;
TRANSFORMS.fmnist = TRANSFORMS.fashionmnist;

export function getTransform(name: string): Transform {
  const t = TRANSFORMS[name.toLowerCase()];
  if (t === undefined) throw new Error(`unknown transform '${name}'; available: ${Object.keys(TRANSFORMS).join(', ')}`);
  return t;
}
