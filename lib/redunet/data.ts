// The data of the official ReduNet experiments (redunet_paper: dataset.py, functionals.py), drawn
// and resampled as the official code does: mixtures of Gaussians on the circle and the sphere
// (numpy's legacy stream, bit for bit: math/random.ts), MNIST in polar coordinates (scipy.ndimage's
// rotate: cubic B-spline, reshape=False, mode 'constant'), circular shifts, the first n of each
// class, and the seeded shuffle.
import { RandomState } from '../math/random.js';
import { normaliseRows } from './layer.js';

/** Rows with labels, as the evaluators and ReduNet.fit take them. */
export interface LabelledRows {
  features: Float64Array;
  labels: Int32Array;
  n: number;
  dim: number;
}

const deg = Math.PI / 180;
const CENTERS_2D: Record<number, Array<[number, number]>> = {
  1: [
    [1, 0],
    [0, 1],
  ],
  2: [
    [Math.cos(Math.PI / 3), Math.sin(Math.PI / 3)],
    [1, 0],
  ],
  3: [
    [Math.cos(Math.PI / 4), Math.sin(Math.PI / 4)],
    [1, 0],
  ],
  4: [
    [Math.cos((3 * Math.PI) / 4), Math.sin((3 * Math.PI) / 4)],
    [1, 0],
  ],
  5: [
    [Math.cos((2 * Math.PI) / 3), Math.sin((2 * Math.PI) / 3)],
    [1, 0],
  ],
  6: [
    [Math.cos((3 * Math.PI) / 4), Math.sin((3 * Math.PI) / 4)],
    [Math.cos((4 * Math.PI) / 3), Math.sin((4 * Math.PI) / 3)],
    [1, 0],
  ],
  7: [
    [Math.cos((3 * Math.PI) / 4), Math.sin((3 * Math.PI) / 4)],
    [Math.cos((4 * Math.PI) / 3), Math.sin((4 * Math.PI) / 3)],
    [Math.cos(Math.PI / 4), Math.sin(Math.PI / 4)],
  ],
  8: [
    [Math.cos(Math.PI / 6), Math.sin(Math.PI / 6)],
    [Math.cos(Math.PI / 2), Math.sin(Math.PI / 2)],
    [Math.cos((3 * Math.PI) / 4), Math.sin((3 * Math.PI) / 4)],
    [Math.cos((5 * Math.PI) / 4), Math.sin((5 * Math.PI) / 4)],
    [Math.cos((7 * Math.PI) / 4), Math.sin((7 * Math.PI) / 4)],
    [Math.cos((3 * Math.PI) / 2), Math.sin((3 * Math.PI) / 2)],
  ],
};

// dataset.generate_3d's centres; data 3 keeps the official's cos(5π/6) as its second coordinate.
const CENTERS_3D: Record<number, Array<[number, number, number]>> = {
  1: [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ],
  2: [
    [Math.cos(Math.PI / 4), Math.sin(Math.PI / 4), 1],
    [Math.cos((2 * Math.PI) / 3), Math.sin((2 * Math.PI) / 3), 1],
    [Math.cos(Math.PI), Math.sin(Math.PI), 1],
  ],
  3: [
    [Math.cos(Math.PI / 4), Math.sin(Math.PI / 4), 1],
    [Math.cos((2 * Math.PI) / 3), Math.sin((2 * Math.PI) / 3), 1],
    [Math.cos((5 * Math.PI) / 6), Math.cos((5 * Math.PI) / 6), 1],
  ],
};

/** The `--data` choices of gaussian2d.py (1–8) and gaussian3d.py (1–3). */
export const GAUSSIAN_DATA = { 2: Object.keys(CENTERS_2D).map(Number), 3: Object.keys(CENTERS_3D).map(Number) } as const;

/**
 * dataset.generate_2d / generate_3d: `samples` points around each centre, each coordinate
 * centre + noise·N(0, 1) (numpy's `normal(loc=centre, scale=noise)`, drawn from `rng` in C order),
 * rows normalised to the unit circle/sphere; shuffled by `choice(N, N, replace=False)` if asked.
 * generate_3d returns float32: its rows are rounded to float32 here too.
 */
