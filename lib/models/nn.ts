// A small PyTorch-like module system on tfjs ops: named parameters and buffers (state_dict keys
// as in the official PyTorch models), train/eval mode, PyTorch's default initialisation, NHWC.
import * as tf from '@tensorflow/tfjs';
import type { RandomState } from '../math/random.js';
import { batchNormInferKernel } from '../accel/batchnorm_ops.js';
import { batchNormTrain, type BatchNormFuse } from './batchnorm.js';

export interface LayerRow {
  name: string;
  type: string;
  output: string;
  params: number;
}

export abstract class Module {
  private readonly childList: Array<[string, Module]> = [];
  private readonly paramList: Array<[string, tf.Variable]> = [];
  private readonly bufferList: Array<[string, tf.Variable]> = [];
  training = true;

  abstract forward(x: tf.Tensor): tf.Tensor;

  protected add<M extends Module>(name: string, m: M): M {
    this.childList.push([name, m]);
    return m;
  }

  protected param(name: string, value: tf.Tensor): tf.Variable {
    const v = tf.variable(value, true);
    value.dispose();
    this.paramList.push([name, v]);
    return v;
  }

  protected buffer(name: string, value: tf.Tensor): tf.Variable {
    const v = tf.variable(value, false);
    value.dispose();
    this.bufferList.push([name, v]);
    return v;
  }

  children(): ReadonlyArray<[string, Module]> {
    return this.childList;
  }

  namedParameters(prefix = ''): Array<[string, tf.Variable]> {
    const out: Array<[string, tf.Variable]> = this.paramList.map(([n, v]) => [prefix + n, v]);
    for (const [n, c] of this.childList) out.push(...c.namedParameters(`${prefix}${n}.`));
    return out;
  }

  namedBuffers(prefix = ''): Array<[string, tf.Variable]> {
    const out: Array<[string, tf.Variable]> = this.bufferList.map(([n, v]) => [prefix + n, v]);
    for (const [n, c] of this.childList) out.push(...c.namedBuffers(`${prefix}${n}.`));
    return out;
  }

  parameters(): tf.Variable[] {
    return this.namedParameters().map(([, v]) => v);
  }

  /** Parameters and buffers by name (what a checkpoint holds). */
  stateDict(): Array<[string, tf.Variable]> {
    return [...this.namedParameters(), ...this.namedBuffers()];
  }

  /** Loads values by name; every key must exist with the same shape. */
  loadStateDict(state: Map<string, { shape: number[]; data: Float32Array }>, where = 'checkpoint'): void {
    const mine = this.stateDict();
    const missing = mine.filter(([n]) => !state.has(n)).map(([n]) => n);
    if (missing.length > 0) {
      throw new Error(
        `${where}: missing ${missing.length} tensors for this model (${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}); was it saved from another --arch or --fd?`,
      );
    }
    const known = new Set(mine.map(([n]) => n));
    const extra = [...state.keys()].filter((n) => !known.has(n));
    if (extra.length > 0) throw new Error(`${where}: unexpected tensors ${extra.slice(0, 5).join(', ')} (another --arch?)`);
    for (const [n, v] of mine) {
      const s = state.get(n)!;
      if (s.shape.join('x') !== v.shape.join('x')) {
        throw new Error(`${where}: ${n} has shape [${s.shape}] but the model expects [${v.shape}] (another --arch or --fd?)`);
      }
      v.assign(tf.tensor(s.data, s.shape));
    }
  }

