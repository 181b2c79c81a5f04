// The one features type: n rows of dim values each (row-major) and a label per row. What a network
// gives for a dataset (lib/features/dataset.ts), what subspaceMixture draws, what the evaluators fit
// and the analyses read; FeatureRows is the same without labels (what a predict takes).

export interface Features<T extends Float32Array | Float64Array = Float32Array> {
  /** n x dim, row-major (unit rows, for MCR² features). */
  features: T;
  labels: Int32Array;
  n: number;
  dim: number;
}

/** Features without their labels. */
export type FeatureRows<T extends Float32Array | Float64Array = Float32Array> = Omit<Features<T>, 'labels'>;
