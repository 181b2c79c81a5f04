// Sparse symmetric matrices (CSR, float64) and their top eigenpairs.
//
// topEigenpairs is a block Krylov method: the basis grows one vector at a time, each new vector A
// times an earlier one, orthogonalised (classical Gram–Schmidt, twice) against the whole basis; a
// Rayleigh–Ritz step (linalg.ts symmetricEigen on the small projected matrix) gives the Ritz pairs,
// and when the basis is full it restarts from the best Ritz vectors (thick restart). Expanding a
// block of `blockSize` vectors at once finds repeated eigenvalues (one per connected component of
// a graph) that a single-vector Lanczos would miss. Cost per step: one product with A (nnz) plus
// O(n·basis) for the orthogonalisation.
import { dot, symmetricEigen } from '../math/linalg.js';
import { RandomState } from '../math/random.js';

export interface CsrMatrix {
  n: number;
  /** Row pointers, length n + 1. */
  indptr: Int32Array;
  /** Column of each stored entry, ascending within a row. */
  indices: Int32Array;
  values: Float64Array;
}

/** n x n CSR from coordinate triplets; duplicate (row, col) entries are summed. */
export function csrFromTriplets(n: number, rows: ArrayLike<number>, cols: ArrayLike<number>, vals: ArrayLike<number>): CsrMatrix {
  const nnz = rows.length;
  if (cols.length !== nnz || vals.length !== nnz) throw new Error(`csr: ${nnz} rows, ${cols.length} columns and ${vals.length} values`);
  const count = new Int32Array(n + 1);
  for (let e = 0; e < nnz; e++) {
    const r = rows[e];
    const c = cols[e];
    if (!(r >= 0 && r < n && c >= 0 && c < n)) throw new Error(`csr: entry (${r}, ${c}) outside a ${n} x ${n} matrix`);
    count[r + 1]++;
  }
  for (let i = 0; i < n; i++) count[i + 1] += count[i];
  const fill = count.slice(0, n);
  const ci = new Int32Array(nnz);
  const cv = new Float64Array(nnz);
  for (let e = 0; e < nnz; e++) {
    const p = fill[rows[e]]++;
    ci[p] = cols[e];
    cv[p] = vals[e];
  }
  // Sort each row by column and merge duplicates.
  const indptr = new Int32Array(n + 1);
  const indices = new Int32Array(nnz);
  const values = new Float64Array(nnz);
  let out = 0;
  const order: number[] = [];
  for (let i = 0; i < n; i++) {
    order.length = 0;
    for (let p = count[i]; p < count[i + 1]; p++) order.push(p);
    order.sort((a, b) => ci[a] - ci[b]);
    for (const p of order) {
      if (out > indptr[i] && indices[out - 1] === ci[p]) values[out - 1] += cv[p];
      else {
        indices[out] = ci[p];
        values[out] = cv[p];
        out++;
      }
    }
    indptr[i + 1] = out;
  }
  return { n, indptr, indices: indices.slice(0, out), values: values.slice(0, out) };
}

/** y = A x. */
export function csrMatVec(a: CsrMatrix, x: Float64Array, y: Float64Array): void {
  const { n, indptr, indices, values } = a;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let p = indptr[i]; p < indptr[i + 1]; p++) s += values[p] * x[indices[p]];
    y[i] = s;
  }
}

export interface TopEigenOptions {
  /** Vectors expanded together; at least the largest multiplicity expected (default k). */
  blockSize?: number;
  /** Basis size before a restart (default max(4k, k + 30), at most n). */
  maxBasis?: number;
  /** Stop when every wanted residual ‖Av − θv‖ is below tol·max(1, |θ|max) (default 1e-10). */
  tol?: number;
  /** Restarts before giving up (default 300). */
  maxRestarts?: number;
  /** Seed of the random start block (default 0). */
  seed?: number;
}

export interface TopEigenResult {
  /** The k largest eigenvalues, descending. */
  values: Float64Array;
  /** n x k row-major: column c is the eigenvector of values[c]. */
  vectors: Float64Array;
  /** Products with A used. */
  matvecs: number;
  /** Largest residual norm of the returned pairs. */
  residual: number;
}

/**
 * The k algebraically largest eigenpairs of a symmetric n x n operator given as y = A x
 * (scipy's eigsh(which='LA')).
 */
