// The loss terms, defined once: what a loss returns beside its differentiable value, what a training
// step reports, what an epoch averages and what one losses.csv row holds (with its epoch and step).
// Names follow the official losses.csv columns: loss (here `total`), discrimn_loss_e, compress_loss_e,
// discrimn_loss_t, compress_loss_t. Cross-entropy has only a total; its four MCR² terms are NaN.

export interface LossTerms {
  /** The value minimised: −gam2·R_e + Rc_e for MCR², the mean cross-entropy for the baseline. */
  total: number;
  /** R_e = ½ logdet(I + gam1·p/(m·eps)·ZᵀZ), the empirical discriminative term. */
  discrimnLossE: number;
  /** Rc_e = Σ_j (m_j/2m) logdet(I + p/(m_j·eps)·Z_jᵀZ_j), the empirical compressive term. */
  compressLossE: number;
  /** R_t: R_e with gam1 = 1 (the theoretical term the paper plots). */
  discrimnLossT: number;
  /** Rc_t (equal to Rc_e). */
  compressLossT: number;
}

/** One losses.csv row: a step's loss terms (column `loss` is `total`) and where it was taken. */
export interface LossRow extends LossTerms {
  /** 0-based epoch. */
  epoch: number;
  /** 0-based step within the epoch. */
  step: number;
}

/** The five term names in losses.csv column order (after epoch and step). */
export const LOSS_TERM_KEYS = ['total', 'discrimnLossE', 'compressLossE', 'discrimnLossT', 'compressLossT'] as const;

/** Terms of a loss that has only a total (cross-entropy). */
export function totalOnly(total: number): LossTerms {
  return { total, discrimnLossE: NaN, compressLossE: NaN, discrimnLossT: NaN, compressLossT: NaN };
}

/** The mean of each term over `rows` (NaN terms stay NaN; no rows: all NaN). */
export function meanTerms(rows: readonly LossTerms[]): LossTerms {
  const out = totalOnly(NaN);
  for (const k of LOSS_TERM_KEYS) out[k] = rows.reduce((a, r) => a + r[k], 0) / rows.length;
  return out;
}

/** Only the five terms of a larger record (a row, a summary). */
export function lossTerms(r: LossTerms): LossTerms {
  return {
    total: r.total,
    discrimnLossE: r.discrimnLossE,
    compressLossE: r.compressLossE,
    discrimnLossT: r.discrimnLossT,
    compressLossT: r.compressLossT,
  };
}
