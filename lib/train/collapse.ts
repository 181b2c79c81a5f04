// Stops a run whose features collapse, as the non-finite-loss guard stops a diverging one: the
// official CIFAR-100 self-supervised command is publicly reported to end with weights ~1e-27 and
// all-zero features, a run that goes on for hours with nothing left to learn.
//
// Everything is read from the step's own loss terms (its losses.csv row), so the check costs nothing
// and needs no features: for a batch Z of m rows in p dimensions and α = p/(m·ε²),
//   R = ½ logdet(I + α ZᵀZ) = ½ Σ_k log(1 + α λ_k),  λ_k the eigenvalues of ZᵀZ, Σ λ_k = Σ_i ‖z_i‖².
// - Near-zero norm. R ≥ ½ log(1 + α Σ λ_k) (concavity), so the mean squared norm of the rows is at
//   most (e^{2R} − 1)·ε²/p: below `minNorm`² the features are (numerically) zero.
// - Rank ≤ 1. Unit rows (every official network ends in F.normalize) give Σ λ_k = m and
//   R ≥ ½ log(1 + p/ε²), with equality exactly when every row lies on one line. R within `rankTol`
//   of that bound: one direction holds all but a fraction of about 2·rankTol·ε²/p of the energy
//   (or the norms shrank, which is a collapse too).
// - ΔR ≈ 0. |R − Rᶜ| below `deltaRTol` for `patience` steps in a row: the classes' subspaces are
//   no longer told apart, whatever the features' rank.
// Cross-entropy rows have no R (NaN): nothing is checked.
import type { Callback, LoopState, StepResult } from './callbacks.js';

/** The thresholds of {@link CollapseGuard}, each with its default. */
export interface CollapseGuardOptions {
  /** ε² of the loss (the `eps` option; R is ½ logdet(I + p/(m·eps)·ZᵀZ)). Required. */
  eps: number;
  /** Root-mean-square feature norm below which a batch's features count as zero (default 1e-3). */
  minNorm?: number;
  /** Nats above the rank-1 rate ½ log(1 + p/ε²) within which a batch counts as rank ≤ 1 (default 1e-3). */
  rankTol?: number;
  /** |ΔR| (nats) below which a step counts as not separating anything (default 1e-3). */
  deltaRTol?: number;
  /** Steps in a row with |ΔR| < deltaRTol before the run is stopped (default 10). */
  patience?: number;
}

export const COLLAPSE_DEFAULTS: Readonly<Required<Omit<CollapseGuardOptions, 'eps'>>> = {
  minNorm: 1e-3,
  rankTol: 1e-3,
  deltaRTol: 1e-3,
  patience: 10,
};

/**
 * What collapsed at a step (undefined: nothing). Pure: the row's terms, the batch size and the feature
 * dimension p. The batch size cancels out of both bounds (R of m rows is read per row), so it is unused.
 */
export function collapseOf(
  t: { discrimnLossT: number; compressLossT: number },
  _batchSize: number,
  p: number,
  opts: CollapseGuardOptions,
): { kind: 'zero' | 'rank' | 'deltaR'; what: string } | undefined {
  const o = { ...COLLAPSE_DEFAULTS, ...opts };
  const R = t.discrimnLossT;
  if (!Number.isFinite(R)) return undefined;
  const meanSq = (Math.expm1(2 * R) * o.eps) / p;
  if (meanSq < o.minNorm * o.minNorm)
    return {
      kind: 'zero',
      what: `the batch's features have near-zero norm (R ${R.toExponential(2)}: root-mean-square norm at most ${Math.sqrt(Math.max(meanSq, 0)).toExponential(2)})`,
    };
  const rank1 = 0.5 * Math.log1p(p / o.eps);
  if (R <= rank1 + o.rankTol)
    return {
      kind: 'rank',
      what: `the batch's features have rank ≤ 1 (R ${R.toFixed(4)}, what unit features on one line give: ½·log(1 + ${p}/${o.eps}) = ${rank1.toFixed(4)})`,
    };
  if (Math.abs(R - t.compressLossT) < o.deltaRTol) return { kind: 'deltaR', what: `ΔR ${(R - t.compressLossT).toExponential(2)}` };
  return undefined;
}

/**
 * A training callback (callbacks.ts): after each step, stops the run when its features collapsed
 * (see the top of this file), with an error that names the step, what collapsed, what to change
 * and the last checkpoint taken before the collapse began.
 */
export class CollapseGuard implements Callback {
  private readonly opts: Required<CollapseGuardOptions>;
  /** Flat index (epoch·steps + step) of the first step of the current run of ΔR ≈ 0 steps, and its length. */
  private flatSince = -1;
  private flatSteps = 0;

  constructor(opts: CollapseGuardOptions) {
    if (!(opts.eps > 0)) throw new Error(`CollapseGuard: eps must be > 0, got ${opts.eps}`);
    this.opts = { ...COLLAPSE_DEFAULTS, ...opts };
  }

  onStepEnd(s: LoopState, r: StepResult): void {
    const c = collapseOf(r.row, r.images, s.model.featureDim, this.opts);
    const at = r.row.epoch * s.stepsPerEpoch + r.row.step;
    if (c?.kind !== 'deltaR') this.flatSteps = 0;
    if (c === undefined) return;
    if (c.kind === 'deltaR') {
      if (this.flatSteps === 0) this.flatSince = at;
      if (++this.flatSteps < this.opts.patience) return;
      throw featuresCollapsed(
        s,
        r,
        `ΔR stayed within ${this.opts.deltaRTol} of 0 for ${this.flatSteps} steps (now ${c.what})`,
        this.flatSince,
      );
    }
    throw featuresCollapsed(s, r, c.what, at);
  }
}

/** The error: where, what collapsed, the last checkpoint whose weights gave a step before `firstBad`, what to change. */
function featuresCollapsed(s: LoopState, r: StepResult, what: string, firstBad: number): Error {
  const run = s.run;
  // Epoch e's checkpoint holds the weights of flat step (e + 1)·steps: good if that step came before the collapse.
  const good = run.completeEpochs().filter((e) => (e + 1) * s.stepsPerEpoch < firstBad);
  const e = good.at(-1);
  let now = '';
  try {
    const p = run.readParams();
    now = ` (now --lr ${p.lr}, --wd ${p.wd})`;
  } catch {
    // the message stands without the current values
  }
  const kept =
    e !== undefined ? `the last good checkpoint is ${run.modelFile(e)} (epoch ${e})` : 'no checkpoint was taken before the collapse began';
  const from = e !== undefined ? `, or go on from the good checkpoint with --pretrain_dir ${run.dir} --pretrain_epo ${e}` : '';
  return new Error(
    `the features collapsed at epoch ${r.row.epoch}, step ${r.row.step}: ${what}; training stopped and ${kept}.\n` +
      `Lower --lr or --wd${now} and start again with another --tail${from}.`,
  );
}
