// Label corruption as the official code does it (corrupt.py), with numpy-exact random draws.
import { RandomState } from '../random.js';

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

export const CORRUPTIONS = ['default'] as const;
export type CorruptionMode = (typeof CORRUPTIONS)[number];

export function corruptLabels(labels: ArrayLike<number>, mode: string, ratio: number, seed: number): Int32Array {
  switch (mode) {
    case 'default':
      return defaultCorrupt(labels, ratio, seed);
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