export function topEigenpairs(
  matvec: (x: Float64Array, y: Float64Array) => void,
  n: number,
  k: number,
  opts: TopEigenOptions = {},
): TopEigenResult {
  if (!(Number.isInteger(k) && k >= 1 && k <= n)) throw new Error(`topEigenpairs: k must be in 1..${n}, got ${k}`);
  const b = Math.min(opts.blockSize ?? k, n);
  const m = Math.min(n, Math.max(opts.maxBasis ?? Math.max(4 * k, k + 30), k + b));
  const tol = opts.tol ?? 1e-10;
  const maxRestarts = opts.maxRestarts ?? 300;
  const rng = new RandomState(opts.seed ?? 0);
  if (m >= n && n <= 600) return denseTop(matvec, n, k);

  const V = new Float64Array(m * n); // basis vectors, one per row
  const AV = new Float64Array(m * n);
  const H = new Float64Array(m * m); // VᵀAV
  let size = 0;
  let matvecs = 0;
  let queue: number[] = []; // basis vectors whose products extend the space next
  const tmp = new Float64Array(n);

  // Orthogonalise w against the basis (twice) and append it; false if nothing is left of it.
  const append = (w: Float64Array): boolean => {
    const before = Math.sqrt(dot(w, 0, w, 0, n));
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < size; i++) {
        const c = dot(V, i * n, w, 0, n);
        if (c !== 0) for (let t = 0; t < n; t++) w[t] -= c * V[i * n + t];
      }
    }
    const norm = Math.sqrt(dot(w, 0, w, 0, n));
    if (!(norm > 1e-10 * Math.max(before, 1e-300))) return false;
    const o = size * n;
    for (let t = 0; t < n; t++) V[o + t] = w[t] / norm;
    matvec(V.subarray(o, o + n), AV.subarray(o, o + n));
    matvecs++;
    for (let i = 0; i <= size; i++) {
      const h = dot(V, i * n, AV, o, n);
      H[i * m + size] = h;
      H[size * m + i] = h;
    }
    queue.push(size);
    size++;
    return true;
  };
  const appendRandom = (): void => {
    for (let tries = 0; tries < 10; tries++) {
      const r = rng.randn(n);
      tmp.set(r);
      if (append(tmp)) return;
    }
    throw new Error('topEigenpairs: cannot extend the basis (operator rank too small?)');
  };

  for (let i = 0; i < b; i++) appendRandom();
  let residual = Infinity;
  for (let restart = 0; ; restart++) {
    while (size < m) {
      const q = queue.shift();
      if (q === undefined) {
        appendRandom();
        continue;
      }
      tmp.set(AV.subarray(q * n, (q + 1) * n));
      if (!append(tmp)) appendRandom(); // an invariant subspace: carry on from a fresh direction
    }
    // Rayleigh–Ritz on the basis.
    const h = new Float64Array(size * size);
    for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) h[i * size + j] = H[i * m + j];
    const { values, vectors: Y } = symmetricEigen(h, size);
    const keep = Math.min(size - b, Math.max(k + b, Math.floor((size + k) / 2)));
    const U = new Float64Array(keep * n);
    const AU = new Float64Array(keep * n);
    for (let c = 0; c < keep; c++) {
      for (let i = 0; i < size; i++) {
        const y = Y[i * size + c];
        if (y === 0) continue;
        const o = i * n;
        const uo = c * n;
        for (let t = 0; t < n; t++) {
          U[uo + t] += y * V[o + t];
          AU[uo + t] += y * AV[o + t];
        }
      }
    }
    let scale = 1;
    for (let c = 0; c < k; c++) scale = Math.max(scale, Math.abs(values[c]));
    residual = 0;
    for (let c = 0; c < k; c++) {
      let r = 0;
      for (let t = 0; t < n; t++) r += (AU[c * n + t] - values[c] * U[c * n + t]) ** 2;
      residual = Math.max(residual, Math.sqrt(r));
    }
    if (residual <= tol * scale || restart >= maxRestarts) {
      if (residual > tol * scale * 1e4) {
        throw new Error(`topEigenpairs: no convergence after ${restart} restarts (residual ${residual.toExponential(2)})`);
      }
      const vectors = new Float64Array(n * k);
      for (let c = 0; c < k; c++) for (let t = 0; t < n; t++) vectors[t * k + c] = U[c * n + t];
      return { values: values.slice(0, k), vectors, matvecs, residual };
    }
    // Thick restart: the best Ritz vectors become the new basis; expand the wanted ones first.
    V.fill(0);
    AV.fill(0);
    H.fill(0);
    V.set(U);
    AV.set(AU);
    for (let c = 0; c < keep; c++) H[c * m + c] = values[c];
    size = keep;
    queue = Array.from({ length: Math.min(keep, k + b) }, (_, c) => c);
  }
}

// Small operators: materialise and decompose densely.
function denseTop(matvec: (x: Float64Array, y: Float64Array) => void, n: number, k: number): TopEigenResult {
  const a = new Float64Array(n * n);
  const e = new Float64Array(n);
  const col = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    e.fill(0);
    e[j] = 1;
    matvec(e, col);
    for (let i = 0; i < n; i++) a[i * n + j] = col[i];
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a[i * n + j] = a[j * n + i] = (a[i * n + j] + a[j * n + i]) / 2;
  const { values, vectors } = symmetricEigen(a, n);
  const out = new Float64Array(n * k);
  for (let t = 0; t < n; t++) for (let c = 0; c < k; c++) out[t * k + c] = vectors[t * n + c];
  return { values: values.slice(0, k), vectors: out, matvecs: n, residual: 0 };
}