  train(mode = true): this {
    this.training = mode;
    for (const [, c] of this.childList) c.train(mode);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Trainable parameter count (batch-norm γ/β included, running statistics not). */
  numParameters(): number {
    return this.parameters().reduce((a, v) => a + v.size, 0);
  }

  dispose(): void {
    for (const [, v] of this.stateDict()) v.dispose();
  }

  /** One row per leaf module for `mcr2 summary`, from a forward pass on a batch of one. */
  describe(input: tf.Tensor): LayerRow[] {
    const rows: LayerRow[] = [];
    const walk = (m: Module, name: string, x: tf.Tensor): tf.Tensor => {
      if (m.childList.length === 0 || m.traceLeaf()) {
        const y = m.forward(x);
        rows.push({ name: name || '(model)', type: m.typeLabel(), output: `[${y.shape.slice(1).join(', ')}]`, params: m.numParameters() });
        return y;
      }
      return m.traceChildren(name, x, walk);
    };
    const wasTraining = this.training;
    this.eval();
    tf.tidy(() => {
      walk(this, '', input);
    });
    this.train(wasTraining);
    return rows;
  }

  /** The `type` column of `describe`: the class name, with its settings where a module has any. */
  typeLabel(): string {
    return this.constructor.name;
  }

  /** Whether `describe` shows this module as one row even though it has children. */
  protected traceLeaf(): boolean {
    return false;
  }

  /** Runs the children in order for `describe`; modules with other wiring override this. */
  protected traceChildren(name: string, x: tf.Tensor, walk: (m: Module, name: string, x: tf.Tensor) => tf.Tensor): tf.Tensor {
    let y = x;
    for (const [n, c] of this.childList) y = walk(c, name ? `${name}.${n}` : n, y);
    return y;
  }
}

/** U(−1/√fan_in, 1/√fan_in): PyTorch's default for conv/linear weights (kaiming_uniform, a=√5) and biases. */
export function uniformInit(shape: number[], fanIn: number, rng: RandomState): tf.Tensor {
  const b = 1 / Math.sqrt(fanIn);
  const size = shape.reduce((a, c) => a * c, 1);
  const v = new Float32Array(size);
  for (let i = 0; i < size; i++) v[i] = (2 * rng.nextDouble() - 1) * b;
  return tf.tensor(v, shape);
}

export interface Conv2dOptions {
  stride?: number;
  padding?: number;
  bias?: boolean;
}

/**
 * A 2-D convolution's parameters: a square kernel, stride and padding, weight [k, k, in/groups, out]
 * (NHWC) and bias, with PyTorch's default init U(±1/√fan_in), fan_in = (in/groups)·k·k.
 */
export abstract class ConvLayer extends Module {
  readonly weight: tf.Variable;
  readonly bias?: tf.Variable;
  readonly stride: number;
  readonly padding: number;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    opts: Conv2dOptions,
    rng: RandomState,
    readonly groups = 1,
  ) {
    super();
    this.stride = opts.stride ?? 1;
    this.padding = opts.padding ?? 0;
    const fanIn = (inChannels / groups) * kernelSize * kernelSize;
    this.weight = this.param('weight', uniformInit([kernelSize, kernelSize, inChannels / groups, outChannels], fanIn, rng));
    if (opts.bias ?? true) this.bias = this.param('bias', uniformInit([outChannels], fanIn, rng));
  }

  /** The label's stride, padding and bias part (what differs from the defaults). */
  protected labelTail(): string {
    return `${this.stride !== 1 ? `, stride ${this.stride}` : ''}${this.padding !== 0 ? `, pad ${this.padding}` : ''}${this.bias === undefined ? ', no bias' : ''})`;
  }
}

/** 2-D convolution, weight [kh, kw, in, out] (NHWC). */
export class Conv2d extends ConvLayer {
  override typeLabel(): string {
    return `Conv2d(${this.inChannels}→${this.outChannels}, ${this.kernelSize}x${this.kernelSize}${this.labelTail()}`;
  }

  forward(x: tf.Tensor): tf.Tensor {
    const p = this.padding;
    const pad: tf.backend_util.ExplicitPadding = [
      [0, 0],
      [p, p],
      [p, p],
      [0, 0],
    ];
    const y = tf.conv2d(x as tf.Tensor4D, this.weight as tf.Tensor4D, this.stride, p === 0 ? 'valid' : pad);
    return this.bias === undefined ? y : tf.add(y, this.bias);
  }
}

/** Fully connected layer, weight [in, out]. */
export class Linear extends Module {
  readonly weight: tf.Variable;
  readonly bias?: tf.Variable;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    bias: boolean,
    rng: RandomState,
  ) {
    super();
    this.weight = this.param('weight', uniformInit([inFeatures, outFeatures], inFeatures, rng));
    if (bias) this.bias = this.param('bias', uniformInit([outFeatures], inFeatures, rng));
  }

  override typeLabel(): string {
    return `Linear(${this.inFeatures}→${this.outFeatures}${this.bias === undefined ? ', no bias' : ''})`;
  }

  forward(x: tf.Tensor): tf.Tensor {
    const y = tf.matMul(x as tf.Tensor2D, this.weight as tf.Tensor2D);
    return this.bias === undefined ? y : tf.add(y, this.bias);
  }
}

