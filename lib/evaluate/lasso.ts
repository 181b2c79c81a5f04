// The lasso  min_c ½‖y − Σ_j c_j d_j‖² + λ‖c‖₁  over a small dictionary (rows d_j), solved exactly
// two ways:
//  - lassoLars: the LARS homotopy with the lasso modification (Efron et al. 2004), as
//    scikit-learn's LassoLars / sparse_encode(algorithm='lasso_lars') does. It walks λ down from
//    max_j |d_jᵀy| to the target, adding an atom when its correlation reaches the active level and
//    dropping one whose coefficient crosses zero; Gram columns only for atoms that become active.
//  - lassoFeatureSign: the feature-sign search, which can start from a previous solution (EnSC
//    re-solves supports that grew by a few atoms).
// Both return the active set and its Cholesky factor, so that a later solve can start from them.

import { dot } from '../math/linalg.js';

export interface LassoOptions {
  /** Steps before giving up (scikit-learn's max_iter for sparse_encode, default 1000). */
  maxSteps?: number;
}

export interface LassoResult {
  /** One coefficient per atom (exact zeros off the active set). */
  coef: Float64Array;
  /** Steps taken. */
  steps: number;
  /** The active atoms (positions in `atoms`) in the order of `chol`. */
  active: Int32Array;
  /** Cholesky factor of their Gram matrix, m x m lower-triangular row-major (m = active.length). */
  chol: Float64Array;
}

/** The leading m x m block of a factor stored with row stride `cap`. */
function packFactor(L: Float64Array, cap: number, m: number): Float64Array {
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let q = 0; q <= i; q++) out[i * m + q] = L[i * cap + q];
  return out;
}

/**
 * Lasso over the atoms `atoms` (row indices into `dict`, an n x dim row-major matrix) for target y.
 * `cov` may pass the correlations d_jᵀy in atom order (they are computed otherwise).
 */
