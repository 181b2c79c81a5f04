// Small dense linear algebra in float64 for p x p symmetric positive-definite matrices (p = feature
// dimension, ~128): Cholesky, log-determinant, inverse. tfjs has no Cholesky, and at this size plain
// JS in float64 is both fast (~1 ms each) and more accurate than float32 on any backend.

/** Row-major p x p matrix. */
export type Mat = Float64Array;

/**
 * a[ao..ao+n) · b[bo..bo+n) with four accumulators: the inner product of the factorisations below
 * (one accumulator waits on each add's latency; four keep the multipliers busy, ~3x faster).
 */
export function dot4(a: Float64Array, ao: number, b: Float64Array, bo: number, n: number, pairs = true): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 3 < n; j += 4) {
    s0 += a[ao + j] * b[bo + j];
    s1 += a[ao + j + 1] * b[bo + j + 1];
    s2 += a[ao + j + 2] * b[bo + j + 2];
    s3 += a[ao + j + 3] * b[bo + j + 3];
  }
  for (; j < n; j++) s0 += a[ao + j] * b[bo + j];
  // pairs: (s0 + s1) + (s2 + s3); else ((s0 + s1) + s2) + s3, k-means's order.
  return pairs ? s0 + s1 + (s2 + s3) : s0 + s1 + s2 + s3;
}

/** Lower-triangular L with A = L Lᵀ (A row-major, only its lower triangle is read). */
export function cholesky(a: Mat, p: number, what = 'matrix'): Mat {
  const l = new Float64Array(p * p);
  for (let j = 0; j < p; j++) {
    const rj = j * p;
    const d = a[rj + j] - dot4(l, rj, l, rj, j);
    if (!(d > 0)) {
      throw new Error(`${what} is not positive definite (pivot ${j} = ${d}); features contain NaN/Inf or eps is too small`);
    }
    const ljj = Math.sqrt(d);
    l[rj + j] = ljj;
    const inv = 1 / ljj;
    for (let i = j + 1; i < p; i++) {
      const ri = i * p;
      l[ri + j] = (a[ri + j] - dot4(l, ri, l, rj, j)) * inv;
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
  // mt = (L⁻¹)ᵀ, kept transposed so that both loops below are contiguous dot products:
  //   (L⁻¹)[i][j] = −(Σ_{j≤k<i} L[i][k]·(L⁻¹)[k][j]) / L[i][i] = −(Σ_k L[i][k]·mt[j][k]) / L[i][i]
  const mt = new Float64Array(p * p);
  for (let j = 0; j < p; j++) {
    const rj = j * p;
    mt[rj + j] = 1 / l[rj + j];
    for (let i = j + 1; i < p; i++) {
      const ri = i * p;
      mt[rj + i] = -dot4(l, ri + j, mt, rj + j, i - j) / l[ri + i];
    }
  }
  // A⁻¹[i][j] = Σ_{k ≥ max(i,j)} (L⁻¹)[k][i]·(L⁻¹)[k][j] = Σ_k mt[i][k]·mt[j][k]
  const inv = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    const ri = i * p;
    for (let j = 0; j <= i; j++) {
      const rj = j * p;
      const s = dot4(mt, ri + i, mt, rj + i, p - i);
      inv[ri + j] = s;
      inv[rj + i] = s;
    }
  }
  return inv;
}

/** I + alpha·G for a row-major p x p G. */
export function identityPlus(g: ArrayLike<number>, alpha: number, p: number): Mat {
  const a = new Float64Array(p * p);
  for (let i = 0; i < p * p; i++) a[i] = alpha * g[i];
  for (let i = 0; i < p; i++) a[i * p + i] += 1;
  return a;
}

export interface SymmetricEigen {
  /** Eigenvalues, descending. */
  values: Float64Array;
  /** Eigenvectors as columns of a row-major n x n matrix (n x count for symmetricEigenTop), in the order of `values`. */
  vectors: Float64Array;
}

/**
 * Eigen-decomposition of a symmetric n x n matrix: Householder reduction to tridiagonal form, then
 * the implicit QL algorithm (the classic EISPACK tred2/tql2 pair). O(n³), ~10 ms at n = 128.
 */
export function symmetricEigen(a: ArrayLike<number>, n: number): SymmetricEigen {
  const v = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) v[i] = a[i];
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  tridiagonalize(v, d, e, n);
  diagonalize(v, d, e, n);
  const order = [...Array(n).keys()].sort((i, j) => d[j] - d[i]);
  const values = Float64Array.from(order, (i) => d[i]);
  const vectors = new Float64Array(n * n);
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) vectors[r * n + c] = v[r * n + order[c]];
  return { values, vectors };
}

/**
 * The `count` largest eigenpairs of a symmetric n x n matrix: symmetricEigen's values and vectors
 * (the same algorithm: the same rotations), with the QL rotations applied only to the `count`
 * columns wanted (in reverse, from the left) instead of to all n: ~3x faster at n = 128, count 15.
 */