/**
 * Batch normalisation over the last (channel) axis, PyTorch semantics: batch statistics in training
 * (biased variance to normalise, unbiased into the running variance), momentum 0.1, eps 1e-5.
 */
let runningStatsFrozen = false;

/**
 * Runs f with batch norm in training mode (batch statistics) but without updating running
 * statistics: a features-only pass that a later pass over the same batch repeats with gradients.
 */
export function withFrozenRunningStats<T>(f: () => T): T {
  const was = runningStatsFrozen;
  runningStatsFrozen = true;
  try {
    return f();
  } finally {
    runningStatsFrozen = was;
  }
}

export class BatchNorm extends Module {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
  readonly runningMean: tf.Variable;
  readonly runningVar: tf.Variable;
  /**
   * Batches averaged into the running statistics since `resetRunningStats`, or null: then the usual
   * exponential average with `momentum`. PyTorch's momentum=None (cumulative average), as
   * torch.optim.swa_utils.update_bn uses to recalibrate.
   */
  private cumulativeBatches: number | null = null;

  constructor(
    readonly numFeatures: number,
    readonly momentum = 0.1,
    readonly eps = 1e-5,
  ) {
    super();
    this.weight = this.param('weight', tf.ones([numFeatures]));
    this.bias = this.param('bias', tf.zeros([numFeatures]));
    this.runningMean = this.buffer('running_mean', tf.zeros([numFeatures]));
    this.runningVar = this.buffer('running_var', tf.ones([numFeatures]));
  }

  override typeLabel(): string {
    return `BatchNorm(${this.numFeatures})`;
  }

  forward(x: tf.Tensor): tf.Tensor {
    return this.forwardFused(x);
  }

  /**
   * Running mean 0 and variance 1, and from now on a plain average of the batches seen (until
   * `endCumulativeStats`): the start of a recalibration pass.
   */
  resetRunningStats(): void {
    this.runningMean.assign(tf.zerosLike(this.runningMean));
    this.runningVar.assign(tf.onesLike(this.runningVar));
    this.cumulativeBatches = 0;
  }

  /** Back to the exponential running average with `momentum`. */
  endCumulativeStats(): void {
    this.cumulativeBatches = null;
  }

  /**
   * relu(bn(x) + residual) with either part optional, as one taped op in training (see
   * batchnorm.ts: it keeps the backward pass's memory down); plain ops in eval mode.
   */
  forwardFused(x: tf.Tensor, fuse: BatchNormFuse = {}): tf.Tensor {
    if (!this.training) {
      // The backend's one-pass kernel where it has one (wasm) and no gradient is being recorded.
      const inputs: tf.NamedTensorMap = { x, mean: this.runningMean, variance: this.runningVar, gamma: this.weight, beta: this.bias };
      if (fuse.residual !== undefined) inputs.residual = fuse.residual;
      const fast = batchNormInferKernel(inputs, this.eps, fuse.relu ?? false);
      if (fast !== undefined) return fast;
      return tf.tidy(() => {
        let y = tf.batchNorm(x, this.runningMean, this.runningVar, this.bias, this.weight, this.eps);
        if (fuse.residual !== undefined) y = tf.add(y, fuse.residual);
        return fuse.relu ? tf.relu(y) : y;
      });
    }
    const { y, mean, variance } = batchNormTrain(x, this.weight, this.bias, this.eps, fuse);
    const n = x.size / this.numFeatures;
    let m = this.momentum;
    if (this.cumulativeBatches !== null && !runningStatsFrozen) m = 1 / ++this.cumulativeBatches;
    if (!runningStatsFrozen)
      tf.tidy(() => {
        this.runningMean.assign(tf.add(tf.mul(this.runningMean, 1 - m), tf.mul(mean, m)));
        this.runningVar.assign(tf.add(tf.mul(this.runningVar, 1 - m), tf.mul(variance, (m * n) / Math.max(n - 1, 1))));
      });
    tf.dispose([mean, variance]);
    return y;
  }
}