export function lassoLars(
  dict: Float64Array,
  dim: number,
  atoms: ArrayLike<number>,
  y: Float64Array,
  lambda: number,
  cov?: Float64Array,
  opts: LassoOptions = {},
): LassoResult {
  const s = atoms.length;
  const maxSteps = opts.maxSteps ?? 1000;
  if (!(lambda > 0)) throw new Error(`lasso: lambda must be positive, got ${lambda}`);
  const coef = new Float64Array(s);
  const c = new Float64Array(s); // current correlations d_jᵀ(y − Dc)
  if (cov) c.set(cov);
  else for (let j = 0; j < s; j++) c[j] = dot(dict, atoms[j] * dim, y, 0, dim);
  const diagG = new Float64Array(s);
  for (let j = 0; j < s; j++) diagG[j] = dot(dict, atoms[j] * dim, dict, atoms[j] * dim, dim);

  let top = 0;
  for (let j = 1; j < s; j++) if (Math.abs(c[j]) > Math.abs(c[top])) top = j;
  let C = s > 0 ? Math.abs(c[top]) : 0;
  if (C <= lambda) return { coef, steps: 0, active: new Int32Array(0), chol: new Float64Array(0) };

  const cap = Math.min(s, dim); // independent atoms in R^dim
  const active: number[] = []; // atom positions in the order they joined
  const sign = new Float64Array(s);
  const isActive = new Uint8Array(s);
  const excluded = new Uint8Array(s); // degenerate atoms (linearly dependent on the active set)
  // Gram columns of active atoms, kept in atom order: gcol[k][j] = d_jᵀ d_{active[k]}.
  const gcol: Float64Array[] = [];
  const L = new Float64Array(cap * cap); // Cholesky factor of G_AA, row-major cap x cap
  const w = new Float64Array(cap);
  const tmp = new Float64Array(cap);
  const a = new Float64Array(s);

  const column = (atom: number): Float64Array => {
    const col = new Float64Array(s);
    const o = atoms[atom] * dim;
    for (let j = 0; j < s; j++) col[j] = j === atom ? diagG[j] : dot(dict, atoms[j] * dim, dict, o, dim);
    return col;
  };
  // Appends an atom (its Gram column) to the Cholesky factor; false when it is (numerically) a
  // combination of the active atoms, which scikit-learn also refuses ("degenerate regressors").
  const cholAppend = (atom: number, col: Float64Array): boolean => {
    const m = active.length;
    let d = diagG[atom];
    for (let r = 0; r < m; r++) {
      let v = col[active[r]];
      for (let q = 0; q < r; q++) v -= L[r * cap + q] * tmp[q];
      tmp[r] = v / L[r * cap + r];
      d -= tmp[r] * tmp[r];
    }
    if (!(d > 1e-12 * diagG[atom]) || m >= cap) return false;
    for (let q = 0; q < m; q++) L[m * cap + q] = tmp[q];
    L[m * cap + m] = Math.sqrt(d);
    return true;
  };
  const join = (j: number): boolean => {
    const col = column(j);
    if (!cholAppend(j, col)) {
      excluded[j] = 1;
      return false;
    }
    active.push(j);
    gcol.push(col);
    isActive[j] = 1;
    sign[j] = c[j] > 0 ? 1 : -1;
    return true;
  };
  join(top);

  let steps = 0;
  let dropped = -1;
  let droppedSign = 0;
  while (steps < maxSteps) {
    steps++;
    const m = active.length;
    // Equiangular direction: G_AA w = sign_A (two triangular solves).
    for (let r = 0; r < m; r++) {
      let v = sign[active[r]];
      for (let q = 0; q < r; q++) v -= L[r * cap + q] * w[q];
      w[r] = v / L[r * cap + r];
    }
    for (let r = m - 1; r >= 0; r--) {
      let v = w[r];
      for (let q = r + 1; q < m; q++) v -= L[q * cap + r] * w[q];
      w[r] = v / L[r * cap + r];
    }
    // a = G[:, A] w: how fast each correlation falls per unit of the step.
    a.fill(0);
    for (let k = 0; k < m; k++) {
      const col = gcol[k];
      const wk = w[k];
      for (let j = 0; j < s; j++) a[j] += col[j] * wk;
    }
    // Step: to λ, to the next atom joining, or to the next coefficient reaching zero.
    let gamma = C - lambda;
    let event = 0; // 0: reach λ, 1: join, 2: drop
    let who = -1;
    for (let j = 0; j < s; j++) {
      if (isActive[j] || excluded[j]) continue;
      // An atom dropped in the last step sits exactly at the active level on its old side, and
      // rounding can make it look as if it rejoins there at once; only the far side counts.
      const g1 = j === dropped && droppedSign > 0 ? Infinity : (C - c[j]) / (1 - a[j]);
      const g2 = j === dropped && droppedSign < 0 ? Infinity : (C + c[j]) / (1 + a[j]);
      if (g1 > 0 && g1 < gamma) {
        gamma = g1;
        event = 1;
        who = j;
      }
      if (g2 > 0 && g2 < gamma) {
        gamma = g2;
        event = 1;
        who = j;
      }
    }
    for (let k = 0; k < m; k++) {
      const j = active[k];
      const g = -coef[j] / w[k];
      if (g > 0 && g < gamma) {
        gamma = g;
        event = 2;
        who = k;
      }
    }
    for (let k = 0; k < m; k++) coef[active[k]] += gamma * w[k];
    for (let j = 0; j < s; j++) c[j] -= gamma * a[j];
    C -= gamma;
    dropped = -1;
    if (event === 0) break;
    if (event === 1) {
      join(who);
    } else {
      const j = active[who];
      coef[j] = 0;
      isActive[j] = 0;
      dropped = j;
      droppedSign = sign[j];
      choleskyRemove(L, cap, active.length, who);
      active.splice(who, 1);
      gcol.splice(who, 1);
    }
    if (active.length === 0) break;
  }
  return { coef, steps, active: Int32Array.from(active), chol: packFactor(L, cap, active.length) };
}

export interface WarmStart {
  /** Atom positions (indices into `atoms`) of the starting active set. */
  active: ArrayLike<number>;
  /** Their coefficients (nonzero), e.g. a previous solution over a smaller support. */
  coef: ArrayLike<number>;
  /** The Cholesky factor of their Gram matrix in this order (m x m), as a LassoResult gives it. */
  chol?: Float64Array;
}

/**
 * Removes row and column k from the m x m lower-triangular Cholesky factor L (row stride `cap`) of
 * G, leaving the factor of G without that row and column: the rows below k move up and Givens
 * rotations on neighbouring columns restore the triangle. O((m − k)·m).
 */
