// The coding rate reduction of a set of features, in consecutive batches of the size training used:
// how much of what the training steps reached (each computed on one batch) the features of the
// whole set keep, e.g. in inference mode against the training log.
import * as tf from '@tensorflow/tfjs';
import { MaximalCodingRateReduction } from '../loss/mcr2.js';
import type { Features } from '../data/features.js';

export interface BatchRateOptions {
  /** Rows a batch (default 1000, the official batch); a last partial batch is left out. */
  batchSize?: number;
  /** ε² of the rates (default 0.5, the paper's). */
  eps?: number;
  /** Classes (default: the largest label + 1). */
  numClasses?: number;
}

/** Mean over batches of ΔR = R − Rᶜ, R and Rᶜ (the theoretical terms, γ₁ = 1), in nats. */
export function batchRateReduction(f: Features, opts: BatchRateOptions = {}): { deltaR: number; R: number; Rc: number; batches: number } {
  const bs = opts.batchSize ?? 1000;
  if (!(Number.isInteger(bs) && bs >= 2)) throw new Error(`batchRateReduction: batchSize must be an integer ≥ 2, got ${bs}`);
  if (f.n < bs) throw new Error(`batchRateReduction: ${f.n} rows make no batch of ${bs}`);
  let k = opts.numClasses ?? 0;
  if (k === 0) for (let i = 0; i < f.n; i++) k = Math.max(k, f.labels[i] + 1);
  const loss = new MaximalCodingRateReduction({ gam1: 1, gam2: 1, eps: opts.eps ?? 0.5 });
  let R = 0;
  let Rc = 0;
  let batches = 0;
  for (let s = 0; s + bs <= f.n; s += bs, batches++) {
    const Z = tf.tensor2d(f.features.subarray(s * f.dim, (s + bs) * f.dim), [bs, f.dim]);
    const { terms } = loss.evaluate(Z, f.labels.subarray(s, s + bs), k);
    Z.dispose();
    R += terms.discrimnLossT;
    Rc += terms.compressLossT;
  }
  return { deltaR: (R - Rc) / batches, R: R / batches, Rc: Rc / batches, batches };
}
