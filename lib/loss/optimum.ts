// The closed-form optimum of the rate reduction (Yu et al. 2020, Theorem 2.1): for unit rows, classes
// on orthogonal subspaces, class j with d_j equal singular values σ² = m_j/d_j, ΔR is a separable
// sum; the best budgets d_j (Σ d_j ≤ p) follow by a small dynamic programme. Notebook 00 compares
// what gradient steps on the features reach with it.

/** R, Rᶜ and ΔR = R − Rᶜ (natural logs, ε² = eps, as the official code's terms). */
export interface RateTerms {
  R: number;
  Rc: number;
  dR: number;
}

/** The sizes the formulas need: p (feature dimension) and ε² (the official `eps`). */
export interface OptimumOptions {
  dim: number;
  eps: number;
}

/** One class's share of ΔR at singular value² s2: ½log(1 + p s²/(m ε²)) − (m_j/2m) log(1 + p s²/(m_j ε²)). */
function classGain(mj: number, m: number, s2: number, o: OptimumOptions): number {
  return 0.5 * Math.log(1 + (o.dim * s2) / (m * o.eps)) - (mj / (2 * m)) * Math.log(1 + (o.dim * s2) / (mj * o.eps));
}

/** R, Rᶜ, ΔR of orthogonal classes, class j (of counts[j] rows) with dims[j] equal singular values. */
export function orthogonalRateReduction(counts: readonly number[], dims: readonly number[], o: OptimumOptions): RateTerms {
  const m = counts.reduce((a, b) => a + b, 0);
  let R = 0;
  let Rc = 0;
  dims.forEach((dj, j) => {
    if (dj === 0) return;
    R += 0.5 * dj * Math.log(1 + (o.dim * counts[j]) / (m * o.eps * dj));
    Rc += (counts[j] / (2 * m)) * dj * Math.log(1 + o.dim / (o.eps * dj));
  });
  return { R, Rc, dR: R - Rc };
}

export interface RateReductionOptimum extends RateTerms {
  /** The best rank budget of each class (Σ ≤ p). */
  dims: number[];
  /** The theorem's first condition: p ≥ Σ d_j (room for orthogonal classes). */
  room: boolean;
  /** Its second: ε⁴ < min_j (m_j/m)(p/d_j)² (then each class has rank d_j, equal singular values). */
  precision: { eps4: number; bound: number; holds: boolean };
  /**
   * The most ΔR an unequal last singular value gains over equal ones (d_j − 1 equal values x ≥
   * m_j/d_j and one m_j − (d_j − 1)x, searched on a grid of 1,000): ≤ 0 where equal is best.
   */
  unequalGain: number;
}

/** The optimum for classes of `counts` rows: budgets, ΔR*, and the theorem's conditions checked. */
export function rateReductionOptimum(counts: readonly number[], o: OptimumOptions): RateReductionOptimum {
  const m = counts.reduce((a, b) => a + b, 0);
  const p = o.dim;
  const f = (j: number, dj: number) => (dj === 0 ? 0 : dj * classGain(counts[j], m, counts[j] / dj, o));
  // best[b]: the best sum over the classes so far using b dimensions, and the budgets that give it.
  let best = Array.from({ length: p + 1 }, () => ({ v: 0, dims: [] as number[] }));
  for (let j = 0; j < counts.length; j++) {
    best = best.map((_, b) => {
      let top = { v: -Infinity, dims: [] as number[] };
      for (let dj = 1; dj <= Math.min(b, counts[j]); dj++) {
        const v = best[b - dj].v + f(j, dj);
        if (v > top.v && best[b - dj].dims.length === j) top = { v, dims: [...best[b - dj].dims, dj] };
      }
      return top;
    });
  }
  const dims = best[p].dims;
  let unequalGain = 0;
  dims.forEach((dj, j) => {
    const mj = counts[j];
    for (let t = 1; t <= 1000 && dj > 1; t++) {
      const x = mj / dj + (t / 1000) * (mj / (dj - 1) - mj / dj);
      unequalGain = Math.max(unequalGain, (dj - 1) * classGain(mj, m, x, o) + classGain(mj, m, mj - (dj - 1) * x, o) - f(j, dj));
    }
  });
  const eps4 = o.eps * o.eps;
  const bound = Math.min(...dims.map((dj, j) => (counts[j] / m) * (p / dj) ** 2));
  return {
    ...orthogonalRateReduction(counts, dims, o),
    dims,
    room: p >= dims.reduce((a, b) => a + b, 0),
    precision: { eps4, bound, holds: eps4 < bound },
    unequalGain,
  };
}
