// The MCR² objective with the official code's conventions (loss.py of ryanchankh/mcr2):
//   eps means ε²; W = Zᵀ (p x m); α = p/(m·eps)
//   R_e  = ½ logdet(I + gam1·α·W Wᵀ)                               discrimn_loss_e
//   Rc_e = ½ Σ_j (tr_j/m) logdet(I + p/(tr_j·eps)·W Π_j Wᵀ), tr_j = |class j| + 1e-8   compress_loss_e
//   R_t  = R_e with gam1 = 1                                        discrimn_loss_t
//   total = −gam2·R_e + Rc_e                                        the value minimised
// W Π_j Wᵀ = Z_jᵀ Z_j, so no matrix is larger than p x p (never the k x m x m membership tensor):
// each term uses Z_jᵀZ_j (p x p) or, for a block of n < p rows, Z_jZ_jᵀ (n x n), which has the
// same logdet (Sylvester) and a cheaper gradient. logdet by Cholesky in float64; the gradient is
// written by hand: ∂½logdet(I + α ZᵀZ)/∂Z = α Z (I + α ZᵀZ)⁻¹ = α (I + α ZZᵀ)⁻¹ Z.
// evaluateOps below is the plain reference in tfjs ops (what the GPU backends run); on the CPU
// backends (wasm, cpu) the same logdets and gradient come from lib/accel/gram_logdets.ts, the
// WebAssembly SIMD kernels on the features read once (~4x faster than tfjs ops at batch 1000).
import * as tf from '@tensorflow/tfjs';
import { onCpuBackend } from '../accel/dense_ops.js';
import { gramLogdets } from '../accel/gram_logdets.js';
import { cholesky, identityPlus, inverseFromCholesky, logdetFromCholesky } from '../math/linalg.js';
import type { LossTerms } from './terms.js';

export interface MCR2Options {
  /** Weight of the discriminative term inside its logdet (official default 1). */
  gam1?: number;
  /** Weight of the discriminative term in the total (official default 1). */
  gam2?: number;
  /** ε² (official flag "eps squared"; official class default 0.01, CLI default 0.5). */
  eps?: number;
}

/** What `forward` returns: the differentiable value and the same terms as plain numbers. */
export interface LossOutput {
  /** The value to minimise (terms.total) as a scalar tensor, for tf.grads / tf.variableGrads. */
  value: tf.Scalar;
  terms: LossTerms;
}

export type Labels = tf.Tensor | ArrayLike<number>;

/** The loss on given (detached) features: the terms as numbers and ∂total/∂Z on demand. */
export interface LossEvaluation {
  terms: LossTerms;
  /** ∂total/∂Z (m x p); pass Z again if the original tensor may have been disposed. */
  gradient(z?: tf.Tensor): tf.Tensor2D;
}

/** What training needs of a loss: MaximalCodingRateReduction or CrossEntropyLoss. */
export interface TrainingLoss {
  evaluate(Z: tf.Tensor, labels: Labels, numClasses?: number): LossEvaluation;
  forward(Z: tf.Tensor, labels: Labels, numClasses?: number): LossOutput;
}

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

/** The batch grouped by class: what both evaluations share. */
interface BlockPlan {
  m: number;
  p: number;
  k: number;
  counts: Int32Array;
  offsets: Int32Array;
  /** Row of the input at each position of the class-sorted order, and the inverse map. */
  perm: Int32Array;
  inv: Int32Array;
  /** Classes with rows in the batch. */
  present: number[];
  /** Rows (class-sorted positions) of the whole batch, then of each present class. */
  blocks: Array<{ start: number; n: number }>;
  /** p/(m·eps). */
  alpha: number;
}

function checkPositive(name: string, v: number, allowZero = false): void {
  if (!Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    throw new Error(`MCR²: ${name} must be a finite number ${allowZero ? '≥' : '>'} 0, got ${v}`);
  }
}

export class MaximalCodingRateReduction implements TrainingLoss {
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
   * The loss and its four terms, on the (detached) features Z, with ∂total/∂Z on demand. No autodiff:
   * `forward` wraps this for tf.grads, and data-parallel training calls it on the gathered batch.
   * Z: m x p (rows unit-norm; the loss does not normalise); labels: m integers in 0..numClasses−1
   * (numClasses defaults to max(label)+1, as in the official code).
   */
  evaluate(Z: tf.Tensor, labels: Labels, numClasses?: number): LossEvaluation {
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
    const alpha = p / (m * this.eps);
    const present = [...Array(k).keys()].filter((j) => counts[j] > 0);
    // Blocks of rows (in class-sorted order): the whole batch, then each class present.
    const blocks: Array<{ start: number; n: number }> = [{ start: 0, n: m }, ...present.map((j) => ({ start: offsets[j], n: counts[j] }))];

    const plan: BlockPlan = { m, p, k, counts, offsets, perm, inv, present, blocks, alpha };
    // The same logdets and gradient by lib/accel's kernels where they run (the CPU backends).
    const fast = gramLogdets(Z, {
      p,
      perm,
      blocks,
      scales: blocks.map((_, i) => this.scale(plan, i)),
      extraScale: this.gam1 === 1 ? undefined : alpha,
      what: (i) => this.what(plan, i),
      name: 'MCR²',
    });
    if (fast === undefined) return this.evaluateOps(Z, plan);
    const { terms, coef } = this.terms(plan, fast.logdets, fast.extra ?? fast.logdets[0]);
    return { terms, gradient: (z: tf.Tensor = Z) => fast.gradient(coef, z) };
  }

