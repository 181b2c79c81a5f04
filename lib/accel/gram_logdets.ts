// The log-determinants logdet(I + c_i·G_i) of the Gram matrices of row blocks of Z, and the
// gradient's products Σ_i coef_i·Z_b(I + c_i·Z_bᵀZ_b)⁻¹ = coef_i·(I + c_i·Z_bZ_bᵀ)⁻¹Z_b, on the
// WebAssembly SIMD kernels of dense.ts: Z read once, rows grouped by class into the kernels'
// memory, Gram matrices (half of each) and float64 Cholesky factorisations there, the gradient's
// products too. Block b's matrix is dual (n x n) when its n rows are fewer than p, else primal
// (p x p): the same logdet (Sylvester). What the MCR² loss (lib/loss/mcr2.ts) computes on the CPU
// backends; its evaluateOps is the same in tfjs ops, the reference.
import * as tf from '@tensorflow/tfjs';
import type { DenseKernels } from './dense.js';
import { denseKernels } from './dense_ops.js';

/** Row blocks of Z (m x p) and the scale of each block's Gram matrix. */
export interface GramBlocks {
  p: number;
  /** Row of Z at each position of the block order (rows of one block are contiguous). */
  perm: Int32Array;
  /** Positions (in perm's order) of each block's rows. */
  blocks: Array<{ start: number; n: number }>;
  /** c_i of block i's I + c_i·G_i. */
  scales: number[];
  /** One more logdet, of block 0 with this scale (undefined: none). */
  extraScale?: number;
  /** Names block i's matrix in an error (not positive definite). */
  what(i: number): string;
  /** Names the caller in the NaN/Inf error. */
  name: string;
}

export interface GramLogdets {
  logdets: number[];
  extra?: number;
  /** Σ_i coef_i·(I + c_i Z_bZ_bᵀ)⁻¹Z_b of every block, added per row of Z (m x p); Z again if the original may be disposed. */
  gradient(coef: number[], z?: tf.Tensor): tf.Tensor2D;
}

/** The logdets and gradient on the SIMD kernels where they run (a CPU backend), else undefined. */
export function gramLogdets(Z: tf.Tensor, prob: GramBlocks): GramLogdets | undefined {
  const K = denseKernels();
  return K === undefined ? undefined : denseLogdets(K, Z, prob);
}

