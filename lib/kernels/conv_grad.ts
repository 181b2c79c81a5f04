// Convolution gradients composed from forward convolutions, so that they run on XNNPACK.
//
// tfjs-backend-wasm has no Conv2DBackpropFilter at all, and its Conv2DBackpropInput is a plain loop
// (~10x slower than a forward conv of the same size). Both gradients are themselves convolutions:
//   dW[kh,kw,ci,co] = Σ_{n,oh,ow} x[n, oh·s+kh−pt, ow·s+kw−pl, ci] · dy[n,oh,ow,co]
//     = a stride-1 conv of xᵀ ([ci,h,w,n]) with dyᵀ ([oh,ow,n,co]) as the filter, dilated by s;
//   dx = a stride-1 conv of dy (zeros inserted between rows/cols when s > 1) with the filter
//     flipped in space and its in/out channels swapped, padded by k−1−p.
// Only NHWC (tfjs' native layout) and dilation 1 (tfjs has no gradient for dilated convs) occur.
import * as tf from '@tensorflow/tfjs';
import { KernelCaller, type KernelBackend, type TensorInfo } from './call.js';

interface ConvGradAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function convInfo(xShape: number[], filterShape: number[], attrs: ConvGradAttrs) {
  if (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC') {
    throw new Error(`convolution gradients on this backend need dataFormat NHWC, got ${attrs.dataFormat}`);
  }
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
}

/** dW of a conv2d from its input x [n,h,w,ci] and output gradient dy [n,oh,ow,co]. */
export function conv2dBackpropFilter(k: KernelCaller, x: TensorInfo, dy: TensorInfo, filterShape: number[], attrs: ConvGradAttrs): TensorInfo {
  const info = convInfo(x.shape, filterShape, attrs);
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow,
    inHeight: h, inWidth: w, batchSize: n, inChannels: ci } = info;
  const { top, left } = info.padInfo;
  // Rows/cols of the (padded) input that any output reads: up to −pad + (o−1)·s + k − 1.
  const bottom = kh + (oh - 1) * sh - top - h;
  const right = kw + (ow - 1) * sw - left - w;
  let xs = x;
  if (bottom < 0 || right < 0) {
    xs = k.slice(x, [0, 0, 0, 0], [n, h + Math.min(0, bottom), w + Math.min(0, right), ci]);
  }
  const xt = k.transpose(xs, [3, 1, 2, 0]);
  if (xs !== x) k.free(xs);
  const dyt = k.transpose(dy, [1, 2, 0, 3]);
  const r = k.conv2d(xt, dyt, [[top, Math.max(0, bottom)], [left, Math.max(0, right)]], [sh, sw]);
  k.free(xt, dyt);
  const out = k.transpose(r, [1, 2, 0, 3]);
  k.free(r);
  return out;
}

/** Inserts s−1 zeros between rows (and columns) of dy: [n,oh,ow,c] → [n,(oh−1)·sh+1,(ow−1)·sw+1,c]. */
function zeroInsert(k: KernelCaller, dy: TensorInfo, sh: number, sw: number): TensorInfo {
  const [n, oh, ow, c] = dy.shape;
  const r6 = k.reshape(dy, [n, oh, 1, ow, 1, c]);
  const p6 = k.pad(r6, [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
  k.free(r6);
  const r4 = k.reshape(p6, [n, oh * sh, ow * sw, c]);
  k.free(p6);
  const out = k.slice(r4, [0, 0, 0, 0], [n, (oh - 1) * sh + 1, (ow - 1) * sw + 1, c]);
  k.free(r4);
  return out;
}

/** dx of a conv2d from its output gradient dy [n,oh,ow,co] and filter [kh,kw,ci,co]. */
export function conv2dBackpropInput(k: KernelCaller, dy: TensorInfo, filter: TensorInfo, inputShape: number[], attrs: ConvGradAttrs): TensorInfo {
  const info = convInfo(inputShape, filter.shape, attrs);
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow,
    inHeight: h, inWidth: w, batchSize: n, inChannels: ci } = info;
  const { top, left } = info.padInfo;
  const flipped = k.reverse(filter, [0, 1]);
  const ft = k.transpose(flipped, [0, 1, 3, 2]);
  k.free(flipped);
  const dyd = sh > 1 || sw > 1 ? zeroInsert(k, dy, sh, sw) : dy;
  const hd = (oh - 1) * sh + 1;
  const wd = (ow - 1) * sw + 1;
  // Pads that make the output exactly h x w; a pad larger than k−1 leaves negative room, so crop.
  let padTop = kh - 1 - top;
  let padLeft = kw - 1 - left;
  let src = dyd;
  let cropTop = 0;
  let cropLeft = 0;
  if (padTop < 0) { cropTop = -padTop; padTop = 0; }
  if (padLeft < 0) { cropLeft = -padLeft; padLeft = 0; }
  const padBottom = h + kh - 1 - hd - padTop + cropTop;
  const padRight = w + kw - 1 - wd - padLeft + cropLeft;
  if (cropTop > 0 || cropLeft > 0) {
    src = k.slice(dyd, [0, cropTop, cropLeft, 0], [n, hd - cropTop, wd - cropLeft, dy.shape[3]]);
  }
  const out = k.conv2d(src, ft, [[padTop, padBottom], [padLeft, padRight]]);
  if (src !== dyd) k.free(src);
  if (dyd !== dy) k.free(dyd);
  k.free(ft);
  if (out.shape[1] !== h || out.shape[2] !== w || out.shape[3] !== ci) {
    throw new Error(`internal: Conv2DBackpropInput produced ${out.shape} for input ${inputShape}`);
  }
  return out;
}

/** Registers both gradients for `backendName` (replacing a slow existing kernel). */
export function registerConvGradKernels(backendName: string): void {
  const callers = new WeakMap<object, KernelCaller>();
  const caller = (backend: KernelBackend) => {
    let c = callers.get(backend);
    if (c === undefined) { c = new KernelCaller(backend, backendName); callers.set(backend, c); }
    return c;
  };
  for (const name of [tf.Conv2DBackpropFilter, tf.Conv2DBackpropInput]) {
    if (tf.getKernel(name, backendName) !== undefined) tf.unregisterKernel(name, backendName);
  }
  tf.registerKernel({
    kernelName: tf.Conv2DBackpropFilter,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs as unknown as { x: TensorInfo; dy: TensorInfo };
      const a = attrs as unknown as ConvGradAttrs & { filterShape: number[] };
      return conv2dBackpropFilter(caller(backend as unknown as KernelBackend), x, dy, a.filterShape, a) as never;
    },
  });
  tf.registerKernel({
    kernelName: tf.Conv2DBackpropInput,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { dy, filter } = inputs as unknown as { dy: TensorInfo; filter: TensorInfo };
      const a = attrs as unknown as ConvGradAttrs & { inputShape: number[] };
      return conv2dBackpropInput(caller(backend as unknown as KernelBackend), dy, filter, a.inputShape, a) as never;
    },
  });
}
