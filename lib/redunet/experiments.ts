// The paper's ReduNet experiments as the official drivers prepare and judge them (redunet_paper:
// gaussian2d.py, gaussian3d.py, mnist1d.py, mnist2d.py, evaluate.py): their data, their sets of
// shifted copies, and the three accuracies. The CLI (lib/cli/redunet.ts) and notebooks 08 and 09
// build on these.
import { loadDataset } from '../data/index.js';
import { KNN } from '../evaluate/knn.js';
import { NearestSubspace } from '../evaluate/nearsub.js';
import { LinearSVC } from '../evaluate/svm.js';
import { RandomState } from '../math/random.js';
import {
  convert2polar,
  filterClass,
  firstOfEach,
  gatherRows,
  gaussianMixture,
  type LabelledRows,
  shuffleIndex,
  translate,
} from './data.js';
import { normaliseRows } from './layer.js';

/** Options of {@link gaussianData} (gaussian2d.py / gaussian3d.py; their flags' defaults but the seed). */
export interface GaussianDataOptions {
  /** 2 (gaussian2d.py) or 3 (gaussian3d.py). */
  dim: 2 | 3;
  /** --data: which centres (required by the official scripts; the paper's Figure 2: 1). */
  data: number;
  /** --noise: the standard deviation around each centre (default 0.1). */
  noise?: number;
  /** --samples: points per class (default 100; the paper's Figure 2: 500). */
  samples?: number;
  /** Seed of numpy's stream (the official scripts draw unseeded; default 10, the seed of their other draws). */
  seed?: number;
}

export const GAUSSIAN_DEFAULTS = { noise: 0.1, samples: 100, seed: 10 } as const;

/** The Gaussian mixtures of gaussian2d.py / gaussian3d.py: the train set (shuffled), then the test set, from one stream. */
export function gaussianData(o: GaussianDataOptions): { train: LabelledRows; test: LabelledRows; numClasses: number } {
  const { noise, samples, seed } = { ...GAUSSIAN_DEFAULTS, ...o };
  const rng = new RandomState(seed);
  const train = gaussianMixture(o.dim, o.data, noise, samples, rng, true);
  const test = gaussianMixture(o.dim, o.data, noise, samples, rng, false);
  return { train, test, numClasses: train.numClasses };
}

/** Options of {@link mnistShiftData}: mnist1d.py's and mnist2d.py's data flags. */
export interface MnistShiftDataOptions {
  /** 1: polar signals, shifts are rotations (mnist1d.py); 2: images, shifts are translations (mnist2d.py). */
  invariance: 1 | 2;
  /** --classes (default 0–9). */
  classes?: readonly number[];
  /** --samples: the first N images of each class, train and test (default 10). */
  samples?: number;
  /** mnist1d.py --channels: radii of the polar signal (default 9; the paper 15). */
  channels?: number;
  /** mnist1d.py --time: angles of the polar signal (default 150; the paper 200). */
  time?: number;
  /** Images per class that get the shifted copies (mnist1d.py 10, mnist2d.py 2: the drivers' get_n_each). */
  shiftedPerClass?: number;
  /** Shifts −n·stride … n·stride (the drivers: n 2, stride 4). */
  shiftN?: number;
  shiftStride?: number;
  /** Where MNIST is read (default: the package's data folder / MCR2_DATA_DIR). */
  dataDir?: string;
}

export const MNIST_SHIFT_DEFAULTS = {
  classes: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  samples: 10,
  channels: 9,
  time: 150,
  shiftN: 2,
  shiftStride: 4,
} as const;

/** Rows of signals of one per-sample shape, labelled. */
export interface SignalSet extends LabelledRows {
  shape: number[];
}

/** MNIST as mnist1d.py / mnist2d.py prepare it. */
export interface MnistShiftData {
  /** The first `samples` training images of each class, shuffled (seed 10). */
  train: SignalSet;
  /** The first `samples` test images of each class. */
  test: SignalSet;
  /** `shiftedPerClass` of each class of train, each circularly shifted by every shift (one shift after another). */
  shiftedTrain: SignalSet;
  shiftedTest: SignalSet;
  /** The shifts of the shifted sets, in their order ([t] or [h, w]). */
  shifts: number[][];
  numClasses: number;
}

export function mnistShiftData(opts: MnistShiftDataOptions): MnistShiftData {
  const o = { ...MNIST_SHIFT_DEFAULTS, shiftedPerClass: opts.invariance === 1 ? 10 : 2, ...opts };
  const prepare = (split: 'train' | 'test'): SignalSet => {
    const ds = loadDataset('mnist', split, { dataDir: o.dataDir });
    const size = ds.height * ds.width;
    const fc = filterClass(ds.labels, o.classes, o.samples);
    let index = fc.index;
    let labels = fc.labels;
    if (split === 'train') {
      const order = shuffleIndex(index.length);
      index = order.map((i) => fc.index[i]);
      labels = order.map((i) => fc.labels[i]);
    }
    const images = gatherRows(ds.images, size, index);
    const n = index.length;
    if (o.invariance === 1) {
      const shape = [o.channels, o.time];
      return { features: convert2polar(images, n, ds.height, ds.width, o.channels, o.time), labels, n, dim: o.channels * o.time, shape };
    }
    return { features: Float64Array.from(images), labels, n, dim: size, shape: [1, ds.height, ds.width] };
  };
  const train = prepare('train');
  const test = prepare('test');
  const shifted = (s: SignalSet) => {
    const pick = firstOfEach(s.labels, o.shiftedPerClass);
    const t = translate(
      gatherRows(s.features, s.dim, pick),
      Int32Array.from(pick, (i) => s.labels[i]),
      s.shape,
      o.shiftN,
      o.shiftStride,
    );
    return { set: { ...t, shape: s.shape }, shifts: t.shifts };
  };
  const st = shifted(train);
  return { train, test, shiftedTrain: st.set, shiftedTest: shifted(test).set, shifts: st.shifts, numClasses: o.classes.length };
}

/** The three accuracies of the official drivers (acc_*.json's keys). */
export interface Accuracies {
  svm: number;
  knn: number;
  'nearsub-svd': number;
}

/** Rows of features, any precision. */
export interface Rows {
  features: Float32Array | Float64Array;
  n: number;
  dim: number;
}

/**
 * evaluate.py's svm, knn and nearsub as the drivers call them: fitted on `train`, scored on `test`.
 * LinearSVC (random_state 10), kNN (k, cosine), nearest subspace (nComp components, 'svd'; at most
 * dim − 1, as evaluate.py caps it). Rows are normalised first (the MNIST drivers do; the Gaussians'
 * already are).
 */
export async function accuracies(
  train: Rows,
  trainLabels: ArrayLike<number>,
  test: Rows,
  testLabels: ArrayLike<number>,
  opts: { nComp: number; k?: number },
): Promise<Accuracies> {
  const unit = (r: Rows) => ({ features: normaliseRows(Float64Array.from(r.features), r.n, r.dim), n: r.n, dim: r.dim });
  const tr = unit(train);
  const te = unit(test);
  const nComp = Math.min(opts.nComp, tr.dim - 1);
  const svm = new LinearSVC().fit(tr, trainLabels).score(te, testLabels);
  const knn = await new KNN({ k: opts.k ?? 5 }).fit(tr, trainLabels).score(te, testLabels);
  const nearsub = new NearestSubspace({ nComp }).fit(tr, trainLabels).score(te, testLabels);
  return { svm, knn, 'nearsub-svd': nearsub };
}
