// One ReduNet layer, computed as the official NumPy code (redunet_paper: redunet/vector.py,
// fourier1d.py, fourier2d.py) computes it, over "bins": the one bin of a vector layer, or the kept
// frequencies of a shift-invariant one (fft.ts: the half spectrum of real signals, each bin weighted
// by how many frequencies of the full spectrum it stands for). Every bin holds a C-vector of each
// sample (complex, interleaved; a vector layer's imaginary parts are zero), and the operators are
// C x C per bin:
//
//   E   = α (I + α Σ_i v_i v_iᴴ)⁻¹,        α   = C / (m ε²)        (expansion)
//   C_j = α_j (I + α_j Σ_{i∈j} v_i v_iᴴ)⁻¹, α_j = C / (m_j ε²)      (compression, class j)
//   γ_j = m_j / m
//
// each inverse from a Cholesky factor (hermitian.ts). One step of every sample:
//   π̂_j = softmax_j(−λ ‖C_j v‖)   (the norm over all channels and frequencies of the sample)
//   v ← normalise(v + η (E v − Σ_j γ_j π̂_j C_j v)).
// The labels build E, C_j and γ only; every row, training rows included, moves by its estimated π̂.
// The loss of a layer's output is the rate reduction with the estimated labels (argmax π̂):
//   R = Σ_t ½ logdet(I + α Σ v(t)v(t)ᴴ) / T,  Rᶜ = Σ_j w_j Σ_t ½ logdet(I + α_j Σ_{i∈ĵ} v(t)v(t)ᴴ) / T
// with w_j the stored γ_j (vector.py) or the estimated classes' m̂_j/m (fourier1d.py, fourier2d.py).
import { hermitianCholesky, logdetFromFactor, scaledInverseFromFactor } from './hermitian.js';

/** The shape every layer of a network shares. */
export interface Geometry {
  /** C: channels of a shift-invariant layer, the dimension d of a vector one. */
  channels: number;
  /** Bins per sample (1 for vectors). */
  bins: number;
  /** Per bin: how many frequencies of the full spectrum it stands for (1 or 2). */
  weights: Float64Array;
  /** Σ weights: T, H·W, or 1. */
  total: number;
  /** Classes. */
  classes: number;
  /** How Rᶜ weighs the classes: 'stored' γ_j (vector.py) or 'estimated' m̂_j/m (fourier1d/2d.py). */
  rcWeights: 'stored' | 'estimated';
}

/** A layer's operators, as computed from the features that entered it. */
export interface LayerOperators {
  /** E per bin: bins x C x C complex, interleaved. */
  E: Float64Array;
  /** C_j per class and bin: classes x bins x C x C complex, interleaved. */
  Cs: Float64Array;
  /** γ_j = m_j/m of the construction set. */
  gam: Float64Array;
}

/** The rate reduction of a layer's output (nats): ΔR = R − Rᶜ. */
export interface LayerLoss {
  deltaR: number;
  R: number;
  Rc: number;
}

/** Hyperparameters of a step. */
export interface StepParams {
  eta: number;
  eps: number;
  lambda: number;
}

/** Cholesky factors of I + α G for the whole set and for each class, per bin, with what built them. */
export interface Factors {
  labels: Int32Array;
  counts: Int32Array;
  /** bins x C x C complex. */
  total: Float64Array;
  /** classes x bins x C x C complex (zeros for a class with no rows). */
  classes: Float64Array;
}

const mat = (C: number) => 2 * C * C;

/**
 * Class by class and bin by bin, the lower triangles of Σ_{i∈j} v_i v_iᴴ (classes x bins x C x C),
 * and their sum over the classes (bins x C x C).
 */
function grams(v: Float64Array, n: number, labels: Int32Array, g: Geometry): { total: Float64Array; classes: Float64Array } {
  const { channels: C, bins: B, classes: k } = g;
  const M = mat(C);
  const classes = new Float64Array(k * B * M);
  for (let i = 0; i < n; i++) {
    const j = labels[i];
    for (let b = 0; b < B; b++) {
      const x = 2 * (i * B + b) * C;
      const o = (j * B + b) * M;
      for (let p = 0; p < C; p++) {
        const pr = v[x + 2 * p];
        const pi = v[x + 2 * p + 1];
        const row = o + 2 * p * C;
        for (let q = 0; q <= p; q++) {
          const qr = v[x + 2 * q];
          const qi = v[x + 2 * q + 1];
          // v_p · conj(v_q)
          classes[row + 2 * q] += pr * qr + pi * qi;
          classes[row + 2 * q + 1] += pi * qr - pr * qi;
        }
      }
    }
  }
  const total = new Float64Array(B * M);
  for (let j = 0; j < k; j++) {
    const o = j * B * M;
    for (let t = 0; t < B * M; t++) total[t] += classes[o + t];
  }
  return { total, classes };
}