export function gaussianMixture(
  dim: 2 | 3,
  data: number,
  noise: number,
  samples: number,
  rng: RandomState,
  shuffle: boolean,
): LabelledRows & { numClasses: number } {
  const centers = dim === 2 ? CENTERS_2D[data] : CENTERS_3D[data];
  if (centers === undefined) throw new Error(`gaussian${dim}d: data ${data} not found; choose one of ${GAUSSIAN_DATA[dim].join(', ')}`);
  if (!(Number.isInteger(samples) && samples >= 1)) throw new Error(`gaussian${dim}d: samples must be a positive integer, got ${samples}`);
  const k = centers.length;
  const n = k * samples;
  let x = new Float64Array(n * dim);
  let y = new Int32Array(n);
  for (let c = 0; c < k; c++)
    for (let i = 0; i < samples; i++) {
      for (let j = 0; j < dim; j++) x[(c * samples + i) * dim + j] = centers[c][j] + noise * rng.nextGauss();
      y[c * samples + i] = c;
    }
  normaliseRows(x, n, dim);
  if (shuffle) {
    const idx = rng.choice(n, n, false);
    x = gatherRows(x, dim, idx);
    y = idx.map((i) => y[i]);
  }
  if (dim === 3) for (let t = 0; t < x.length; t++) x[t] = Math.fround(x[t]);
  return { features: x, labels: y, n, dim, numClasses: k };
}

/** Rows `index` of x (rows of `dim` numbers). */
export function gatherRows<T extends Float64Array | Uint8Array>(x: T, dim: number, index: ArrayLike<number>): T {
  const out = new (x.constructor as new (n: number) => T)(index.length * dim);
  for (let r = 0; r < index.length; r++) out.set(x.subarray(index[r] * dim, (index[r] + 1) * dim), r * dim);
  return out;
}

/**
 * functionals.filter_class: the first n rows (after skipping b·n) of each class in `classes`, in
 * that order; labels re-indexed 0.. by their sorted values (np.unique's inverse).
 */
export function filterClass(
  labels: ArrayLike<number>,
  classes: readonly number[],
  n: number,
  b = 0,
): { index: Int32Array; labels: Int32Array } {
  const index: number[] = [];
  const kept: number[] = [];
  for (const c of classes) {
    let seen = 0;
    for (let i = 0; i < labels.length; i++) {
      if (labels[i] !== c) continue;
      if (seen >= b * n && seen < (b + 1) * n) {
        index.push(i);
        kept.push(c);
      }
      seen++;
    }
  }
  const sorted = [...new Set(kept)].sort((a, b2) => a - b2);
  return { index: Int32Array.from(index), labels: Int32Array.from(kept, (c) => sorted.indexOf(c)) };
}

/** functionals.shuffle's order: `np.random.seed(seed); np.random.choice(count, count, replace=False)`. */
export function shuffleIndex(count: number, seed = 10): Int32Array {
  return new RandomState(seed).choice(count, count, false);
}

/** functionals.get_n_each: the first n rows of each class, classes ascending. */
export function firstOfEach(labels: ArrayLike<number>, n: number): Int32Array {
  const classes = [...new Set(Array.from(labels))].sort((a, b) => a - b);
  const out: number[] = [];
  for (const c of classes) {
    let seen = 0;
    for (let i = 0; i < labels.length && seen < n; i++)
      if (labels[i] === c) {
        out.push(i);
        seen++;
      }
  }
  return Int32Array.from(out);
}

/**
 * functionals.translate1d / translate2d: every sample circularly shifted by each of
 * −n·stride, …, 0, …, n·stride (np.roll: out[t] = in[t − s]) along the time axis, or along both
 * spatial axes (every pair); the copies one shift after another, labels tiled.
 */
export function translate(
  x: Float64Array,
  labels: ArrayLike<number>,
  shape: readonly number[],
  n: number,
  stride: number,
): LabelledRows & { shifts: number[][] } {
  const rows = labels.length;
  const dim = shape.reduce((a, b) => a * b, 1);
  const s = Array.from({ length: 2 * n + 1 }, (_, i) => (i - n) * stride);
  const shifts = shape.length === 3 ? s.flatMap((h) => s.map((w) => [h, w])) : s.map((t) => [t]);
  const out = new Float64Array(shifts.length * rows * dim);
  const y = new Int32Array(shifts.length * rows);
  shifts.forEach((sh, k) => {
    const o = k * rows * dim;
    out.set(roll(x, rows, shape, sh), o);
    for (let i = 0; i < rows; i++) y[k * rows + i] = labels[i];
  });
  return { features: out, labels: y, n: shifts.length * rows, dim, shifts };
}

