// k-nearest neighbours on cosine similarity (features are unit rows, so a dot product), majority
// vote; ties go to the smallest label. The neighbours and votes come from lib/accel/knn.ts (int16
// screening with exact float64 rescoring where WebAssembly SIMD runs, the GPU's products on
// webgpu, blocked float32 products otherwise; the test rows split over worker threads, `threads`).
import { checkInt } from '../options/checks.js';
import { type KnnProblem, knnVotes, type ScreenStats } from '../accel/knn.js';
import {
  type FeatureMatrix,
  type FeaturesLike,
  featureMatrix32,
  type LabelsLike,
  labelsOf,
  labelVector,
  notFitted,
  type Threads,
  threadCount,
} from './input.js';
import { accuracy } from './metrics.js';

/** Options of {@link KNN}. */
export interface KnnOptions {
  /** Neighbours that vote (default 5, evaluate.py's --k). */
  k?: number;
  /**
   * Test rows per block: the candidates of a block's rows (screening) or its block x nTrain float32
   * similarities (the float path) are held at once (default: a block of ~64 MB of similarities).
   */
  blockSize?: number;
  /** Classes to vote over (default: the largest train label + 1). */
  numClasses?: number;
  /**
   * Worker threads for the products, this one included: a count, or 'auto' (default: every core,
   * problems under ~2 GFLOP on this thread alone). Predictions are the same for any count.
   */
  threads?: Threads;
}

/** The defaults of {@link KNN} (evaluate.py's `--k 5`); what `mcr2 evaluate --k` defaults to. */
export const KNN_DEFAULTS = { k: 5, threads: 'auto' } as const satisfies KnnOptions;

function knnProblem(trainY: Int32Array, nTest: number, k: number, opts: KnnOptions): KnnProblem {
  const nTrain = trainY.length;
  let numClasses = opts.numClasses ?? 0;
  for (let i = 0; i < nTrain; i++) numClasses = Math.max(numClasses, trainY[i] + 1);
  // Keep the block's similarity matrix near 64 MB.
  const block = opts.blockSize ?? Math.max(1, Math.min(nTest, Math.floor(16e6 / nTrain)));
  return { k, nTrain, nTest, numClasses, block };
}

/**
 * k-nearest neighbours on cosine similarity (evaluate.py --knn): the k train rows with the largest
 * dot product vote, the majority wins, ties go to the smallest label. Features are meant to be unit
 * rows (MCR² features are), so the dot product is the cosine similarity.
 *
 * ```ts
 * const knn = new KNN({ k: 10 }).fit(train.features, train.labels);
 * const pred = await knn.predict(test.features);
 * ```
 */
export class KNN {
  /** The options with their defaults. */
  readonly k: number;
  readonly blockSize?: number;
  readonly numClasses?: number;
  readonly threads: Threads;
  private train?: FeatureMatrix;
  private trainY?: Int32Array;
  /** This thread's share of the last predict's screening (for the bench): train rows scanned per test row. */
  lastStats?: ScreenStats;

  constructor(opts: KnnOptions = {}) {
    this.k = checkInt({ k: opts.k ?? KNN_DEFAULTS.k }, 'k', 1, Infinity, 'KNN');
    this.blockSize = opts.blockSize === undefined ? undefined : checkInt(opts, 'blockSize', 1, Infinity, 'KNN');
    this.numClasses = opts.numClasses;
    this.threads = opts.threads ?? KNN_DEFAULTS.threads;
    threadCount(this.threads, 'KNN');
  }

  /** Keeps the train features and labels (`y` may come with `x`, as { features, labels, n, dim }). */
  fit(x: FeaturesLike, y?: LabelsLike): this {
    const labels = labelVector(labelsOf(x, y, 'KNN.fit(x, y)'), 'KNN.fit(y)');
    const train = featureMatrix32(x, 'KNN.fit(x)', { rows: labels.length });
    checkInt(this, 'k', 1, train.n, 'kNN');
    this.train = train;
    this.trainY = labels;
    return this;
  }

  /** The predicted label of each row of `x`. */
  async predict(x: FeaturesLike): Promise<Int32Array> {
    if (this.train === undefined || this.trainY === undefined) throw notFitted('KNN', 'predict');
    const test = featureMatrix32(x, 'KNN.predict(x)', { dim: this.train.dim });
    const p = knnProblem(this.trainY, test.n, this.k, { blockSize: this.blockSize, numClasses: this.numClasses });
    this.lastStats = { scanned: 0, queries: 0 };
    return knnVotes(
      this.train.features,
      this.train.dim,
      this.trainY,
      test.features,
      p,
      threadCount(this.threads, 'KNN'),
      this.blockSize,
      this.lastStats,
    );
  }

  /** Accuracy of the predictions on `x` against `y` (or the labels `x` carries). */
  async score(x: FeaturesLike, y?: LabelsLike): Promise<number> {
    return accuracy(await this.predict(x), labelsOf(x, y, 'KNN.score(x, y)'));
  }
}