/** In place: g ← I + α g (lower triangle and diagonal; α per matrix). */
function identityPlus(g: Float64Array, o: number, C: number, alpha: number): void {
  for (let p = 0; p < C; p++) {
    for (let q = 0; q <= p; q++) {
      g[o + 2 * (p * C + q)] *= alpha;
      g[o + 2 * (p * C + q) + 1] *= alpha;
    }
    g[o + 2 * (p * C + p)] += 1;
  }
}

/** Per-class row counts of `labels` (every label in 0..k−1). */
export function classCounts(labels: Int32Array, k: number): Int32Array {
  const c = new Int32Array(k);
  for (let i = 0; i < labels.length; i++) c[labels[i]]++;
  return c;
}

/**
 * Factors of I + α G (whole set) and I + α_j G_j (each class with rows) in every bin, for the
 * samples v (n x bins x C complex) labelled `labels`. `reuseTotal`: the whole set's factors when
 * already known (they do not depend on the labels).
 */
export function factorise(v: Float64Array, n: number, labels: Int32Array, g: Geometry, eps: number, reuseTotal?: Float64Array): Factors {
  const { channels: C, bins: B, classes: k } = g;
  const M = mat(C);
  const gr = grams(v, n, labels, g);
  const counts = classCounts(labels, k);
  const scratch = new Float64Array(M);
  let total = reuseTotal;
  if (total === undefined) {
    total = new Float64Array(B * M);
    const alpha = C / (n * eps);
    for (let b = 0; b < B; b++) {
      identityPlus(gr.total, b * M, C, alpha);
      hermitianCholesky(gr.total, C, `I + α·ZᵀZ (bin ${b})`, b * M, scratch);
      total.set(scratch, b * M);
    }
  }
  const classes = new Float64Array(k * B * M);
  for (let j = 0; j < k; j++) {
    if (counts[j] === 0) continue;
    const alpha = C / (counts[j] * eps);
    for (let b = 0; b < B; b++) {
      const o = (j * B + b) * M;
      identityPlus(gr.classes, o, C, alpha);
      hermitianCholesky(gr.classes, C, `I + α_j·Z_jᵀZ_j (class ${j}, bin ${b})`, o, scratch);
      classes.set(scratch, o);
    }
  }
  return { labels, counts, total, classes };
}

/** The operators of a layer built from the factors of its construction set (every class must have rows). */
export function operatorsFrom(f: Factors, n: number, g: Geometry, eps: number): LayerOperators {
  const { channels: C, bins: B, classes: k } = g;
  const M = mat(C);
  for (let j = 0; j < k; j++)
    if (f.counts[j] === 0) throw new Error(`class ${j} has no rows in the construction set: C_${j} is undefined (numClasses ${k})`);
  const E = new Float64Array(B * M);
  const Cs = new Float64Array(k * B * M);
  const scratch = new Float64Array(M);
  const alpha = C / (n * eps);
  for (let b = 0; b < B; b++) scaledInverseFromFactor(f.total.subarray(b * M, (b + 1) * M), C, alpha, E, b * M, scratch);
  for (let j = 0; j < k; j++) {
    const aj = C / (f.counts[j] * eps);
    for (let b = 0; b < B; b++) {
      const o = (j * B + b) * M;
      scaledInverseFromFactor(f.classes.subarray(o, o + M), C, aj, Cs, o, scratch);
    }
  }
  const gam = new Float64Array(k);
  for (let j = 0; j < k; j++) gam[j] = f.counts[j] / n;
  return { E, Cs, gam };
}

/** R, Rᶜ and ΔR of the set whose factors these are (labels: the estimated ones), Rᶜ weighted as g says. */
export function lossFrom(f: Factors, n: number, g: Geometry, gam: Float64Array): LayerLoss {
  const { channels: C, bins: B, classes: k, weights, total: T } = g;
  const M = mat(C);
  const meanLogdet = (fac: Float64Array, o: number) => {
    let s = 0;
    for (let b = 0; b < B; b++) s += weights[b] * logdetFromFactor(fac.subarray(o + b * M, o + (b + 1) * M), C);
    return s / (2 * T);
  };
  const R = meanLogdet(f.total, 0);
  let Rc = 0;
  for (let j = 0; j < k; j++) {
    if (f.counts[j] === 0) continue;
    const w = g.rcWeights === 'stored' ? gam[j] : f.counts[j] / n;
    Rc += w * meanLogdet(f.classes, j * B * M);
  }
  return { deltaR: R - Rc, R, Rc };
}

