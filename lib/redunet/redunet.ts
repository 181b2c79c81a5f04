// ReduNet (Chan, Yu, You, Qi, Wright, Ma: "ReduNet: A White-box Deep Network from the Principle of
// Maximizing Rate Reduction"), in the shape of the evaluators: `fit` constructs the layers from the
// data, forward only (each layer one gradient-ascent step on ΔR, its operators in closed form from
// the features entering it: layer.ts), `transform` passes any set through the constructed network.
//
//   const net = await new ReduNet({ layers: 2000, eta: 0.5, eps: 0.1 }).fit(X, y);   // vectors
//   const Z = await net.transform(Xtest);           // { features, n, dim }: what the evaluators take
//   net.fitted.losses[l]                            // R, Rᶜ, ΔR of layer l's output (construction set)
//   (await net.passThrough(Xtest)).losses           // the same for any set
//   net.operators(l)                                // E, C_j, γ of layer l
//
// With `shape` the rows are multichannel signals and the layers shift-invariant (the official
// Fourier1D/Fourier2D): an optional random lift (lift.ts), then per frequency C x C operators on the
// orthonormal spectrum (fft.ts), and the inverse transform on exit. A shifted input gives the
// shifted output.
import { type FeatureMatrix, type FeaturesLike, featureMatrix, type LabelsLike, labelsOf, labelVector } from '../evaluate/input.js';
import { checkInt, checkKnownKeys, checkNumber, OptionError } from '../io/options.js';
import { encodeSafetensors, loadTensors, type StoredTensorAny } from '../io/safetensors.js';
import { writeFileAtomic } from '../io/files.js';
import { type HalfSpectrum, halfSpectrum, realSignals, realSpectra } from './fft.js';
import {
  type Factors,
  factorise,
  type Geometry,
  type LayerLoss,
  type LayerOperators,
  lossFrom,
  normaliseRows,
  operatorsFrom,
  step,
} from './layer.js';
import { gaussianKernels, LIFT_DEFAULTS, type LiftOptions, liftSignals } from './lift.js';

/** Options of {@link ReduNet}. */
export interface ReduNetOptions {
  /** Layers (default 50, gaussian2d.py's --layers; the paper's Figure 2 uses 2000, Figure 3's rotation experiment 40). */
  layers?: number;
  /** η, the step size of each layer's gradient step (default 0.5). */
  eta?: number;
  /** ε², as the official `eps` (default 0.1). */
  eps?: number;
  /** λ of the estimated memberships softmax(−λ‖C_j z‖) (default 500). */
  lambda?: number;
  /** Classes (default: the largest training label + 1). */
  numClasses?: number;
  /**
   * Per-sample shape of multichannel signals, [channels, time] (1-D shift invariance) or
   * [channels, height, width] (2-D); each row of the input is one sample in that shape, row-major.
   * Absent: rows are vectors.
   */
  shape?: readonly number[];
  /** The random lift in front of shift-invariant layers (absent: none). */
  lift?: LiftOptions;
  /** Called after every layer of every pass (progress). */
  onLayer?: (e: LayerEvent) => void;
}

/** The defaults of {@link ReduNetOptions}: the official scripts' (gaussian2d.py's layers). */
export const REDUNET_DEFAULTS = { layers: 50, eta: 0.5, eps: 0.1, lambda: 500 } as const;

const KNOWN: Required<Omit<ReduNetOptions, 'numClasses' | 'shape' | 'lift' | 'onLayer'>> & Record<string, unknown> = {
  ...REDUNET_DEFAULTS,
  numClasses: 0,
  shape: [],
  lift: {},
  onLayer: undefined,
};

/** What onLayer receives. */
export interface LayerEvent {
  /** 'fit' (the construction), or 'pass' (a set through the constructed network). */
  pass: 'fit' | 'pass';
  /** 0-based layer just done. */
  layer: number;
  layers: number;
  /** Its output's rate reduction, where the pass computes it. */
  loss?: LayerLoss;
}

/** Features as the evaluators take them, float64. */
export type Features64 = FeatureMatrix<Float64Array>;