function denseLogdets(K: DenseKernels, Z: tf.Tensor, prob: GramBlocks): GramLogdets {
  const [m] = Z.shape;
  const { p, perm, blocks } = prob;
  const zData = Z.dataSync() as Float32Array;
  const pp = Math.ceil(p / 8) * 8;
  // Room for everything below and the gradient (growing the memory would detach the views).
  const dual = blocks.map((bl) => bl.n < p);
  const dims = blocks.map((bl, i) => (dual[i] ? bl.n : p));
  const pad8 = (n: number) => Math.ceil(n / 8) * 8;
  const perBlock = (i: number) => 6 * dims[i] ** 2 * 8 + 2 * pp * pp * 4 + 2 * p * pad8(blocks[i].n) * 4 + 2 * pad8(blocks[i].n) * pp * 4;
  const room = (m + 8) * pp * 4 + m * (pp + 1) * 4 + blocks.reduce((a, _, i) => a + perBlock(i) + 256, 2 * p * p * 8 + 64);
  K.reset();
  K.reserve(room);
  const gen = K.generation;
  // Rows sorted by class (stride pp, zero padding), 4 spare rows: a 4-row tile may read past a class.
  const zsAt = K.alloc((m + 8) * pp * 4);
  const zs = K.f32(zsAt, (m + 8) * pp);
  zs.fill(0);

  for (let r = 0; r < m; r++) zs.set(zData.subarray(perm[r] * p, perm[r] * p + p), r * pp);
  // Block b's matrix is dual (n x n, from Z_bᵀ stored p x q) when n < p, else primal (p x p).
  const gramAt = blocks.map((bl, i) => {
    if (!dual[i]) {
      const g = K.alloc(pp * pp * 4);
      K.gram(zsAt + bl.start * pp * 4, pp, bl.n, pp, g);
      return { g, q: pp };
    }
    const q = pad8(bl.n);
    const xt = K.alloc(p * q * 4);
    K.f32(xt, p * q).fill(0);
    K.transpose(zsAt + bl.start * pp * 4, pp, bl.n, p, xt, q);
    const g = K.alloc(q * q * 4);
    K.gram(xt, q, p, q, g);
    return { g, q };
  });
  // I + c·G in float64 (the lower triangle, from G's upper one), factored.
  const factor = (i: number, c: number): { l: number; logdet: number } => {
    const d = dims[i];
    const { g: gAt, q } = gramAt[i];
    const aAt = K.alloc(d * d * 8);
    const lAt = K.alloc(d * d * 8);
    const g = K.f32(gAt, q * q);
    const a = K.f64(aAt, d * d);
    for (let r = 0; r < d; r++) {
      for (let col = 0; col < r; col++) a[r * d + col] = c * g[col * q + r];
      a[r * d + r] = 1 + c * g[r * q + r];
    }
    const bad = K.cholesky(aAt, lAt, d);
    if (bad !== 0) {
      throw new Error(`${prob.what(i)} is not positive definite (pivot ${bad - 1}); features contain NaN/Inf or eps is too small`);
    }
    const l = K.f64(lAt, d * d);
    let s = 0;
    for (let r = 0; r < d; r++) s += Math.log(l[r * d + r]);
    return { l: lAt, logdet: 2 * s };
  };
  // A NaN or Inf in Z makes a diagonal entry of ZᵀZ (a sum of squares) NaN or Inf.
  const g0 = K.f32(gramAt[0].g, gramAt[0].q * gramAt[0].q);
  for (let c = 0; c < dims[0]; c++) {
    const diag = dual[0] ? g0[c * gramAt[0].q + c] : g0[c * pp + c];
    if (!Number.isFinite(diag)) throw new Error(`${prob.name}: features contain NaN or Inf`);
  }
  const factors = blocks.map((_, i) => factor(i, prob.scales[i]));
  const extra = prob.extraScale === undefined ? undefined : factor(0, prob.extraScale).logdet;

  const gradient = (coef: number[], z: tf.Tensor = Z): tf.Tensor2D => {
    // Another evaluation may have reused the kernels' memory since: evaluate again.
    if (K.generation !== gen) return denseLogdets(K, z, prob).gradient(coef, z);
    // Block outputs (in class order, 4 spare rows each): batch Z·W_0, class W_jZ_j (dual) or Z_jW_j.
    const outs = blocks.map((bl, i) => {
      const d = dims[i];
      const mtAt = K.alloc(d * d * 8);
      const rows4 = Math.ceil(bl.n / 4) * 4;
      const outAt = K.alloc(rows4 * pp * 4);
      if (dual[i]) {
        // W (rows4 x n, zero rows past n) · Z_b (n x pp).
        const wAt = K.alloc(rows4 * d * 4);
        K.f32(wAt + d * d * 4, (rows4 - d) * d).fill(0);
        K.inverse(factors[i].l, mtAt, wAt, d, d, coef[i]);
        K.gemm(wAt, d, zsAt + bl.start * pp * 4, pp, outAt, pp, rows4, bl.n, pp, false);
      } else {
        // Z_b (rows4 x pp: rows past the block are read, their outputs unused) · W (pp x pp).
        const wAt = K.alloc(pp * pp * 4);
        K.f32(wAt, pp * pp).fill(0);
        K.inverse(factors[i].l, mtAt, wAt, d, pp, coef[i]);
        K.gemm(zsAt + bl.start * pp * 4, pp, wAt, pp, outAt, pp, rows4, pp, pp, false);
      }
      return outAt;
    });
    // Batch part + own class's part, back in the input's row order (rows of p, p a multiple of
    // 4; otherwise of pp, cut below).
    const ldo = p % 4 === 0 ? p : pp;
    const permAt = K.alloc(m * 4);
    const gradAt = K.alloc(m * ldo * 4);
    K.i32(permAt, m).set(perm);
    for (let b = 1; b < blocks.length; b++) {
      const { start, n } = blocks[b];
      K.addRows(outs[0] + start * pp * 4, outs[b], pp, permAt + start * 4, gradAt, ldo, n, ldo);
    }
    const out = K.f32(gradAt, m * ldo);
    let grad = out.slice(); // a copy: the next evaluation reuses the memory
    if (ldo !== p) {
      grad = new Float32Array(m * p);
      for (let r = 0; r < m; r++) grad.set(out.subarray(r * ldo, r * ldo + p), r * p);
    }
    return tf.tensor2d(grad, [m, p]);
  };
  return { logdets: factors.map((f) => f.logdet), extra, gradient };
}