export function choleskyRemove(L: Float64Array, cap: number, m: number, k: number): void {
  for (let i = k; i < m - 1; i++) for (let q = 0; q <= i + 1; q++) L[i * cap + q] = L[(i + 1) * cap + q];
  for (let q = 0; q < m; q++) L[(m - 1) * cap + q] = 0;
  for (let r = k; r < m - 1; r++) {
    const a = L[r * cap + r];
    const b = L[r * cap + r + 1];
    if (b === 0) continue;
    const h = Math.hypot(a, b);
    const c = a / h;
    const s = b / h;
    for (let i = r; i < m - 1; i++) {
      const x = L[i * cap + r];
      const y = L[i * cap + r + 1];
      L[i * cap + r] = c * x + s * y;
      L[i * cap + r + 1] = -s * x + c * y;
    }
    L[r * cap + r + 1] = 0;
  }
  for (let r = k; r < m - 1; r++) {
    if (L[r * cap + r] < 0) for (let i = r; i < m - 1; i++) L[i * cap + r] = -L[i * cap + r];
  }
}

/**
 * The same lasso by the feature-sign search (Lee, Battle, Raina & Ng 2006), which can start from a
 * previous solution: from a point that is optimal on its active set, add the atom whose
 * correlation with the residual most exceeds λ, re-solve the equality-constrained problem on the
 * active set (Cholesky, updated as atoms come and go), and where a coefficient would change sign
 * stop at the zero and drop it. Every step lowers the objective, and it ends at the optimum, so
 * the answer is LARS's (the lasso solution is unique for atoms in general position). Growing a
 * solved support by a few atoms costs a few steps instead of a whole LARS path, and nothing is
 * refactorised when the warm start passes the previous factor. Where an atom joining would make
 * the active set dependent, it hands the problem to lassoLars.
 */
