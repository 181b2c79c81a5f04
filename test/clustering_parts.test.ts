// The parts under the clustering evaluators: Hungarian assignment, lasso solvers, sparse
// eigenvectors, numpy's summation order.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { linearSumAssignment } from '../lib/evaluate/hungarian.js';
import { numpySum } from '../lib/evaluate/kmeans.js';
import { choleskyRemove, lassoFeatureSign, lassoLars } from '../lib/evaluate/lasso.js';
import { cholesky, symmetricEigen } from '../lib/math/linalg.js';
import { RandomState } from '../lib/math/random.js';
import { csrFromTriplets, csrMatVec, topEigenpairs } from '../lib/evaluate/sparse.js';

function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  return permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]));
}

test('linearSumAssignment: the brute-force optimum on square and rectangular matrices', () => {
  const r = new RandomState(3);
  for (let trial = 0; trial < 60; trial++) {
    const nr = 1 + r.interval(5);
    const nc = 1 + r.interval(5);
    // Small integers make ties common.
    const cost = Array.from(r.randint(0, 6, nr * nc));
    for (const maximize of [false, true]) {
      const a = linearSumAssignment(cost, nr, nc, { maximize });
      const k = Math.min(nr, nc);
      assert.equal(a.rows.length, k);
      assert.equal(new Set(a.cols).size, k);
      assert.equal(new Set(a.rows).size, k);
      let best = maximize ? -Infinity : Infinity;
      // Every injective map from the smaller side into the larger.
      const small = Math.min(nr, nc);
      const large = Math.max(nr, nc);
      for (const p of permutations(large)) {
        let s = 0;
        for (let i = 0; i < small; i++) s += nr <= nc ? cost[i * nc + p[i]] : cost[p[i] * nc + i];
        best = maximize ? Math.max(best, s) : Math.min(best, s);
      }
      let s = 0;
      for (let i = 0; i < k; i++) s += cost[a.rows[i] * nc + a.cols[i]];
      assert.equal(s, best);
      assert.equal(a.cost, best);
    }
  }
  assert.deepEqual([...linearSumAssignment([4, 1, 3, 2, 0, 5, 3, 2, 2], 3, 3).cols], [1, 0, 2]);
  assert.throws(() => linearSumAssignment([1, NaN], 1, 2), /cost\[0\]\[1\] is NaN/);
  assert.throws(() => linearSumAssignment([1, 2, 3], 2, 2), /3 costs for a 2 x 2 matrix/);
});

/** Unit rows: nAtoms random ones plus `dup` copies of earlier ones. */
function dictionary(r: RandomState, nAtoms: number, dim: number): Float64Array {
  const d = r.randn(nAtoms * dim);
  for (let i = 0; i < nAtoms; i++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += d[i * dim + j] ** 2;
    for (let j = 0; j < dim; j++) d[i * dim + j] /= Math.sqrt(s);
  }
  return d;
}

/** Largest violation of the lasso optimality conditions. */
function kkt(d: Float64Array, dim: number, atoms: ArrayLike<number>, y: Float64Array, lambda: number, coef: Float64Array): number {
  const res = Float64Array.from(y);
  for (let q = 0; q < atoms.length; q++) for (let j = 0; j < dim; j++) res[j] -= coef[q] * d[atoms[q] * dim + j];
  let worst = 0;
  for (let q = 0; q < atoms.length; q++) {
    let g = 0;
    for (let j = 0; j < dim; j++) g += d[atoms[q] * dim + j] * res[j];
    worst = Math.max(worst, coef[q] !== 0 ? Math.abs(g - lambda * Math.sign(coef[q])) : Math.abs(g) - lambda);
  }
  return worst;
}

test('lasso: LARS and the feature-sign search (cold and warm) meet the optimality conditions', () => {
  const r = new RandomState(11);
  for (const [n, dim, ratio] of [
    [40, 16, 5],
    [120, 64, 300],
    [80, 8, 20],
    [150, 32, 50],
  ]) {
    const d = dictionary(r, n, dim);
    const y = Float64Array.from(d.subarray(0, dim), (v, j) => v + 0.3 * Math.sin(j)); // near atom 0
    const atoms = Int32Array.from({ length: n - 1 }, (_, i) => i + 1);
    let top = 0;
    for (const a of atoms) {
      let g = 0;
      for (let j = 0; j < dim; j++) g += d[a * dim + j] * y[j];
      top = Math.max(top, Math.abs(g));
    }
    const lambda = top / ratio;
    const lars = lassoLars(d, dim, atoms, y, lambda);
    const scale = lambda * 1e-9;
    assert.ok(kkt(d, dim, atoms, y, lambda, lars.coef) < scale, `LARS n=${n} dim=${dim}`);
    const fs = lassoFeatureSign(d, dim, atoms, y, lambda);
    assert.ok(kkt(d, dim, atoms, y, lambda, fs.coef) < scale, `feature-sign n=${n} dim=${dim}`);
    // Warm: solve on the first half, grow the support, start from that solution and its factor.
    const half = atoms.subarray(0, Math.floor(atoms.length / 2));
    const h = lassoLars(d, dim, half, y, lambda);
    const warm = lassoFeatureSign(d, dim, atoms, y, lambda, {
      active: h.active,
      coef: Array.from(h.active, (p) => h.coef[p]),
      chol: h.chol,
    });
    assert.ok(kkt(d, dim, atoms, y, lambda, warm.coef) < scale, `warm feature-sign n=${n} dim=${dim}`);
    for (let q = 0; q < atoms.length; q++) assert.ok(Math.abs(warm.coef[q] - lars.coef[q]) < 1e-8);
  }
  // Duplicated atoms: the dependent copy never joins.
  const d = dictionary(r, 10, 6);
  d.copyWithin(9 * 6, 0, 6);
  const y = Float64Array.from(d.subarray(0, 6), (v, j) => v + 0.1 * j);
  const all = Int32Array.from({ length: 10 }, (_, i) => i);
  const c = lassoFeatureSign(d, 6, all, y, 0.01);
  assert.ok(kkt(d, 6, all, y, 0.01, c.coef) < 1e-9);
  assert.throws(() => lassoLars(d, 6, all, y, 0), /lambda must be positive/);
});