/** y = M x for a C x C complex matrix at m[mo] and a C-vector at x[xo], into y[yo] (two rows at a time: x read once for both). */
function matvec(m: Float64Array, mo: number, x: Float64Array, xo: number, C: number, y: Float64Array, yo: number): void {
  let p = 0;
  for (; p + 1 < C; p += 2) {
    let re0 = 0;
    let im0 = 0;
    let re1 = 0;
    let im1 = 0;
    const r0 = mo + 2 * p * C;
    const r1 = r0 + 2 * C;
    for (let q = 0; q < 2 * C; q += 2) {
      const xr = x[xo + q];
      const xi = x[xo + q + 1];
      const a0 = m[r0 + q];
      const b0 = m[r0 + q + 1];
      const a1 = m[r1 + q];
      const b1 = m[r1 + q + 1];
      re0 += a0 * xr - b0 * xi;
      im0 += a0 * xi + b0 * xr;
      re1 += a1 * xr - b1 * xi;
      im1 += a1 * xi + b1 * xr;
    }
    y[yo + 2 * p] = re0;
    y[yo + 2 * p + 1] = im0;
    y[yo + 2 * p + 2] = re1;
    y[yo + 2 * p + 3] = im1;
  }
  if (p < C) {
    let re = 0;
    let im = 0;
    const row = mo + 2 * p * C;
    for (let q = 0; q < 2 * C; q += 2) {
      const ar = m[row + q];
      const ai = m[row + q + 1];
      re += ar * x[xo + q] - ai * x[xo + q + 1];
      im += ar * x[xo + q + 1] + ai * x[xo + q];
    }
    y[yo + 2 * p] = re;
    y[yo + 2 * p + 1] = im;
  }
}

/**
 * One layer's step of every sample of v (n x bins x C complex), in place; the estimated class of
 * each sample (argmax π̂, the first on ties, as np.argmax) into `estimated`.
 */
export function step(v: Float64Array, n: number, ops: LayerOperators, g: Geometry, p: StepParams, estimated: Int32Array): void {
  const { channels: C, bins: B, classes: k, weights } = g;
  const M = mat(C);
  const S = 2 * B * C; // numbers per sample
  const ex = new Float64Array(S);
  const comp = new Float64Array(k * S);
  const norms = new Float64Array(k);
  const pi = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const x = i * S;
    norms.fill(0);
    for (let b = 0; b < B; b++) {
      const xo = x + 2 * b * C;
      matvec(ops.E, b * M, v, xo, C, ex, 2 * b * C);
      for (let j = 0; j < k; j++) {
        const yo = j * S + 2 * b * C;
        matvec(ops.Cs, (j * B + b) * M, v, xo, C, comp, yo);
        let s = 0;
        for (let t = 0; t < 2 * C; t++) s += comp[yo + t] * comp[yo + t];
        norms[j] += weights[b] * s;
      }
    }
    // π̂ = softmax(−λ·max(‖C_j v‖, 1e-8)), shifted by its largest argument as scipy's.
    let top = -Infinity;
    for (let j = 0; j < k; j++) {
      pi[j] = -p.lambda * Math.max(Math.sqrt(norms[j]), 1e-8);
      if (pi[j] > top) top = pi[j];
    }
    let sum = 0;
    for (let j = 0; j < k; j++) {
      pi[j] = Math.exp(pi[j] - top);
      sum += pi[j];
    }
    let best = 0;
    for (let j = 0; j < k; j++) {
      pi[j] /= sum;
      if (pi[j] > pi[best]) best = j;
    }
    estimated[i] = best;
    let sq = 0;
    for (let b = 0; b < B; b++) {
      let s = 0;
      for (let t = 2 * b * C; t < 2 * (b + 1) * C; t++) {
        let clus = 0;
        for (let j = 0; j < k; j++) clus += ops.gam[j] * comp[j * S + t] * pi[j];
        const z = v[x + t] + p.eta * (ex[t] - clus);
        v[x + t] = z;
        s += z * z;
      }
      sq += weights[b] * s;
    }
    const norm = Math.max(Math.sqrt(sq), 1e-8);
    for (let t = 0; t < S; t++) v[x + t] /= norm;
  }
}

/** Each row of x (n rows of `dim` reals) to unit ℓ2 norm, norms clipped below at 1e-8 (functionals.normalize). */
export function normaliseRows(x: Float64Array, n: number, dim: number): Float64Array {
  for (let i = 0; i < n; i++) {
    let sq = 0;
    for (let t = 0; t < dim; t++) sq += x[i * dim + t] * x[i * dim + t];
    const norm = Math.max(Math.sqrt(sq), 1e-8);
    for (let t = 0; t < dim; t++) x[i * dim + t] /= norm;
  }
  return x;
}