/** A set through the network: its features, and what each layer did to it. */
export interface ReduPass extends Features64 {
  /** R, Rᶜ, ΔR of each layer's output, with the estimated labels (empty when not computed). */
  losses: LayerLoss[];
  /** The last layer's estimated class of each row (argmax π̂). */
  estimated: Int32Array;
  /** The features after the layers asked for (`keep`; 0: the input, normalised), as the output is. */
  kept: Map<number, Features64>;
}

/** Options of a pass. */
export interface PassOptions {
  /** Layers after which to keep the features (0: before the first). */
  keep?: readonly number[];
  /** Compute R, Rᶜ, ΔR after every layer (default true; a pass without them is several times faster). */
  losses?: boolean;
  /** Called after every layer of this pass (default: the network's onLayer). */
  onLayer?: (e: LayerEvent) => void;
}

/** A layer's operators as stored: real d x d for vectors, else bins x C x C x 2 (re, im). */
export interface StoredOperators {
  /** E: [d, d], or [bins, C, C, 2]. */
  E: StoredTensorAny;
  /** C_j: [k, d, d], or [k, bins, C, C, 2]. */
  Cs: StoredTensorAny;
  /** γ_j: [k]. */
  gam: Float64Array;
}

const FORMAT = 'mcr2-redunet';

/** The resolved options. */
type Resolved = Required<Omit<ReduNetOptions, 'numClasses' | 'shape' | 'lift' | 'onLayer'>> &
  Pick<ReduNetOptions, 'numClasses' | 'shape' | 'lift' | 'onLayer'>;

function resolve(opts: ReduNetOptions): Resolved {
  checkKnownKeys(opts, KNOWN, 'ReduNet');
  const o: Resolved = { ...REDUNET_DEFAULTS, ...opts };
  checkInt(o, 'layers', 0, Infinity, 'ReduNet');
  checkNumber(o, 'eta', { min: 0 });
  checkNumber(o, 'eps', { above: 0 });
  checkNumber(o, 'lambda', { min: 0 });
  if (o.numClasses !== undefined) checkInt(o, 'numClasses', 1, Infinity, 'ReduNet');
  if (o.shape !== undefined) {
    const s = o.shape;
    if (!Array.isArray(s) || (s.length !== 2 && s.length !== 3) || s.some((v) => !Number.isInteger(v) || v < 1))
      throw new OptionError(
        'shape',
        (n) => `ReduNet: ${n} must be [channels, time] or [channels, height, width], got ${JSON.stringify(s)}`,
      );
  }
  if (o.lift !== undefined) {
    if (o.shape === undefined) throw new OptionError('lift', (n) => `ReduNet: ${n} needs shape (a lift acts on multichannel signals)`);
    checkInt(o.lift, 'outChannels', 1, Infinity, 'ReduNet lift');
    checkInt(o.lift, 'kernelSize', 1, Math.min(...o.shape.slice(1)), 'ReduNet lift');
    if (o.lift.seed !== undefined) checkInt(o.lift, 'seed', 0, 0xffffffff, 'ReduNet lift');
  }
  return o;
}

/**
 * ReduNet: `fit(X, y)` constructs the layers; `transform(X)` and `passThrough(X)` use them.
 * Everything is float64, as the official NumPy implementation.
 */
export class ReduNet {
  readonly options: Readonly<Resolved>;
  private geo?: Geometry;
  private hs?: HalfSpectrum;
  private kernels?: Float64Array;
  private ops: LayerOperators[] = [];
  private fit_?: ReduPass;
  private inDim = 0;

  constructor(opts: ReduNetOptions = {}) {
    this.options = resolve(opts);
  }

