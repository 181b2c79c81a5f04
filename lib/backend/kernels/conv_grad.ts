// The filter gradient of a convolution composed from a forward convolution, so that it runs on
// XNNPACK (tfjs-backend-wasm has no Conv2DBackpropFilter at all):
//   dW[kh,kw,ci,co] = Σ_{n,oh,ow} x[n, oh·s+kh−pt, ow·s+kw−pl, ci] · dy[n,oh,ow,co]
//     = a stride-1 conv of xᵀ ([ci,h,w,n]) with dyᵀ ([oh,ow,n,co]) as the filter, dilated by s.
// (The input gradient is conv_input_grad.ts.) Only NHWC (tfjs' native layout) and dilation 1
// (tfjs has no gradient for dilated convs) occur.
import * as tf from '@tensorflow/tfjs';
import { callerFor, provideKernel, type KernelCaller, type TensorInfo } from './call.js';

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
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
}

/** dW of a conv2d from its input x [n,h,w,ci] and output gradient dy [n,oh,ow,co]. */
export function conv2dBackpropFilter(
  k: KernelCaller,
  x: TensorInfo,
  dy: TensorInfo,
  filterShape: number[],
  attrs: ConvGradAttrs,
): TensorInfo {
  const info = convInfo(x.shape, filterShape, attrs);
  const {
    filterHeight: kh,
    filterWidth: kw,
    strideHeight: sh,
    strideWidth: sw,
    outHeight: oh,
    outWidth: ow,
    inHeight: h,
    inWidth: w,
    batchSize: n,
    inChannels: ci,
  } = info;
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
  const r = k.conv2d(
    xt,
    dyt,
    [
      [top, Math.max(0, bottom)],
      [left, Math.max(0, right)],
    ],
    [sh, sw],
  );
  k.free(xt, dyt);
  const out = k.transpose(r, [1, 2, 0, 3]);
  k.free(r);
  return out;
}

/** Registers the filter gradient for `backendName` (wasm has none). */
export function registerConvGradKernels(backendName: string): void {
  provideKernel(tf.Conv2DBackpropFilter, backendName, ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as unknown as { x: TensorInfo; dy: TensorInfo };
    const a = attrs as unknown as ConvGradAttrs & { filterShape: number[] };
    return conv2dBackpropFilter(callerFor(backend, backendName), x, dy, a.filterShape, a) as never;
  });
}
