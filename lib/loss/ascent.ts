// MCR² with no network: the features themselves are the parameters (the paper's synthetic setting,
// notebook 00). Each iteration takes the loss and its hand-written gradient with respect to Z, steps
// Z ← Z − lr·∇, and puts every row back on the unit sphere (what a network's last normalisation does).
import * as tf from '@tensorflow/tfjs';
import type { TrainingLoss } from './mcr2.js';
import type { LossRow } from './terms.js';

export interface AscentOptions {
  /** The loss (MaximalCodingRateReduction with its gam1, gam2, eps). */
  loss: TrainingLoss;
  /** Gradient steps; the terms are recorded before each and after the last (iterations + 1 rows). */
  iterations: number;
  /** Step size. */
  lr: number;
  /** Classes the labels range over (default: the largest label + 1). */
  numClasses?: number;
}

/** Gradient steps on unit features `z0` (n x dim rows, `labels` one per row); their rows and the end point. */
export function optimiseFeatures(
  z0: { features: Float32Array; labels: Int32Array; dim: number },
  o: AscentOptions,
): { rows: LossRow[]; features: Float32Array } {
  const { labels, dim } = z0;
  let Z = tf.tensor2d(z0.features, [labels.length, dim]);
  const rows: LossRow[] = [];
  for (let it = 0; ; it++) {
    const ev = o.loss.evaluate(Z, labels, o.numClasses);
    rows.push({ epoch: 0, step: it, ...ev.terms });
    if (it === o.iterations) break;
    const g = ev.gradient();
    const next = tf.tidy(() => {
      const y = tf.sub(Z, tf.mul(g, o.lr));
      return tf.div(y, tf.norm(y, 2, 1, true)) as tf.Tensor2D;
    });
    tf.dispose([g, Z]);
    Z = next;
  }
  const features = Z.dataSync() as Float32Array;
  Z.dispose();
  return { rows, features };
}