  /** Constructs every layer from X (rows) and its labels; keeps what the construction did as `fitted`. */
  async fit(x: FeaturesLike, y?: LabelsLike, opts: PassOptions = {}): Promise<this> {
    const labels = labelVector(labelsOf(x, y, 'ReduNet.fit(x, y)'), 'ReduNet.fit(y)');
    const m = this.rows(x, 'ReduNet.fit(x)', labels.length);
    let k = this.options.numClasses ?? 0;
    for (const c of labels) k = Math.max(k, c + 1);
    for (const c of labels)
      if (c >= k) throw new OptionError('numClasses', (n) => `ReduNet.fit(y): label ${c} is outside 0..${k - 1} (${n} ${k})`);
    this.inDim = m.dim;
    const shape = this.options.shape;
    const lift = this.options.lift;
    if (lift !== undefined && shape !== undefined) {
      const ks =
        shape.length === 3 ? [lift.outChannels, shape[0], lift.kernelSize, lift.kernelSize] : [lift.outChannels, shape[0], lift.kernelSize];
      this.kernels = gaussianKernels(ks, lift.seed ?? LIFT_DEFAULTS.seed);
    }
    this.shapeFor(k);
    this.ops = [];
    this.fit_ = this.run(m, 'fit', { ...opts, losses: true }, labels);
    return this;
  }

  /** The features of X through the constructed network (no losses: the fast path). */
  async transform(x: FeaturesLike): Promise<Features64> {
    const { features, n, dim } = this.run(this.rows(x, 'ReduNet.transform(x)'), 'pass', { losses: false });
    return { features, n, dim };
  }

  /** X through the constructed network, with R, Rᶜ, ΔR of every layer's output and the estimated classes. */
  async passThrough(x: FeaturesLike, opts: PassOptions = {}): Promise<ReduPass> {
    return this.run(this.rows(x, 'ReduNet.passThrough(x)'), 'pass', opts);
  }

  /** What the construction did to its own set (its features equal transform(X) of the same rows). */
  get fitted(): ReduPass {
    if (this.fit_ === undefined) throw new Error('ReduNet: fitted is not available before fit()');
    return this.fit_;
  }

  /** Layers constructed. */
  get layerCount(): number {
    return this.ops.length;
  }

  /** Classes the layers were built for. */
  get numClasses(): number {
    return this.geometry('numClasses').classes;
  }

  /** Channels of the layers (the dimension d of vectors; the lift's output channels). */
  get channels(): number {
    return this.geometry('channels').channels;
  }

  /** Numbers per output row: d, or channels x spatial size. */
  get outputDim(): number {
    const g = this.geometry('outputDim');
    return this.options.shape === undefined ? g.channels : g.channels * g.total;
  }

  /** The lift's kernels ([out, in, k] or [out, in, k, k], row-major), if the network has a lift. */
  get liftKernels(): Float64Array | undefined {
    return this.kernels;
  }

  /**
   * Layer `l`'s operators as stored: for vectors E (d x d) and C_j (k x d x d) real, row-major; for
   * shift-invariant layers per kept frequency (bins: ⌊T/2⌋+1, or H·(⌊W/2⌋+1) in numpy's rfft2
   * order; the others are their conjugates) C x C complex as (re, im) pairs.
   */
  operators(l: number): StoredOperators {
    const g = this.geometry('operators');
    if (!(Number.isInteger(l) && l >= 0 && l < this.ops.length))
      throw new Error(`ReduNet.operators: layer ${l} is outside 0..${this.ops.length - 1}`);
    const { E, Cs, gam } = this.ops[l];
    const C = g.channels;
    if (this.options.shape === undefined) {
      const re = (a: Float64Array) => {
        const out = new Float64Array(a.length / 2);
        for (let t = 0; t < out.length; t++) out[t] = a[2 * t];
        return out;
      };
      return { E: { shape: [C, C], data: re(E) }, Cs: { shape: [g.classes, C, C], data: re(Cs) }, gam };
    }
    return { E: { shape: [g.bins, C, C, 2], data: E }, Cs: { shape: [g.classes, g.bins, C, C, 2], data: Cs }, gam };
  }