/** np.roll of each sample (rows x shape) by `shift` along the last one (1-D) or two (2-D) axes. */
export function roll(x: Float64Array, rows: number, shape: readonly number[], shift: readonly number[]): Float64Array {
  const W = shape[shape.length - 1];
  const H = shape.length === 3 ? shape[1] : 1;
  const planes = (rows * shape.reduce((a, b) => a * b, 1)) / (H * W);
  const sh = shape.length === 3 ? shift[0] : 0;
  const sw = shift[shift.length - 1];
  const mod = (a: number, m: number) => ((a % m) + m) % m;
  const out = new Float64Array(x.length);
  for (let p = 0; p < planes; p++)
    for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) out[p * H * W + h * W + w] = x[p * H * W + mod(h - sh, H) * W + mod(w - sw, W)];
  return out;
}

// ── scipy.ndimage.rotate(image, angle, reshape=False) with its defaults: order 3, mode 'constant',
// cval 0, prefilter ────────────────────────────────────────────────────────────────────────────

/** The cubic B-spline's pole, √3 − 2. */
const POLE = -0.2679491924311227;

/**
 * In place: the cubic B-spline coefficients of a line (n samples from `o`, `stride` apart) that
 * interpolate it, the line mirrored beyond its ends (what scipy's spline filter does for 'constant'
 * and 'mirror'): a gain, then a causal and an anticausal first-order recursion, each started from
 * its closed-form boundary value.
 */
function splineLine(c: Float64Array, o: number, n: number, stride: number): void {
  if (n < 2) return;
  const z = POLE;
  const at = (i: number) => o + i * stride;
  const gain = (1 - z) * (1 - 1 / z);
  for (let i = 0; i < n; i++) c[at(i)] *= gain;
  // c⁺[0] = Σ_{i=0}^{2n−3} z^i · c[mirror(i)] / (1 − z^{2n−2}), the sum over one period of the mirrored line.
  const zn1 = z ** (n - 1);
  let first = c[at(0)] + zn1 * c[at(n - 1)];
  let zi = z;
  for (let i = 1; i < n - 1; i++) {
    first += zi * (c[at(i)] + zn1 * c[at(n - 1 - i)]);
    zi *= z;
  }
  c[at(0)] = first / (1 - zn1 * zn1);
  for (let i = 1; i < n; i++) c[at(i)] += z * c[at(i - 1)];
  c[at(n - 1)] = ((z * c[at(n - 2)] + c[at(n - 1)]) * z) / (z * z - 1);
  for (let i = n - 2; i >= 0; i--) c[at(i)] = z * (c[at(i + 1)] - c[at(i)]);
}

/** The spline coefficients of an H x W image (scipy's spline_filter, axis 0 then axis 1). */
export function splineCoefficients(img: ArrayLike<number>, H: number, W: number): Float64Array {
  const c = Float64Array.from(img);
  for (let w = 0; w < W; w++) splineLine(c, w, H, W);
  for (let h = 0; h < H; h++) splineLine(c, h * W, W, 1);
  return c;
}

/** The cubic B-spline weights of the 4 samples around x (from floor(x) − 1). */
function cubicWeights(x: number, w: Float64Array): void {
  const y = x - Math.floor(x);
  const z = 1 - y;
  w[1] = (y * y * (y - 2) * 3 + 4) / 6;
  w[2] = (z * z * (z - 2) * 3 + 4) / 6;
  w[0] = (z * z * z) / 6;
  w[3] = 1 - w[0] - w[1] - w[2];
}

/** An index beyond 0..n−1 mirrored back (…, 2, 1 | 0, 1, …, n−1 | n−2, …). */
function mirror(i: number, n: number): number {
  if (n <= 1) return 0;
  const p = 2 * n - 2;
  let j = i % p;
  if (j < 0) j += p;
  return j >= n ? p - j : j;
}

/**
 * The spline (coefficients c of an H x W image) at (row, col): 0 outside [0, H−1] x [0, W−1], as
 * scipy's mode 'constant' (no interpolation beyond the edges); near them the mirrored coefficients.
 */
function splineAt(c: Float64Array, H: number, W: number, row: number, col: number, wr: Float64Array, wc: Float64Array): number {
  if (!(row >= 0 && row <= H - 1 && col >= 0 && col <= W - 1)) return 0;
  const r0 = Math.floor(row) - 1;
  const c0 = Math.floor(col) - 1;
  cubicWeights(row, wr);
  cubicWeights(col, wc);
  let t = 0;
  for (let a = 0; a < 4; a++) {
    const base = mirror(r0 + a, H) * W;
    for (let b = 0; b < 4; b++) t += c[base + mirror(c0 + b, W)] * wr[a] * wc[b];
  }
  return t;
}