test('choleskyRemove gives the factor of the matrix without that row and column', () => {
  const r = new RandomState(2);
  const m = 7;
  const b = r.randn(m * m);
  const g = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) for (let t = 0; t < m; t++) g[i * m + j] += b[i * m + t] * b[j * m + t];
  for (let i = 0; i < m; i++) g[i * m + i] += 1;
  for (const k of [0, 3, 6]) {
    const cap = 9;
    const L = new Float64Array(cap * cap);
    const full = cholesky(g, m);
    for (let i = 0; i < m; i++) for (let j = 0; j <= i; j++) L[i * cap + j] = full[i * m + j];
    choleskyRemove(L, cap, m, k);
    const keep = [...Array(m).keys()].filter((i) => i !== k);
    const sub = new Float64Array((m - 1) * (m - 1));
    keep.forEach((i, a) => keep.forEach((j, c) => (sub[a * (m - 1) + c] = g[i * m + j])));
    const want = cholesky(sub, m - 1);
    for (let i = 0; i < m - 1; i++)
      for (let j = 0; j < m - 1; j++) assert.ok(Math.abs(L[i * cap + j] - (j <= i ? want[i * (m - 1) + j] : 0)) < 1e-12);
  }
});

test('topEigenpairs: a graph of several components (a repeated eigenvalue 1), as the dense solver', () => {
  // Four disconnected random graphs of 60 nodes: D^-1/2 A D^-1/2 has eigenvalue 1 four times.
  const r = new RandomState(5);
  const n = 240;
  const rows: number[] = [];
  const cols: number[] = [];
  const vals: number[] = [];
  for (let b = 0; b < 4; b++) {
    for (let e = 0; e < 400; e++) {
      const i = b * 60 + r.interval(59);
      const j = b * 60 + r.interval(59);
      if (i === j) continue;
      const w = r.nextDouble();
      rows.push(i, j);
      cols.push(j, i);
      vals.push(w, w);
    }
  }
  const a = csrFromTriplets(n, rows, cols, vals);
  const deg = new Float64Array(n);
  csrMatVec(a, new Float64Array(n).fill(1), deg);
  const m = { ...a, values: Float64Array.from(a.values) };
  for (let i = 0; i < n; i++)
    for (let p = a.indptr[i]; p < a.indptr[i + 1]; p++) m.values[p] = a.values[p] / Math.sqrt(deg[i] * deg[a.indices[p]]);
  const k = 6;
  const res = topEigenpairs((x, y) => csrMatVec(m, x, y), n, k, { blockSize: 6, maxBasis: 30, seed: 1 });
  const dense = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let p = m.indptr[i]; p < m.indptr[i + 1]; p++) dense[i * n + m.indices[p]] = m.values[p];
  const want = symmetricEigen(dense, n);
  for (let c = 0; c < k; c++)
    assert.ok(Math.abs(res.values[c] - want.values[c]) < 1e-9, `eigenvalue ${c}: ${res.values[c]} vs ${want.values[c]}`);
  for (let c = 0; c < 4; c++) assert.ok(Math.abs(res.values[c] - 1) < 1e-9);
  // Residuals and orthonormality of the vectors.
  const v = new Float64Array(n);
  const av = new Float64Array(n);
  for (let c = 0; c < k; c++) {
    for (let t = 0; t < n; t++) v[t] = res.vectors[t * k + c];
    csrMatVec(m, v, av);
    let rr = 0;
    let nn = 0;
    for (let t = 0; t < n; t++) {
      rr += (av[t] - res.values[c] * v[t]) ** 2;
      nn += v[t] * v[t];
    }
    assert.ok(Math.sqrt(rr) < 1e-8 && Math.abs(nn - 1) < 1e-10);
  }
  // Duplicate triplets are summed; columns come out sorted.
  const s = csrFromTriplets(3, [0, 0, 2, 0], [2, 1, 0, 2], [1, 2, 3, 4]);
  assert.deepEqual(
    [[...s.indptr], [...s.indices], [...s.values]],
    [
      [0, 2, 2, 3],
      [1, 2, 0],
      [2, 5, 3],
    ],
  );
  assert.throws(() => csrFromTriplets(2, [0], [2], [1]), /entry \(0, 2\) outside a 2 x 2 matrix/);
  assert.throws(() => topEigenpairs(() => {}, 5, 6), /k must be in 1\.\.5/);
});

test("numpySum: numpy's blocked pairwise summation, in float32 and float64", () => {
  // np.sum of these arrays, computed by numpy 1.24: float32 (pairwise within blocks of 8192) and
  // the same values as float64.
  const r = new RandomState(0);
  const a = Float32Array.from(r.random(20000), (v, i) => v * (1 + (i % 7)));
  assert.equal(numpySum(a, 0, a.length, true), 39646.58203125);
  assert.equal(numpySum(a, 0, 8193, true), 16291.6748046875);
  assert.equal(numpySum(a, 0, a.length, false), 39646.584510586195);
  assert.equal(numpySum([1, 2, 3], 0, 3, true), 6);
});