  /** Saves the network (options, lift kernels, every layer's operators) as safetensors (F64). */
  save(file: string): void {
    const g = this.geometry('save');
    const t = new Map<string, StoredTensorAny>();
    if (this.kernels !== undefined) {
      const lift = this.options.lift!;
      const shape = this.options.shape!;
      t.set('lift.kernels', {
        shape:
          shape.length === 3
            ? [lift.outChannels, shape[0], lift.kernelSize, lift.kernelSize]
            : [lift.outChannels, shape[0], lift.kernelSize],
        data: this.kernels,
      });
    }
    for (let l = 0; l < this.ops.length; l++) {
      const o = this.operators(l);
      t.set(`layers.${l}.E`, o.E);
      t.set(`layers.${l}.Cs`, o.Cs);
      t.set(`layers.${l}.gam`, { shape: [g.classes], data: o.gam });
    }
    const { onLayer: _, ...options } = this.options;
    const meta = {
      format: FORMAT,
      options: JSON.stringify(options),
      numClasses: String(g.classes),
      inputDim: String(this.inDim),
      layers: String(this.ops.length),
      losses: JSON.stringify(this.fit_?.losses ?? []),
    };
    writeFileAtomic(file, encodeSafetensors(t, meta));
  }

  /** A network saved by `save`. */
  static load(file: string, opts: Pick<ReduNetOptions, 'onLayer'> = {}): ReduNet {
    const { tensors, metadata } = loadTensors(file, { float64: true });
    if (metadata.format !== FORMAT) throw new Error(`${file}: not a saved ReduNet (format ${JSON.stringify(metadata.format)})`);
    const net = new ReduNet({ ...(JSON.parse(metadata.options) as ReduNetOptions), ...opts });
    const k = Number(metadata.numClasses);
    const layers = Number(metadata.layers);
    const shape = net.options.shape;
    const lift = net.options.lift;
    net.inDim = Number(metadata.inputDim);
    const { channels, bins: B } = net.shapeFor(k);
    const get = (name: string, size: number): Float64Array => {
      const t = tensors.get(name);
      if (t === undefined) throw new Error(`${file}: ${name} is missing`);
      if (!(t.data instanceof Float64Array) || t.data.length !== size)
        throw new Error(
          `${file}: ${name} has ${t.data.length} ${t.data instanceof Float64Array ? 'F64' : 'F32'} values, expected ${size} F64`,
        );
      return t.data;
    };
    if (lift !== undefined && shape !== undefined)
      net.kernels = get('lift.kernels', lift.outChannels * shape[0] * lift.kernelSize ** (shape.length - 1));
    const C = channels;
    const complex = (a: Float64Array) => {
      const out = new Float64Array(2 * a.length);
      for (let t = 0; t < a.length; t++) out[2 * t] = a[t];
      return out;
    };
    for (let l = 0; l < layers; l++) {
      const vec = shape === undefined;
      const E = get(`layers.${l}.E`, vec ? C * C : B * C * C * 2);
      const Cs = get(`layers.${l}.Cs`, vec ? k * C * C : k * B * C * C * 2);
      net.ops.push({ E: vec ? complex(E) : E, Cs: vec ? complex(Cs) : Cs, gam: get(`layers.${l}.gam`, k) });
    }
    return net;
  }

  /** The geometry of the layers for k classes and this network's input (inDim, shape, lift). */
  private shapeFor(k: number): Geometry {
    const { shape, lift } = this.options;
    this.hs = halfSpectrum(shape === undefined ? [] : shape.slice(1));
    this.geo = {
      channels: shape === undefined ? this.inDim : (lift?.outChannels ?? shape[0]),
      bins: this.hs.bins,
      weights: this.hs.weights,
      total: this.hs.total,
      classes: k,
      rcWeights: shape === undefined ? 'stored' : 'estimated',
    };
    return this.geo;
  }

  private geometry(what: string): Geometry {
    if (this.geo === undefined) throw new Error(`ReduNet: ${what} is not available before fit()`);
    return this.geo;
  }