export class ReLU extends Module {
  forward(x: tf.Tensor): tf.Tensor {
    return tf.relu(x);
  }
}

export class MaxPool2d extends Module {
  constructor(
    readonly kernelSize: number,
    readonly stride = kernelSize,
    readonly padding = 0,
  ) {
    super();
  }

  override typeLabel(): string {
    return `MaxPool2d(${this.kernelSize}${this.stride !== this.kernelSize ? `, stride ${this.stride}` : ''}${this.padding !== 0 ? `, pad ${this.padding}` : ''})`;
  }

  forward(x: tf.Tensor): tf.Tensor {
    const p = this.padding;
    return tf.maxPool(x as tf.Tensor4D, this.kernelSize, this.stride, p === 0 ? 'valid' : p);
  }
}

/**
 * Average pooling with a k x k window and stride k, no padding, a partial last window dropped
 * (F.avg_pool2d(x, k) / nn.AvgPool2d(k)). Computed as a mean over a reshaped view, so its gradient
 * is a broadcast on every backend (wasm has no fast AvgPoolGrad).
 */
export class AvgPool2d extends Module {
  constructor(readonly kernelSize: number) {
    super();
  }

  override typeLabel(): string {
    return `AvgPool2d(${this.kernelSize})`;
  }

  forward(x: tf.Tensor): tf.Tensor {
    const k = this.kernelSize;
    if (k === 1) return x;
    const [n, h, w, c] = x.shape;
    const oh = Math.floor(h / k);
    const ow = Math.floor(w / k);
    if (oh < 1 || ow < 1) throw new Error(`AvgPool2d(${k}) needs at least ${k}x${k} inputs, got ${h}x${w}`);
    return tf.tidy(() => {
      const xs = oh * k === h && ow * k === w ? x : tf.slice(x, [0, 0, 0, 0], [n, oh * k, ow * k, c]);
      if (oh === 1 && ow === 1) return tf.mean(xs, [1, 2], true);
      return tf.mean(tf.reshape(xs, [n, oh, k, ow, k, c]), [2, 4]);
    });
  }
}

/** Mean over the spatial axes (nn.AdaptiveAvgPool2d((1, 1))): [n, h, w, c] → [n, 1, 1, c]. */
export class AdaptiveAvgPool2d extends Module {
  override typeLabel(): string {
    return 'AdaptiveAvgPool2d(1)';
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.mean(x, [1, 2], true);
  }
}

/** Passes its input through (PyTorch's empty nn.Sequential() shortcut, or a missing head). */
export class Identity extends Module {
  forward(x: tf.Tensor): tf.Tensor {
    return x;
  }
}

/** Flattens everything after the batch axis. */
export class Flatten extends Module {
  forward(x: tf.Tensor): tf.Tensor {
    return tf.reshape(x, [x.shape[0], -1]);
  }
}

/** Rows scaled to unit L2 norm, as torch.nn.functional.normalize (eps 1e-12). */
export class L2Normalize extends Module {
  forward(x: tf.Tensor): tf.Tensor {
    return l2normalize(x);
  }
}

export function l2normalize(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.div(x, tf.maximum(tf.norm(x, 2, -1, true), 1e-12)));
}

export class Sequential extends Module {
  constructor(...layers: Array<Module | [string, Module]>) {
    super();
    layers.forEach((l, i) => {
      if (Array.isArray(l)) this.add(l[0], l[1]);
      else this.add(String(i), l);
    });
  }

  /** Runs the layers in order; a BatchNorm directly followed by a ReLU runs as one fused op. */
  forward(x: tf.Tensor): tf.Tensor {
    const layers = this.children();
    let y = x;
    for (let i = 0; i < layers.length; i++) {
      const c = layers[i][1];
      if (c instanceof BatchNorm && i + 1 < layers.length && layers[i + 1][1] instanceof ReLU) {
        y = c.forwardFused(y, { relu: true });
        i++;
      } else {
        y = c.forward(y);
      }
    }
    return y;
  }
}
