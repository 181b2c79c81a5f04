// Label corruption as the official code does it (corrupt.py), with numpy-exact random draws.
import { RandomState } from '../math/random.js';

/**
 * `default_corrupt`: seed numpy with `seed`, pick int(N·ratio) indices without replacement, give each
 * a label drawn uniformly from 0..K−1 (K = max label + 1; the new label may equal the old one).
 */
export function defaultCorrupt(labels: ArrayLike<number>, ratio: number, seed: number): Int32Array {
  if (!(ratio >= 0 && ratio <= 1)) throw new Error(`label corruption ratio must be in [0, 1], got ${ratio}`);
  const out = Int32Array.from(labels);
  const n = out.length;
  let k = 0;
  for (let i = 0; i < n; i++) k = Math.max(k, out[i] + 1);
  const nRand = Math.floor(n * ratio);
  const r = new RandomState(seed);
  const idx = r.choice(n, nRand, false);
  const lab = r.choice(k, nRand, true);
  for (let i = 0; i < nRand; i++) out[idx[i]] = lab[i];
  return out;
}

/**
 * `asymmetric_noise`: seed numpy, then for each class in order shuffle its indices and move the
 * first ratio·n_c of them: truck→automobile (9→1), bird→airplane (2→0), cat→dog (3→5),
 * dog→cat (5→3), deer→horse (4→7). In place, as the official code: dogs made from cats can be
 * sent back to cat when class 5 comes up.
 */
export function asymmetricCorrupt(labels: ArrayLike<number>, ratio: number, seed: number, numClasses?: number): Int32Array {
  if (!(ratio >= 0 && ratio <= 1)) throw new Error(`label corruption ratio must be in [0, 1], got ${ratio}`);
  const out = Int32Array.from(labels);
  let k = numClasses ?? 0;
  for (let i = 0; i < out.length; i++) k = Math.max(k, out[i] + 1);
  const to: Record<number, number> = { 9: 1, 2: 0, 3: 5, 5: 3, 4: 7 };
  const r = new RandomState(seed);
  for (let c = 0; c < k; c++) {
    const idx: number[] = [];
    for (let i = 0; i < out.length; i++) if (out[i] === c) idx.push(i);
    const shuffled = r.shuffle(Int32Array.from(idx));
    if (!(c in to)) continue;
    for (let j = 0; j < shuffled.length; j++) if (j < ratio * shuffled.length) out[shuffled[j]] = to[c];
  }
  return out;
}

/** Each label i becomes j with probability P[i][j], drawn as numpy's RandomState(seed).multinomial. */
function transitionNoise(y: Int32Array, rows: number[][], seed: number): Int32Array {
  const r = new RandomState(seed);
  const out = new Int32Array(y.length);
  for (let i = 0; i < y.length; i++) {
    const counts = r.multinomial(1, rows[y[i]]);
    out[i] = counts.indexOf(1);
  }
  return out;
}

function classCount(y: ArrayLike<number>): number {
  return new Set(Array.from(y)).size;
}

/** The labels after a transition matrix (k classes) whose row i is rowOf(i, k), drawn with `seed`. */
function noisify(labels: ArrayLike<number>, noise: number, seed: number, rowOf: (i: number, k: number) => number[]): Int32Array {
  if (!(noise >= 0 && noise <= 1)) throw new Error(`label corruption ratio must be in [0, 1], got ${noise}`);
  const y = Int32Array.from(labels);
  if (noise === 0) return y;
  const k = classCount(y);
  return transitionNoise(
    y,
    Array.from({ length: k }, (_, i) => rowOf(i, k)),
    seed,
  );
}

/** `noisify_pairflip`: class i → (i+1) mod K with probability `noise`. */
export function pairflipCorrupt(labels: ArrayLike<number>, noise: number, seed: number): Int32Array {
  return noisify(labels, noise, seed, (i, k) => {
    const row = new Array<number>(k).fill(0);
    row[i] = 1 - noise;
    row[(i + 1) % k] = noise;
    return row;
  });
}

/** `noisify_multiclass_symmetric`: keep with probability 1−noise, else any other class uniformly. */
export function symmetricCorrupt(labels: ArrayLike<number>, noise: number, seed: number): Int32Array {
  return noisify(labels, noise, seed, (i, k) => {
    const row = new Array<number>(k).fill(noise / (k - 1));
    row[i] = 1 - noise;
    return row;
  });
}

/** The official --corrupt names (corrupt.py) and their short forms. */
export const CORRUPTIONS = ['default', 'asymmetric', 'pairflip', 'symmetric'] as const;
export type CorruptionMode = (typeof CORRUPTIONS)[number];

const CORRUPT_ALIASES: Record<string, CorruptionMode> = {
  default_corrupt: 'default',
  asymmetric_noise: 'asymmetric',
  noisify_pairflip: 'pairflip',
  noisify_multiclass_symmetric: 'symmetric',
};

export function corruptLabels(labels: ArrayLike<number>, mode: string, ratio: number, seed: number): Int32Array {
  switch (CORRUPT_ALIASES[mode] ?? mode) {
    case 'default':
      return defaultCorrupt(labels, ratio, seed);
    case 'asymmetric':
      return asymmetricCorrupt(labels, ratio, seed);
    case 'pairflip':
      return pairflipCorrupt(labels, ratio, seed);
    case 'symmetric':
      return symmetricCorrupt(labels, ratio, seed);
    default:
      throw new Error(`unknown label corruption '${mode}'; available: ${CORRUPTIONS.join(', ')}`);
  }
}

/** How many entries differ. */
export function countChanged(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let c = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) c++;
  return c;
}
