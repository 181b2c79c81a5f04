// Synthetic features, seeded with numpy's RandomState: unit rows (MCR² features live on the
// sphere) and mixtures of low-dimensional subspaces, the paper's model of what MCR² learns.
import type { Features } from './features.js';
import { RandomState } from '../math/random.js';

/**
 * The rows of `x` (n x dim, row-major) scaled to unit length (norms summed in float64); a zero row
 * stays zero.
 */
export function unitRows(x: ArrayLike<number>, dim: number): Float32Array {
  if (!(Number.isInteger(dim) && dim >= 1)) throw new Error(`unitRows: dim must be a positive integer, got ${dim}`);
  if (x.length % dim !== 0) throw new Error(`unitRows: ${x.length} values are not a multiple of dim ${dim}`);
  const n = x.length / dim;
  const out = new Float32Array(x.length);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += x[i * dim + j] ** 2;
    const norm = Math.sqrt(s);
    if (norm > 0) for (let j = 0; j < dim; j++) out[i * dim + j] = x[i * dim + j] / norm;
  }
  return out;
}

/** n rows uniform on the unit sphere of R^dim (normalised standard normals, RandomState(seed).randn). */
export function randomUnitFeatures(n: number, dim: number, seed = 0): Float32Array {
  if (!(Number.isInteger(n) && n >= 0)) throw new Error(`randomUnitFeatures: n must be a non-negative integer, got ${n}`);
  return unitRows(new RandomState(seed).randn(n * dim), dim);
}

/** Options of {@link subspaceMixture}. */
export interface SubspaceMixtureOptions {
  /** Number of classes, one subspace each (default 5). */
  classes?: number;
  /** Ambient dimension p of the rows (default 32). */
  dim?: number;
  /** Dimension of each class's subspace (default 3). */
  subspaceDim?: number;
  /** Rows per class (default 100). */
  perClass?: number;
  /** Standard deviation of isotropic Gaussian noise added to each row before normalising (default 0). */
  noise?: number;
  /** Seed of the subspaces (default 0). */
  seed?: number;
  /** Seed of the points on them (default seed + 1): another value draws new points on the same subspaces. */
  pointSeed?: number;
  /** Scale every row to unit length, as MCR² features are (default true). */
  normalize?: boolean;
}

/** The defaults of {@link subspaceMixture} (pointSeed: seed + 1). */
export const SUBSPACE_MIXTURE_DEFAULTS = {
  classes: 5,
  dim: 32,
  subspaceDim: 3,
  perClass: 100,
  noise: 0,
  seed: 0,
  normalize: true,
} as const satisfies SubspaceMixtureOptions;

/** Rows and labels of a mixture of subspaces, with the subspaces' bases. */
export interface SubspaceMixture extends Features {
  /** classes x subspaceDim x dim: row a of block c spans class c's subspace (Gaussian, not orthonormal). */
  bases: Float64Array;
  classes: number;
  subspaceDim: number;
}

/**
 * A union of `classes` random `subspaceDim`-dimensional subspaces of R^dim, `perClass` rows on
 * each, rows grouped by class (labels 0, 0, ..., 1, 1, ...). Class c's basis is `subspaceDim`
 * standard normal vectors of RandomState(seed); each row is the basis times standard normal
 * coefficients of RandomState(pointSeed), plus `noise` · N(0, I), then scaled to unit length.
 *
 * ```ts
 * const train = subspaceMixture({ classes: 10, dim: 128, subspaceDim: 5, perClass: 200, noise: 0.05 });
 * const test = subspaceMixture({ classes: 10, dim: 128, subspaceDim: 5, perClass: 50, noise: 0.05, pointSeed: 7 });
 * ```
 */
export function subspaceMixture(opts: SubspaceMixtureOptions = {}): SubspaceMixture {
  const o = { ...SUBSPACE_MIXTURE_DEFAULTS, ...opts };
  const { classes: k, dim: p, subspaceDim: d, perClass: m, noise } = o;
  const check = (name: string, v: number, min: number) => {
    if (!(Number.isInteger(v) && v >= min)) throw new Error(`subspaceMixture: ${name} must be an integer ≥ ${min}, got ${v}`);
  };
  check('classes', k, 1);
  check('dim', p, 1);
  check('subspaceDim', d, 1);
  check('perClass', m, 0);
  if (d > p) throw new Error(`subspaceMixture: subspaceDim ${d} exceeds dim ${p}`);
  if (!(noise >= 0 && Number.isFinite(noise))) throw new Error(`subspaceMixture: noise must be ≥ 0, got ${noise}`);
  const rb = new RandomState(o.seed);
  const r = new RandomState(opts.pointSeed ?? o.seed + 1);
  const features = new Float32Array(k * m * p);
  const labels = new Int32Array(k * m);
  const bases = new Float64Array(k * d * p);
  for (let c = 0; c < k; c++) {
    const basis = rb.randn(d * p);
    bases.set(basis, c * d * p);
    for (let i = 0; i < m; i++) {
      const w = r.randn(d);
      const e = noise > 0 ? r.randn(p) : undefined;
      const row = (c * m + i) * p;
      let s = 0;
      for (let j = 0; j < p; j++) {
        let v = 0;
        for (let a = 0; a < d; a++) v += w[a] * basis[a * p + j];
        if (e !== undefined) v += noise * e[j];
        features[row + j] = v;
        s += v * v;
      }
      if (o.normalize && s > 0) for (let j = 0; j < p; j++) features[row + j] /= Math.sqrt(s);
      labels[c * m + i] = c;
    }
  }
  return { features, labels, n: k * m, dim: p, bases, classes: k, subspaceDim: d };
}
