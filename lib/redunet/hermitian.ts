// Small Hermitian positive-definite matrices, complex and interleaved (re, im), row-major: the
// Cholesky factor A = L Lᴴ, the log-determinant from it, and the inverse L⁻ᴴ L⁻¹ (Hermitian by
// construction, where a general inverse, np.linalg.inv's LU, is only Hermitian to rounding).
// ReduNet's operators are α(I + αΣ)⁻¹ of such matrices: C x C per frequency (real matrices are the
// case of zero imaginary parts). Only the lower triangle of A is read.

/** L (lower triangular, real positive diagonal) of A = L Lᴴ; p x p complex. `what` names A in errors. */
export function hermitianCholesky(a: Float64Array, p: number, what: string, ao = 0, l = new Float64Array(2 * p * p)): Float64Array {
  l.fill(0);
  for (let j = 0; j < p; j++) {
    const rj = 2 * j * p;
    let d = a[ao + rj + 2 * j];
    for (let k = 0; k < j; k++) d -= l[rj + 2 * k] * l[rj + 2 * k] + l[rj + 2 * k + 1] * l[rj + 2 * k + 1];
    if (!(d > 0)) throw new Error(`${what} is not positive definite (pivot ${j} = ${d}): features contain NaN/Inf, or eps is too small`);
    const ljj = Math.sqrt(d);
    l[rj + 2 * j] = ljj;
    const inv = 1 / ljj;
    for (let i = j + 1; i < p; i++) {
      const ri = 2 * i * p;
      // (A[i][j] − Σ_k L[i][k]·conj(L[j][k])) / L[j][j]
      let re = a[ao + ri + 2 * j];
      let im = a[ao + ri + 2 * j + 1];
      for (let k = 0; k < j; k++) {
        const xr = l[ri + 2 * k];
        const xi = l[ri + 2 * k + 1];
        const yr = l[rj + 2 * k];
        const yi = l[rj + 2 * k + 1];
        re -= xr * yr + xi * yi;
        im -= xi * yr - xr * yi;
      }
      l[ri + 2 * j] = re * inv;
      l[ri + 2 * j + 1] = im * inv;
    }
  }
  return l;
}

/** log det A = 2 Σ log L_jj. */
export function logdetFromFactor(l: Float64Array, p: number): number {
  let s = 0;
  for (let j = 0; j < p; j++) s += Math.log(l[2 * (j * p + j)]);
  return 2 * s;
}

/**
 * scale · A⁻¹ = scale · L⁻ᴴ L⁻¹ from the factor, written (full Hermitian) into out at `oo`.
 * `m` is scratch of 2p² numbers.
 */
export function scaledInverseFromFactor(
  l: Float64Array,
  p: number,
  scale: number,
  out: Float64Array,
  oo: number,
  m = new Float64Array(2 * p * p),
): void {
  // M = L⁻¹ (lower triangular), column by column: M[i][j] = −(Σ_{j≤k<i} L[i][k]·M[k][j]) / L[i][i].
  m.fill(0);
  for (let j = 0; j < p; j++) {
    m[2 * (j * p + j)] = 1 / l[2 * (j * p + j)];
    for (let i = j + 1; i < p; i++) {
      let re = 0;
      let im = 0;
      for (let k = j; k < i; k++) {
        const xr = l[2 * (i * p + k)];
        const xi = l[2 * (i * p + k) + 1];
        const yr = m[2 * (k * p + j)];
        const yi = m[2 * (k * p + j) + 1];
        re += xr * yr - xi * yi;
        im += xr * yi + xi * yr;
      }
      const d = -1 / l[2 * (i * p + i)];
      m[2 * (i * p + j)] = re * d;
      m[2 * (i * p + j) + 1] = im * d;
    }
  }
  // A⁻¹[i][j] = Σ_{k ≥ max(i,j)} conj(M[k][i])·M[k][j]; the lower triangle, mirrored conjugated.
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let re = 0;
      let im = 0;
      for (let k = i; k < p; k++) {
        const xr = m[2 * (k * p + i)];
        const xi = m[2 * (k * p + i) + 1];
        const yr = m[2 * (k * p + j)];
        const yi = m[2 * (k * p + j) + 1];
        re += xr * yr + xi * yi;
        im += xr * yi - xi * yr;
      }
      out[oo + 2 * (i * p + j)] = scale * re;
      out[oo + 2 * (i * p + j) + 1] = scale * im;
      out[oo + 2 * (j * p + i)] = scale * re;
      out[oo + 2 * (j * p + i) + 1] = i === j ? 0 : -scale * im;
    }
  }
}