  /** The input rows as float64 (a copy), checked against the shape. */
  private rows(x: FeaturesLike, where: string, rows?: number): Features64 {
    const shape = this.options.shape;
    const want = shape?.reduce((a, b) => a * b, 1) ?? (this.inDim > 0 ? this.inDim : undefined);
    const m = featureMatrix(x, where, { keepFloat64: true, rows, dim: rows === undefined ? want : undefined });
    if (want !== undefined && m.dim !== want)
      throw new Error(`${where}: rows of ${m.dim} numbers, expected ${want}${shape ? ` (shape [${shape}])` : ''}`);
    return { features: Float64Array.from(m.features), n: m.n, dim: m.dim };
  }

  /** The spectra (or complex vectors) the layers work on, after lift and normalisation. */
  private enter(m: Features64): Float64Array {
    const g = this.geo!;
    const shape = this.options.shape;
    if (shape === undefined) {
      normaliseRows(m.features, m.n, m.dim);
      const v = new Float64Array(2 * m.features.length);
      for (let t = 0; t < m.features.length; t++) v[2 * t] = m.features[t];
      return v;
    }
    const spatial = shape.slice(1);
    let x = m.features;
    const lift = this.options.lift;
    if (lift !== undefined)
      x = liftSignals(x, m.n, shape[0], spatial, this.kernels!, lift.outChannels, lift.kernelSize, lift.relu ?? LIFT_DEFAULTS.relu);
    normaliseRows(x, m.n, g.channels * g.total);
    return realSpectra(x, m.n, g.channels, this.hs!);
  }

  /** Back from the layers' representation: rows, normalised (as the official postprocess). */
  private exit(v: Float64Array, n: number): Features64 {
    const g = this.geo!;
    if (this.options.shape === undefined) {
      const z = new Float64Array(v.length / 2);
      for (let t = 0; t < z.length; t++) z[t] = v[2 * t];
      return { features: normaliseRows(z, n, g.channels), n, dim: g.channels };
    }
    const dim = g.channels * g.total;
    return { features: normaliseRows(realSignals(v, n, g.channels, this.hs!), n, dim), n, dim };
  }

  /**
   * One pass: 'fit' builds each layer from the state entering it (labels given), 'pass' uses the
   * built ones. Losses are those of each layer's output with its estimated labels.
   */
  private run(m: Features64, pass: 'fit' | 'pass', opts: PassOptions, labels?: Int32Array): ReduPass {
    const g = this.geometry('transform');
    const { eta, eps, lambda } = this.options;
    const layers = pass === 'fit' ? this.options.layers : this.ops.length;
    const keep = new Set(opts.keep ?? []);
    for (const l of keep)
      if (!(Number.isInteger(l) && l >= 0 && l <= layers)) throw new Error(`ReduNet: keep asks for layer ${l}, outside 0..${layers}`);
    const withLoss = opts.losses ?? true;
    const n = m.n;
    const v = this.enter(m);
    const kept = new Map<number, Features64>();
    if (keep.has(0)) kept.set(0, this.exit(v.slice(), n));
    const losses: LayerLoss[] = [];
    const estimated = new Int32Array(n);
    // The factors of the state entering the next layer: by the construction labels they build it;
    // by the estimated ones they give the previous layer's loss; the whole set's serve both.
    let next: Factors | undefined;
    for (let l = 0; l < layers; l++) {
      let ops: LayerOperators;
      if (pass === 'fit') {
        const f = next !== undefined && sameLabels(next.labels, labels!) ? next : factorise(v, n, labels!, g, eps, next?.total);
        ops = operatorsFrom(f, n, g, eps);
        this.ops.push(ops);
      } else ops = this.ops[l];
      step(v, n, ops, g, { eta, eps, lambda }, estimated);
      let loss: LayerLoss | undefined;
      if (withLoss) {
        next = factorise(v, n, estimated.slice(), g, eps);
        loss = lossFrom(next, n, g, ops.gam);
        losses.push(loss);
      } else next = undefined;
      if (keep.has(l + 1)) kept.set(l + 1, this.exit(v.slice(), n));
      (opts.onLayer ?? this.options.onLayer)?.({ pass, layer: l, layers, loss });
    }
    return { ...this.exit(v, n), losses, estimated, kept };
  }
}

function sameLabels(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
