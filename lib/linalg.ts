// Small dense linear algebra in float64 for p x p symmetric positive-definite matrices (p = feature
// dimension, ~128): Cholesky, log-determinant, inverse. tfjs has no Cholesky, and at this size plain
// JS in float64 is both fast (~1 ms each) and more accurate than float32 on any backend.

/** Row-major p x p matrix. */
export type Mat = Float64Array;

/** Lower-triangular L with A = L Lᵀ (A row-major, only its lower triangle is read). */
export function cholesky(a: Mat, p: number, what = 'matrix'): Mat {
  const l = new Float64Array(p * p);
  for (let j = 0; j < p; j++) {
    const rj = j * p;
    let d = a[rj + j];
    for (let k = 0; k < j; k++) d -= l[rj + k] * l[rj + k];
    if (!(d > 0)) {
      throw new Error(`${what} is not positive definite (pivot ${j} = ${d}); features contain NaN/Inf or eps is too small`);
    }
    const ljj = Math.sqrt(d);
    l[rj + j] = ljj;
    const inv = 1 / ljj;
    for (let i = j + 1; i < p; i++) {
      const ri = i * p;
      let s = a[ri + j];
      for (let k = 0; k < j; k++) s -= l[ri + k] * l[rj + k];
      l[ri + j] = s * inv;
    }
  }
  return l;
}

/** log det A = 2 Σ log L_ii. */
export function logdetFromCholesky(l: Mat, p: number): number {
  let s = 0;
  for (let i = 0; i < p; i++) s += Math.log(l[i * p + i]);
  return 2 * s;
}

/** A⁻¹ = L⁻ᵀ L⁻¹ from the Cholesky factor (full symmetric result, row-major). */
export function inverseFromCholesky(l: Mat, p: number): Mat {
  // M = L⁻¹ (lower triangular), by forward substitution column by column.
  const m = new Float64Array(p * p);
  for (let j = 0; j < p; j++) {
    m[j * p + j] = 1 / l[j * p + j];
    for (let i = j + 1; i < p; i++) {
      const ri = i * p;
      let s = 0;
      for (let k = j; k < i; k++) s -= l[ri + k] * m[k * p + j];
      m[ri + j] = s / l[ri + i];
    }
  }
  // A⁻¹[i][j] = Σ_{k ≥ max(i,j)} M[k][i] M[k][j]; accumulate row by row of M for locality.
  const inv = new Float64Array(p * p);
  for (let k = 0; k < p; k++) {
    const rk = k * p;
    for (let i = 0; i <= k; i++) {
      const mki = m[rk + i];
      if (mki === 0) continue;
      const ri = i * p;
      for (let j = 0; j <= i; j++) inv[ri + j] += mki * m[rk + j];
    }
  }
  for (let i = 0; i < p; i++) for (let j = 0; j < i; j++) inv[j * p + i] = inv[i * p + j];
  return inv;
}

/** I + alpha·G for a row-major p x p G. */
export function identityPlus(g: ArrayLike<number>, alpha: number, p: number): Mat {
  const a = new Float64Array(p * p);
  for (let i = 0; i < p * p; i++) a[i] = alpha * g[i];
  for (let i = 0; i < p; i++) a[i * p + i] += 1;
  return a;
}
