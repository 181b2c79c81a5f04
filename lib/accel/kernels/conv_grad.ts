// The filter gradient of a convolution composed from a forward convolution, so that it runs on
// XNNPACK (tfjs-backend-wasm has no Conv2DBackpropFilter at all):
//   dW[kh,kw,ci,co] = Σ_{n,oh,ow} x[n, oh·s+kh−pt, ow·s+kw−pl, ci] · dy[n,oh,ow,co]
//     = a stride-1 conv of xᵀ ([ci,h,w,n]) with dyᵀ ([oh,ow,n,co]) as the filter, dilated by s.
// (The input gradient is conv_input_grad.ts.) Only NHWC (tfjs' native layout) and dilation 1
// (tfjs has no gradient for dilated convs) occur.
//
// Where kh·kw·ci is small (a network's first layer: 3x3x1 on MNIST, 3x3x3 on CIFAR) that
// convolution is a poor GEMM for XNNPACK: a 28x28 "filter" of 100 channels packed on every call,
// 9 output rows (~40 ms at batch 100 on the Intel machine). There dW is one plain product instead,
//   dW [kh·kw·ci, co] = colsᵀ [kh·kw·ci, n·oh·ow] · dy [n·oh·ow, co]
// with colsᵀ (the transposed im2col matrix of x) written directly on the wasm heap (~4 ms). With
// WebAssembly SIMD and kh·kw·ci ≤ 12 (simd.ts: filterGradSmallK) the product is one streaming
// kernel over the pixel-major im2col matrix instead: XNNPACK would pack the whole of dy first.
import * as tf from '@tensorflow/tfjs';
import { callerFor, type ConvAttrs, type ConvGeometry, convGeometry, provideKernel, type KernelCaller, type TensorInfo } from './call.js';
import { filterGradKernel, heapAddress, wasmMemoryOf } from './simd.js';

/** dW of a conv2d from its input x [n,h,w,ci] and output gradient dy [n,oh,ow,co]. */
export function conv2dBackpropFilter(k: KernelCaller, x: TensorInfo, dy: TensorInfo, filterShape: number[], attrs: ConvAttrs): TensorInfo {
  const { kh, kw, sh, sw, oh, ow, h, w, n, ci, top, left } = convGeometry(x.shape, filterShape, attrs);
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

/** Largest kh·kw·ci for which dW is computed as colsᵀ · dy (the product's row count). */
const COLS_MAX_ROWS = 32;

interface HeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/**
 * colsᵀ of x [n, h, w, ci] for a kh x kw window: row (ky, kx, c), column (b, oy, ox) holds
 * x[b, oy·sh + ky − top, ox·sw + kx − left, c], 0 outside x.
 */
export function transposedCols(x: Float32Array, g: ConvGeometry, out: Float32Array): void {
  const { n, h, w, ci, oh, ow, kh, kw, sh, sw, top, left } = g;
  let o = 0;
  for (let ky = 0; ky < kh; ky++) {
    for (let kx = 0; kx < kw; kx++) {
      for (let c = 0; c < ci; c++) {
        for (let b = 0; b < n; b++) {
          for (let oy = 0; oy < oh; oy++) {
            const iy = oy * sh + ky - top;
            if (iy < 0 || iy >= h) {
              out.fill(0, o, o + ow);
              o += ow;
              continue;
            }
            const rowBase = (b * h + iy) * w;
            for (let ox = 0; ox < ow; ox++, o++) {
              const ix = ox * sw + kx - left;
              out[o] = ix >= 0 && ix < w ? x[(rowBase + ix) * ci + c] : 0;
            }
          }
        }
      }
    }
  }
}

/** The im2col matrix of x, pixel-major: row (b, oy, ox), column (ky, kx, c), 0 outside x. */
export function pixelCols(x: Float32Array, g: ConvGeometry, out: Float32Array): void {
  const { n, h, w, ci, oh, ow, kh, kw, sh, sw, top, left } = g;
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh + ky - top;
          const rowOk = iy >= 0 && iy < h;
          const rowBase = (b * h + iy) * w;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * sw + kx - left;
            const ok = rowOk && ix >= 0 && ix < w;
            const src = (rowBase + ix) * ci;
            for (let c = 0; c < ci; c++, o++) out[o] = ok ? x[src + c] : 0;
          }
        }
      }
    }
  }
}

function conv2dBackpropFilterCols(
  k: KernelCaller,
  wb: HeapBackend,
  x: TensorInfo,
  dy: TensorInfo,
  filterShape: number[],
  attrs: ConvAttrs,
): TensorInfo {
  const g = convGeometry(x.shape, filterShape, attrs);
  const { kh, kw, ci, co } = g;
  const m = g.n * g.oh * g.ow;
  const K = kh * kw * ci;
  const kernel = co % 4 === 0 ? filterGradKernel(wasmMemoryOf(wb), K) : undefined;
  if (kernel !== undefined) {
    const cols = wb.makeOutput([m, K], 'float32');
    const acc = wb.makeOutput([2 * K * co], 'float32'); // f64 [co/4][K][4]
    const out = wb.makeOutput(filterShape, 'float32');
    pixelCols(wb.typedArrayFromHeap(x) as Float32Array, g, wb.typedArrayFromHeap(cols) as Float32Array);
    const accView = wb.typedArrayFromHeap(acc) as Float32Array;
    accView.fill(0);
    // Pixels per chunk: the chunk's dy rows (chunk·co floats) stay within ~32 KB.
    kernel(heapAddress(wb, cols), heapAddress(wb, dy), m, co, heapAddress(wb, acc), Math.max(16, Math.floor(8192 / co)));
    const sums = new Float64Array(accView.buffer, accView.byteOffset, K * co);
    const dst = wb.typedArrayFromHeap(out) as Float32Array;
    for (let v = 0; v < co / 4; v++) {
      for (let kk = 0; kk < K; kk++) for (let l = 0; l < 4; l++) dst[kk * co + v * 4 + l] = sums[(v * K + kk) * 4 + l];
    }
    k.free(cols, acc);
    return out;
  }
  const cols = wb.makeOutput([kh * kw * ci, m], 'float32');
  transposedCols(wb.typedArrayFromHeap(x) as Float32Array, g, wb.typedArrayFromHeap(cols) as Float32Array);
  const dy2 = k.reshape(dy, [m, co]);
  const prod = k.run('BatchMatMul', { a: cols, b: dy2 }, { transposeA: false, transposeB: false });
  k.free(cols, dy2);
  const out = k.reshape(prod, filterShape);
  k.free(prod);
  return out;
}

/** Registers the filter gradient for `backendName` (wasm has none). */
export function registerConvGradKernels(backendName: string): void {
  provideKernel(tf.Conv2DBackpropFilter, backendName, ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as unknown as { x: TensorInfo; dy: TensorInfo };
    const a = attrs as unknown as ConvAttrs & { filterShape: number[] };
    const k = callerFor(backend, backendName);
    const [kh, kw, ci] = a.filterShape;
    const heap = backend as unknown as Partial<HeapBackend>;
    if (kh * kw * ci <= COLS_MAX_ROWS && x.dtype === 'float32' && heap.makeOutput !== undefined && heap.typedArrayFromHeap !== undefined) {
      return conv2dBackpropFilterCols(k, heap as HeapBackend, x, dy, a.filterShape, a) as never;
    }
    return conv2dBackpropFilter(k, x, dy, a.filterShape, a) as never;
  });
}
