// The MCR² objective with the official code's conventions (loss.py of ryanchankh/mcr2):
//   eps means ε²; W = Zᵀ (p x m); α = p/(m·eps)
//   R_e  = ½ logdet(I + gam1·α·W Wᵀ)                               discrimn_loss_e
//   Rc_e = ½ Σ_j (tr_j/m) logdet(I + p/(tr_j·eps)·W Π_j Wᵀ), tr_j = |class j| + 1e-8   compress_loss_e
//   R_t  = R_e with gam1 = 1                                        discrimn_loss_t
//   total = −gam2·R_e + Rc_e                                        the value minimised
// W Π_j Wᵀ = Z_jᵀ Z_j, so only p x p matrices are built (never the k x m x m membership tensor).
// logdet by Cholesky in float64; the gradient is written by hand:
//   ∂½logdet(I + α ZᵀZ)/∂Z = α Z (I + α ZᵀZ)⁻¹.
import * as tf from '@tensorflow/tfjs';
import { cholesky, identityPlus, inverseFromCholesky, logdetFromCholesky } from './linalg.js';

export interface MCR2Options {
  /** Weight of the discriminative term inside its logdet (official default 1). */
  gam1?: number;
  /** Weight of the discriminative term in the total (official default 1). */
  gam2?: number;
  /** ε² (official flag "eps squared"; official class default 0.01, CLI default 0.5). */
  eps?: number;
}

export interface MCR2Result {
  /** −gam2·R_e + Rc_e, a scalar tensor to minimise. */
  total: tf.Scalar;
  discrimnLossE: number;
  compressLossE: number;
  discrimnLossT: number;
  compressLossT: number;
}

export type Labels = tf.Tensor | ArrayLike<number>;

function labelArray(labels: Labels): Int32Array {
  if (labels instanceof tf.Tensor) {
    if (labels.rank !== 1) throw new Error(`labels must be a 1-D tensor, got shape [${labels.shape}]`);
    return Int32Array.from(labels.dataSync());
  }
  const out = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (!Number.isInteger(v)) throw new Error(`labels must be integers, labels[${i}] = ${v}`);
    out[i] = v;
  }
  return out;
}

function checkPositive(name: string, v: number, allowZero = false): void {
  if (!Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    throw new Error(`MCR²: ${name} must be a finite number ${allowZero ? '≥' : '>'} 0, got ${v}`);
  }
}

export class MaximalCodingRateReduction {
  readonly gam1: number;
  readonly gam2: number;
  readonly eps: number;

  constructor(opts: MCR2Options = {}) {
    this.gam1 = opts.gam1 ?? 1.0;
    this.gam2 = opts.gam2 ?? 1.0;
    this.eps = opts.eps ?? 0.01;
    checkPositive('eps', this.eps);
    checkPositive('gam1', this.gam1, true);
    if (!Number.isFinite(this.gam2)) throw new Error(`MCR²: gam2 must be finite, got ${this.gam2}`);
  }