export function symmetricEigenTop(a: ArrayLike<number>, n: number, count: number): SymmetricEigen {
  const q = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) q[i] = a[i];
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  tridiagonalize(q, d, e, n);
  const rot: Rotations = { i: [], c: [], s: [] };
  diagonalize(null, d, e, n, rot);
  const order = [...Array(n).keys()].sort((i, j) => d[j] - d[i]).slice(0, count);
  // W = G_1 ··· G_M E_J, from G_M on: V = Q G_1 ··· G_M, and V E_J holds the wanted columns.
  const w = new Float64Array(n * count);
  order.forEach((j, t) => {
    w[j * count + t] = 1;
  });
  for (let r = rot.i.length - 1; r >= 0; r--) {
    const i0 = rot.i[r] * count;
    const i1 = i0 + count;
    const c = rot.c[r];
    const s = rot.s[r];
    for (let t = 0; t < count; t++) {
      const a0 = w[i0 + t];
      const a1 = w[i1 + t];
      w[i0 + t] = c * a0 + s * a1;
      w[i1 + t] = c * a1 - s * a0;
    }
  }
  const vectors = new Float64Array(n * count);
  for (let r = 0; r < n; r++) {
    for (let k = 0; k < n; k++) {
      const qk = q[r * n + k];
      if (qk === 0) continue;
      for (let t = 0; t < count; t++) vectors[r * count + t] += qk * w[k * count + t];
    }
  }
  return { values: Float64Array.from(order, (i) => d[i]), vectors };
}

// Householder tridiagonalisation: on return v holds the orthogonal transform, d the diagonal and
// e the sub-diagonal (e[0] = 0). EISPACK's tred2 walks the matrix by columns; this runs it on the
// transpose (the input is symmetric), so that its inner loops walk rows: the same operations in the
// same order (the same bits), ~2x faster at n = 128 from the cache.
function transposeInPlace(v: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const t = v[i * n + j];
      v[i * n + j] = v[j * n + i];
      v[j * n + i] = t;
    }
  }
}

function tridiagonalize(v: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  transposeInPlace(v, n); // to the transposed layout (an input only nearly symmetric keeps its bits)
  for (let j = 0; j < n; j++) d[j] = v[j * n + n - 1];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = v[j * n + i - 1];
        v[j * n + i] = 0;
        v[i * n + j] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j];
        v[i * n + j] = f;
        g = e[j] + v[j * n + j] * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += v[j * n + k] * d[k];
          e[k] += v[j * n + k] * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        for (let k = j; k <= i - 1; k++) v[j * n + k] -= f * e[k] + g * d[k];
        d[j] = v[j * n + i - 1];
        v[j * n + i] = 0;
      }
    }
    d[i] = h;
  }
  for (let i = 0; i < n - 1; i++) {
    v[i * n + n - 1] = v[i * n + i];
    v[i * n + i] = 1;
    const h = d[i + 1];
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = v[(i + 1) * n + k] / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += v[(i + 1) * n + k] * v[j * n + k];
        for (let k = 0; k <= i; k++) v[j * n + k] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) v[(i + 1) * n + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = v[j * n + n - 1];
    v[j * n + n - 1] = 0;
  }
  v[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
  transposeInPlace(v, n); // back from the transposed layout
}

/** The plane rotations of the QL iterations, in order: rotation t acts on coordinates i[t], i[t] + 1. */
interface Rotations {
  i: number[];
  c: number[];
  s: number[];
}

// Implicit QL iterations on the tridiagonal (d, e), accumulating rotations into v (or, v null,
// recording them in rot: the eigenvalues do not depend on v).
function diagonalize(v: Float64Array | null, d: Float64Array, e: Float64Array, n: number, rot?: Rotations): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n) {
      if (Math.abs(e[m]) <= eps * tst1) break;
      m++;
    }
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > 60) throw new Error('symmetricEigen: no convergence (matrix has NaN or Inf?)');
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          if (v === null) {
            rot!.i.push(i);
            rot!.c.push(c);
            rot!.s.push(s);
            continue;
          }
          for (let k = 0; k < n; k++) {
            const vk = k * n;
            h = v[vk + i + 1];
            v[vk + i + 1] = s * v[vk + i] + c * h;
            v[vk + i] = c * v[vk + i] - s * h;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
}

/** a[ao..ao+n) · b[bo..bo+n), two accumulators (the lasso and eigensolver inner product). */
export function dot(a: Float64Array, ao: number, b: Float64Array, bo: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let j = 0;
  for (; j + 1 < n; j += 2) {
    s0 += a[ao + j] * b[bo + j];
    s1 += a[ao + j + 1] * b[bo + j + 1];
  }
  if (j < n) s0 += a[ao + j] * b[bo + j];
  return s0 + s1;
}
