// How far apart the classes' features are, in three numbers over every pair of rows: the mean |cos|
// within a class and across classes, and the largest |cos| across (0: orthogonal classes, what
// MCR²'s optimum has). Rows are unit length, so a dot product is the cosine.

export interface CosineStats {
  /** Mean |cos| over pairs of rows of the same class (NaN without such a pair). */
  within: number;
  /** Mean |cos| over pairs of rows of different classes (NaN without such a pair). */
  across: number;
  /** The largest |cos| between rows of different classes. */
  maxAcross: number;
  /** Rows used (the first `maxRows`) and the pairs of each kind. */
  rows: number;
  pairsWithin: number;
  pairsAcross: number;
}

/**
 * Cosine statistics of labelled unit features (what datasetFeatures, Trainer.features and
 * subspaceMixture return), over all pairs of their first `maxRows` rows (default every row:
 * the work grows with rows², 2,000 rows of 128 take well under a second).
 */
export function cosineStats(
  f: { features: Float32Array | Float64Array; labels: ArrayLike<number>; n: number; dim: number },
  opts: { maxRows?: number } = {},
): CosineStats {
  const { features: z, labels: y, dim } = f;
  const m = Math.min(f.n, opts.maxRows ?? f.n);
  let inSum = 0;
  let inN = 0;
  let outSum = 0;
  let outN = 0;
  let maxAcross = 0;
  for (let i = 0; i < m; i++) {
    const zi = i * dim;
    for (let j = i + 1; j < m; j++) {
      let c = 0;
      const zj = j * dim;
      for (let a = 0; a < dim; a++) c += z[zi + a] * z[zj + a];
      c = Math.abs(c);
      if (y[i] === y[j]) {
        inSum += c;
        inN++;
      } else {
        outSum += c;
        outN++;
        if (c > maxAcross) maxAcross = c;
      }
    }
  }
  return { within: inSum / inN, across: outSum / outN, maxAcross, rows: m, pairsWithin: inN, pairsAcross: outN };
}