export function lassoFeatureSign(
  dict: Float64Array,
  dim: number,
  atoms: ArrayLike<number>,
  y: Float64Array,
  lambda: number,
  warm?: WarmStart,
  opts: LassoOptions = {},
): LassoResult {
  const s = atoms.length;
  const maxSteps = opts.maxSteps ?? 1000;
  if (!(lambda > 0)) throw new Error(`lasso: lambda must be positive, got ${lambda}`);
  const cap = Math.min(s, dim);
  const coef = new Float64Array(s);
  const active: number[] = [];
  const theta = new Float64Array(s);
  const isActive = new Uint8Array(s);
  const L = new Float64Array(cap * cap);
  const tmp = new Float64Array(cap);
  const sol = new Float64Array(cap);
  const b = new Float64Array(s); // d_jᵀy, for active atoms only
  const r = Float64Array.from(y); // residual y − Dc
  const lars = (): LassoResult => lassoLars(dict, dim, atoms, y, lambda, undefined, opts);

  const append = (atom: number): boolean => {
    const m = active.length;
    if (m >= cap) return false;
    const o = atoms[atom] * dim;
    const gjj = dot(dict, o, dict, o, dim);
    let d = gjj;
    for (let t = 0; t < m; t++) {
      let v = dot(dict, atoms[active[t]] * dim, dict, o, dim);
      for (let q = 0; q < t; q++) v -= L[t * cap + q] * tmp[q];
      tmp[t] = v / L[t * cap + t];
      d -= tmp[t] * tmp[t];
    }
    if (!(d > 1e-12 * gjj)) return false;
    for (let q = 0; q < m; q++) L[m * cap + q] = tmp[q];
    L[m * cap + m] = Math.sqrt(d);
    active.push(atom);
    isActive[atom] = 1;
    b[atom] = dot(dict, o, y, 0, dim);
    return true;
  };
  // Moves the active coefficients to `next` (in active order), keeping the residual in step.
  const setActive = (next: ArrayLike<number>): void => {
    for (let t = 0; t < active.length; t++) {
      const a = active[t];
      const dc = next[t] - coef[a];
      if (dc === 0) continue;
      coef[a] = next[t];
      const o = atoms[a] * dim;
      for (let j = 0; j < dim; j++) r[j] -= dc * dict[o + j];
    }
  };
  // sol = G_AA⁻¹ (b_A − λθ_A).
  const solveActive = (): void => {
    const m = active.length;
    for (let t = 0; t < m; t++) {
      let v = b[active[t]] - lambda * theta[active[t]];
      for (let q = 0; q < t; q++) v -= L[t * cap + q] * sol[q];
      sol[t] = v / L[t * cap + t];
    }
    for (let t = m - 1; t >= 0; t--) {
      let v = sol[t];
      for (let q = t + 1; q < m; q++) v -= L[q * cap + t] * sol[q];
      sol[t] = v / L[t * cap + t];
    }
  };

  let optimal = true;
  const fresh: number[] = []; // atoms that joined at zero in the last step
  // Joining a few violators per step saves solves; joining all of them costs more in the ones
  // that leave again (measured on EnSC supports: 4 is the sweet spot, ~20% faster than 1).
  const maxJoin = 4;
  if (warm && warm.active.length > 0) {
    const m = warm.active.length;
    if (m > cap) return lars();
    const start: number[] = [];
    if (warm.chol !== undefined && warm.chol.length === m * m) {
      for (let t = 0; t < m; t++) {
        const a = warm.active[t];
        if (isActive[a] || warm.coef[t] === 0) return lars();
        for (let q = 0; q <= t; q++) L[t * cap + q] = warm.chol[t * m + q];
        active.push(a);
        isActive[a] = 1;
        b[a] = dot(dict, atoms[a] * dim, y, 0, dim);
      }
    } else {
      for (let t = 0; t < m; t++) if (warm.coef[t] === 0 || isActive[warm.active[t]] || !append(warm.active[t])) return lars();
    }
    for (let t = 0; t < m; t++) {
      theta[warm.active[t]] = warm.coef[t] > 0 ? 1 : -1;
      start.push(warm.coef[t]);
    }
    setActive(start);
    optimal = false; // re-solve once: the warm values are rounded to what they were
  }
  let steps = 0;
  while (steps < maxSteps) {
    steps++;
    if (!optimal) {
      solveActive();
      let m = active.length;
      // Atoms that just joined (at zero) must start out in their sign's direction; one that would
      // not leaves again, and the rest are re-solved. (A single joiner always moves the right way.)
      if (fresh.length > 1) {
        let removed = false;
        for (let t = m - 1; t >= 0; t--) {
          const a = active[t];
          if (coef[a] === 0 && fresh.includes(a) && sol[t] * theta[a] <= 0) {
            choleskyRemove(L, cap, m, t);
            active.splice(t, 1);
            isActive[a] = 0;
            theta[a] = 0;
            fresh.splice(fresh.indexOf(a), 1);
            m--;
            removed = true;
          }
        }
        if (removed) continue;
      }
      fresh.length = 0;
      // The first coefficient to reach zero on the way from coef to sol, if any.
      let tMin = 1;
      let who = -1;
      for (let t = 0; t < m; t++) {
        const a = active[t];
        if (sol[t] * theta[a] > 0 || coef[a] === 0) continue;
        const cross = coef[a] / (coef[a] - sol[t]);
        if (cross < tMin) {
          tMin = cross;
          who = t;
        }
      }
      if (who < 0) {
        setActive(sol);
        optimal = true;
      } else {
        for (let t = 0; t < m; t++) sol[t] = coef[active[t]] + tMin * (sol[t] - coef[active[t]]);
        sol[who] = 0;
        setActive(sol);
        const a = active[who];
        theta[a] = 0;
        isActive[a] = 0;
        choleskyRemove(L, cap, m, who);
        active.splice(who, 1);
        continue;
      }
    }
    // Optimal on the active set: the inactive atoms whose correlations exceed λ the most join.
    const join: number[] = [];
    const corr: number[] = [];
    for (let j = 0; j < s; j++) {
      if (isActive[j]) continue;
      const g = dot(dict, atoms[j] * dim, r, 0, dim);
      if (Math.abs(g) > lambda * (1 + 1e-12)) {
        join.push(j);
        corr.push(g);
      }
    }
    if (join.length === 0) break;
    const byCorr = Array.from(join.keys()).sort((u, v) => Math.abs(corr[v]) - Math.abs(corr[u]));
    for (const q of byCorr.slice(0, maxJoin)) {
      const j = join[q];
      // A dependent atom makes the step singular; LARS's path handles that case.
      if (!append(j)) {
        if (fresh.length > 0) break; // join the independent ones first
        return lars();
      }
      theta[j] = corr[q] > 0 ? 1 : -1;
      fresh.push(j);
    }
    optimal = false;
  }
  return { coef, steps, active: Int32Array.from(active), chol: packFactor(L, cap, active.length) };
}
