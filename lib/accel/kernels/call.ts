// Calling one backend's kernels directly from inside another kernel: no engine bookkeeping, no
// tape, and every intermediate is released as soon as it is used.
import * as tf from '@tensorflow/tfjs';

export interface TensorInfo {
  dataId: object;
  shape: number[];
  dtype: tf.DataType;
}

/** The slice of a tfjs backend that composed kernels need. */
export interface KernelBackend {
  disposeData(dataId: object, force?: boolean): boolean;
}

export type Attrs = Record<string, unknown>;

/** A conv2d's attributes, as its gradient kernels get them. */
export interface ConvAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** A conv2d's sizes (tf.backend_util.computeConv2DInfo's) under short names. */
export interface ConvGeometry {
  /** Batch, input height and width, input and output channels, output height and width. */
  n: number;
  h: number;
  w: number;
  ci: number;
  co: number;
  oh: number;
  ow: number;
  /** Filter height and width, strides, and the padding above and left of the input. */
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  top: number;
  left: number;
}

/** The geometry of an NHWC, dilation-1 conv2d (the only ones whose gradients tfjs takes); `where` names the backend in the error. */
export function convGeometry(xShape: number[], filterShape: number[], attrs: ConvAttrs, where = 'this backend'): ConvGeometry {
  if (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC') {
    throw new Error(`convolution gradients on ${where} need dataFormat NHWC, got ${attrs.dataFormat}`);
  }
  const i = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  const [n, h, w, ci, co, oh, ow] = [i.batchSize, i.inHeight, i.inWidth, i.inChannels, i.outChannels, i.outHeight, i.outWidth];
  const { top, left } = i.padInfo;
  return { n, h, w, ci, co, oh, ow, kh: i.filterHeight, kw: i.filterWidth, sh: i.strideHeight, sw: i.strideWidth, top, left };
}

export class KernelCaller {
  private readonly cache = new Map<string, tf.KernelFunc>();

  constructor(
    private readonly backend: KernelBackend,
    private readonly backendName: string,
  ) {}

  /** Runs kernel `name` of this backend and returns its (single) output. */
  run(name: string, inputs: Record<string, TensorInfo>, attrs: Attrs = {}): TensorInfo {
    let fn = this.cache.get(name);
    if (fn === undefined) {
      const config = tf.getKernel(name, this.backendName);
      if (config === undefined) throw new Error(`kernel ${name} is not registered for backend ${this.backendName}`);
      fn = config.kernelFunc;
      this.cache.set(name, fn);
    }
    const out = fn({ inputs: inputs as never, backend: this.backend as never, attrs: attrs as never });
    return (Array.isArray(out) ? out[0] : out) as TensorInfo;
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run('Transpose', { x }, { perm });
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  slice(x: TensorInfo, begin: number[], size: number[]): TensorInfo {
    return this.run('Slice', { x }, { begin, size });
  }

  pad(x: TensorInfo, paddings: Array<[number, number]>): TensorInfo {
    return this.run('PadV2', { x }, { paddings, constantValue: 0 });
  }

  reverse(x: TensorInfo, dims: number[]): TensorInfo {
    return this.run('Reverse', { x }, { dims });
  }

  conv2d(x: TensorInfo, filter: TensorInfo, pad: Array<[number, number]>, dilations: [number, number] = [1, 1]): TensorInfo {
    return this.run(
      'Conv2D',
      { x, filter },
      {
        strides: [1, 1],
        pad: [[0, 0], pad[0], pad[1], [0, 0]],
        dataFormat: 'NHWC',
        dilations,
        dimRoundingMode: undefined,
      },
    );
  }

  /** Releases intermediates (reshape outputs share data with their input and only drop a reference). */
  free(...infos: TensorInfo[]): void {
    for (const t of infos) this.backend.disposeData(t.dataId);
  }
}

const callers = new WeakMap<object, Map<string, KernelCaller>>();

/** The (cached) caller for one backend instance. */
export function callerFor(backend: unknown, backendName: string): KernelCaller {
  let byName = callers.get(backend as object);
  if (byName === undefined) {
    byName = new Map();
    callers.set(backend as object, byName);
  }
  let c = byName.get(backendName);
  if (c === undefined) {
    c = new KernelCaller(backend as KernelBackend, backendName);
    byName.set(backendName, c);
  }
  return c;
}

/** Replaces a backend's kernel `name` (make gets the original, to fall back on). */
export function replaceKernel(name: string, backendName: string, make: (orig: tf.KernelFunc) => tf.KernelFunc): void {
  const config = tf.getKernel(name, backendName);
  if (config === undefined) throw new Error(`kernel ${name} is not registered for ${backendName}`);
  tf.unregisterKernel(name, backendName);
  tf.registerKernel({ kernelName: name, backendName, kernelFunc: make(config.kernelFunc) });
}

/** Registers kernel `name` for a backend, in place of any kernel of that name. */
export function provideKernel(name: string, backendName: string, kernelFunc: tf.KernelFunc): void {
  if (tf.getKernel(name, backendName) !== undefined) tf.unregisterKernel(name, backendName);
  tf.registerKernel({ kernelName: name, backendName, kernelFunc });
}