/** scipy's cast of an interpolated value into uint8: rounded half up, clipped to 0..255. */
const toUint8 = (t: number) => Math.trunc(Math.min(t > 0 ? t + 0.5 : 0, 255));

/**
 * scipy.special.cosdg / sindg: cos and sin of an angle in degrees, reduced to the octant first
 * (so that multiples of 90° are exact).
 */
export function cosSinDeg(angle: number): [number, number] {
  const a = ((angle % 360) + 360) % 360;
  const q = Math.round(a / 90);
  const r = (a - 90 * q) * deg; // in [−45°, 45°]
  const c = Math.cos(r);
  const s = Math.sin(r);
  switch (q % 4) {
    case 0:
      return [c, s];
    case 1:
      return [-s, c];
    case 2:
      return [-c, -s];
    default:
      return [s, -c];
  }
}

/** The affine map of scipy's rotate (reshape=False): input coordinates = R·output + offset. */
function rotation(angle: number, H: number, W: number): { m: [number, number, number, number]; off: [number, number] } {
  const [c, s] = cosSinDeg(angle);
  const ch = (H - 1) / 2;
  const cw = (W - 1) / 2;
  // rot = [[c, s], [−s, c]]; offset = centre − rot·centre.
  return { m: [c, s, -s, c], off: [ch - (c * ch + s * cw), cw - (-s * ch + c * cw)] };
}

/** scipy.ndimage.rotate(image, angle, reshape=False) of one H x W uint8 image (the result uint8, as scipy's). */
export function rotateImage(img: ArrayLike<number>, H: number, W: number, angle: number): Uint8Array {
  const c = splineCoefficients(img, H, W);
  const { m, off } = rotation(angle, H, W);
  const out = new Uint8Array(H * W);
  const wr = new Float64Array(4);
  const wc = new Float64Array(4);
  for (let h = 0; h < H; h++)
    for (let w = 0; w < W; w++)
      out[h * W + w] = toUint8(splineAt(c, H, W, h * m[0] + w * m[1] + off[0], h * m[2] + w * m[3] + off[1], wr, wc));
  return out;
}

/** np.linspace(start, stop, num) (the last value exactly `stop`). */
export function linspace(start: number, stop: number, num: number): number[] {
  if (num === 1) return [start];
  const step = (stop - start) / (num - 1);
  return Array.from({ length: num }, (_, i) => (i === num - 1 ? stop : i * step + start));
}

/**
 * functionals.convert2polar: n images (uint8, n x H x W) as n x channels x timesteps signals. For
 * each of `timesteps` angles in linspace(0, 360, timesteps) the image is rotated (scipy's rotate,
 * reshape=False, uint8) and the pixels of its middle row at columns linspace(0, H//2, channels)
 * (as integers) are read: channel 0 the left edge, the last the centre. Rotating the image turns
 * into a circular shift of the time axis (up to the official grid's 0° and 360° both being sampled).
 */
export function convert2polar(
  images: Uint8Array | Float64Array,
  n: number,
  H: number,
  W: number,
  channels: number,
  timesteps: number,
): Float64Array {
  if (images.length !== n * H * W) throw new Error(`convert2polar: ${images.length} pixels are not ${n} images of ${H} x ${W}`);
  if (!(Number.isInteger(channels) && channels >= 2 && Number.isInteger(timesteps) && timesteps >= 2))
    throw new Error(`convert2polar: channels and timesteps must be integers ≥ 2, got ${channels} and ${timesteps}`);
  const mid = Math.floor(H / 2);
  const cols = linspace(0, mid, channels).map((v) => Math.trunc(v));
  const maps = linspace(0, 360, timesteps).map((a) => rotation(a, H, W));
  const out = new Float64Array(n * channels * timesteps);
  const wr = new Float64Array(4);
  const wc = new Float64Array(4);
  for (let i = 0; i < n; i++) {
    const c = splineCoefficients(images.subarray(i * H * W, (i + 1) * H * W), H, W);
    maps.forEach(({ m, off }, t) => {
      cols.forEach((w, ch) => {
        const v = splineAt(c, H, W, mid * m[0] + w * m[1] + off[0], mid * m[2] + w * m[3] + off[1], wr, wc);
        out[(i * channels + ch) * timesteps + t] = toUint8(v);
      });
    });
  }
  return out;
}