  /**
   * Z: m x p features (rows unit-norm; the loss does not normalise). labels: m integers in
   * 0..numClasses−1. numClasses defaults to max(label)+1, as in the official code.
   */
  forward(Z: tf.Tensor, labels: Labels, numClasses?: number): MCR2Result {
    if (Z.rank !== 2) throw new Error(`MCR²: features must be 2-D (m x p), got shape [${Z.shape}]`);
    if (Z.dtype !== 'float32') throw new Error(`MCR²: features must be float32, got ${Z.dtype}`);
    const [m, p] = Z.shape;
    const y = labelArray(labels);
    if (y.length !== m) throw new Error(`MCR²: ${m} feature rows but ${y.length} labels`);
    if (m === 0 || p === 0) throw new Error(`MCR²: empty features [${Z.shape}]`);
    let maxLabel = 0;
    for (let i = 0; i < m; i++) if (y[i] > maxLabel) maxLabel = y[i];
    const k = numClasses ?? maxLabel + 1;
    if (!Number.isInteger(k) || k < 1) throw new Error(`MCR²: numClasses must be a positive integer, got ${k}`);
    const counts = new Int32Array(k);
    for (let i = 0; i < m; i++) {
      if (y[i] < 0 || y[i] >= k) throw new Error(`MCR²: label ${y[i]} at index ${i} is outside 0..${k - 1}`);
      counts[y[i]]++;
    }
    // Rows grouped by class (stable), so each class is one contiguous block.
    const offsets = new Int32Array(k + 1);
    for (let j = 0; j < k; j++) offsets[j + 1] = offsets[j] + counts[j];
    const perm = new Int32Array(m);
    const inv = new Int32Array(m);
    const fill = offsets.slice(0, k);
    for (let i = 0; i < m; i++) {
      const pos = fill[y[i]]++;
      perm[pos] = i;
      inv[i] = pos;
    }
    const { gam1, gam2, eps } = this;
    const alpha = p / (m * eps);
    const present = [...Array(k).keys()].filter((j) => counts[j] > 0);
    let terms = { re: 0, rc: 0, rt: 0 };

    const lossFn = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const z = args[0] as tf.Tensor2D;
      // tfjs disposes the forward's intermediates (the input included) before the backward runs:
      // whatever the gradient reads must go through save().
      (args[1] as tf.GradSaveFunc)([z]);
      // Per-class Gram matrices Z_jᵀZ_j on the backend (explicit transpose: fast matMul on wasm).
      const grams = tf.tidy(() => {
        const zs = tf.gather(z, tf.tensor1d(perm, 'int32'));
        const zst = tf.transpose(zs);
        return present.map((j) => {
          const a = offsets[j];
          const n = counts[j];
          return tf.matMul(tf.slice(zst, [0, a], [p, n]), tf.slice(zs, [a, 0], [n, p]));
        });
      });
      const g = new Float64Array(p * p);
      const gj: Float64Array[] = [];
      for (const t of grams) {
        const d = t.dataSync();
        t.dispose();
        const f = new Float64Array(d);
        for (let i = 0; i < p * p; i++) {
          if (!Number.isFinite(f[i])) throw new Error('MCR²: features contain NaN or Inf');
          g[i] += f[i];
        }
        gj.push(f);
      }
      const lE = cholesky(identityPlus(g, gam1 * alpha, p), p, 'I + gam1·p/(m·eps)·ZᵀZ');
      const re = 0.5 * logdetFromCholesky(lE, p);
      const rt = gam1 === 1 ? re : 0.5 * logdetFromCholesky(cholesky(identityPlus(g, alpha, p), p, 'I + p/(m·eps)·ZᵀZ'), p);
      const lJ: Float64Array[] = [];
      let rc = 0;
      present.forEach((j, idx) => {
        const tr = counts[j] + 1e-8;
        const l = cholesky(identityPlus(gj[idx], p / (tr * eps), p), p, `I + p/(tr_j·eps)·Z_jᵀZ_j for class ${j}`);
        lJ.push(l);
        rc += 0.5 * (tr / m) * logdetFromCholesky(l, p);
      });
      terms = { re, rc, rt };
      const value = tf.scalar(-gam2 * re + rc);

      const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
        // ∂total/∂Z_j = Z_j N_j with N_j = −gam2·gam1·α·A⁻¹ + (tr_j/m)·(p/(tr_j·eps))·A_j⁻¹.
        const aInv = inverseFromCholesky(lE, p);
        const c = p / (m * eps);
        const blocks = present.map((j, idx) => {
          const ajInv = inverseFromCholesky(lJ[idx], p);
          const nj = new Float32Array(p * p);
          for (let i = 0; i < p * p; i++) nj[i] = -gam2 * gam1 * alpha * aInv[i] + c * ajInv[i];
          return nj;
        });
        return tf.tidy(() => {
          const zs = tf.gather(saved[0], tf.tensor1d(perm, 'int32'));
          const parts = present.map((j, idx) =>
            tf.matMul(tf.slice(zs, [offsets[j], 0], [counts[j], p]), tf.tensor2d(blocks[idx], [p, p])));
          const gs = parts.length === 1 ? parts[0] : tf.concat(parts, 0);
          return tf.mul(tf.gather(gs, tf.tensor1d(inv, 'int32')), dy);
        });
      };
      return { value, gradFunc };
    });

    const total = lossFn(Z) as tf.Scalar;
    return {
      total,
      discrimnLossE: terms.re,
      compressLossE: terms.rc,
      discrimnLossT: terms.rt,
      compressLossT: terms.rc,
    };
  }
}