  /** The terms from each block's logdet (the Cholesky factors' diagonals), and the gradient's coefficients. */
  private terms(plan: BlockPlan, logdets: number[], logdetT: number): { terms: LossTerms; coef: number[] } {
    const { m, p, counts, present, alpha } = plan;
    const { gam1, gam2, eps } = this;
    const re = 0.5 * logdets[0];
    const rt = gam1 === 1 ? re : 0.5 * logdetT;
    let rc = 0;
    present.forEach((j, idx) => {
      rc += 0.5 * ((counts[j] + 1e-8) / m) * logdets[idx + 1];
    });
    // ∂½c·logdet(I + αZ_bᵀZ_b)/∂Z_b = c·α·Z_b(I + αZ_bᵀZ_b)⁻¹ = c·α·(I + αZ_bZ_bᵀ)⁻¹Z_b.
    // Whole batch: c·α = −gam2·gam1·p/(m·eps); class j: (tr_j/m)·p/(tr_j·eps) = p/(m·eps).
    const coef = [-gam2 * gam1 * alpha, ...present.map(() => p / (m * eps))];
    return { terms: { total: -gam2 * re + rc, discrimnLossE: re, compressLossE: rc, discrimnLossT: rt, compressLossT: rc }, coef };
  }

  /** Scale of block i's Gram matrix inside its logdet: gam1·α for the batch, p/(tr_j·eps) for class j. */
  private scale(plan: BlockPlan, i: number): number {
    return i === 0 ? this.gam1 * plan.alpha : plan.p / ((plan.counts[plan.present[i - 1]] + 1e-8) * this.eps);
  }

  private what(plan: BlockPlan, i: number): string {
    return i === 0 ? 'I + gam1·p/(m·eps)·ZᵀZ' : `I + p/(tr_j·eps)·Z_jᵀZ_j for class ${plan.present[i - 1]}`;
  }

  /** The tfjs-ops evaluation (GPU backends): Gram matrices and gradient products on the backend. */
  private evaluateOps(Z: tf.Tensor, plan: BlockPlan): LossEvaluation {
    const { p, present, blocks, perm, inv } = plan;
    // Each block's Gram matrix on the backend, in whichever form is smaller: ZᵀZ (p x p, "primal")
    // or ZZᵀ (n x n, "dual"; logdet(I + αZᵀZ) = logdet(I + αZZᵀ)). Explicit transposes: matMul
    // with transposeA/B is slow on wasm.
    const dual = blocks.map((bl) => bl.n < p);
    const grams = tf.tidy(() => {
      const zs = tf.gather(Z, tf.tensor1d(perm, 'int32'));
      const zst = tf.transpose(zs);
      return blocks.map((bl, i) => {
        const rows = tf.slice(zs, [bl.start, 0], [bl.n, p]);
        const cols = tf.slice(zst, [0, bl.start], [p, bl.n]);
        return dual[i] ? tf.matMul(rows, cols) : tf.matMul(cols, rows);
      });
    });
    const g = grams.map((t) => {
      const f = new Float64Array(t.dataSync());
      t.dispose();
      for (let i = 0; i < f.length; i++) if (!Number.isFinite(f[i])) throw new Error('MCR²: features contain NaN or Inf');
      return f;
    });
    const dim = (i: number) => (dual[i] ? blocks[i].n : p);
    const factors = blocks.map((_, i) => cholesky(identityPlus(g[i], this.scale(plan, i), dim(i)), dim(i), this.what(plan, i)));
    const logdetT =
      this.gam1 === 1 ? 0 : logdetFromCholesky(cholesky(identityPlus(g[0], plan.alpha, dim(0)), dim(0), 'I + p/(m·eps)·ZᵀZ'), dim(0));
    const { terms, coef } = this.terms(
      plan,
      factors.map((l, i) => logdetFromCholesky(l, dim(i))),
      logdetT,
    );

    const gradient = (z: tf.Tensor = Z): tf.Tensor2D => {
      const mats = factors.map((l, i) => {
        const inv = inverseFromCholesky(l, dim(i));
        const out = new Float32Array(inv.length);
        for (let e = 0; e < inv.length; e++) out[e] = coef[i] * inv[e];
        return out;
      });
      return tf.tidy(() => {
        const zs = tf.gather(z, tf.tensor1d(perm, 'int32'));
        const part = (i: number) => {
          const rows = tf.slice(zs, [blocks[i].start, 0], [blocks[i].n, p]);
          const w = tf.tensor2d(mats[i], [dim(i), dim(i)]);
          return dual[i] ? tf.matMul(w, rows) : tf.matMul(rows, w);
        };
        const classes =
          present.length === 1
            ? part(1)
            : tf.concat(
                present.map((_, idx) => part(idx + 1)),
                0,
              );
        return tf.gather(tf.add(part(0), classes), tf.tensor1d(inv, 'int32')) as tf.Tensor2D;
      });
    };
    return { terms, gradient };
  }

  /** The loss as a differentiable scalar tensor (for tf.grads), with its terms as numbers. */
  forward(Z: tf.Tensor, labels: Labels, numClasses?: number): LossOutput {
    let ev: LossEvaluation | undefined;
    const lossFn = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const z = args[0] as tf.Tensor2D;
      // tfjs disposes the forward's intermediates (the input included) before the backward runs:
      // whatever the gradient reads must go through save().
      (args[1] as tf.GradSaveFunc)([z]);
      ev = this.evaluate(z, labels, numClasses);
      const e = ev;
      return {
        value: tf.scalar(e.terms.total),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          // dy is 1 when the loss is what is differentiated (reading it is free on a CPU backend).
          if (onCpuBackend() && dy.size === 1 && dy.dataSync()[0] === 1) return e.gradient(saved[0]);
          return tf.tidy(() => tf.mul(e.gradient(saved[0]), dy));
        },
      };
    });
    const value = lossFn(Z) as tf.Scalar;
    return { value, terms: ev!.terms };
  }
}
