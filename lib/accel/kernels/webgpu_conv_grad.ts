// The filter gradient of a convolution on the webgpu backend as matrix products, one per filter tap:
//   dW[kh,kw,:,:] = Σ_{n,oh,ow} x[n, oh·s+kh−pt, ow·s+kw−pl, :]ᵀ · dy[n,oh,ow,:]
// tfjs-backend-webgpu's own Conv2DBackpropFilter gives each filter element one GPU thread that loops
// over the whole batch and image serially (cnn-small's 3x3x32x64 filter: 18,432 threads of 19,600
// steps each; 40% of a training step on lavapipe). Here each tap is a strided slice of the padded
// input and a batched matmul over groups of images (tfjs' tiled matmul, many workgroups), summed over
// the groups: a fixed summation order (tfjs' split-K matmul would add with atomics, run-to-run
// different), so training stays deterministic.
import * as tf from '@tensorflow/tfjs';
import { callerFor, type ConvAttrs, convGeometry, type KernelCaller, provideKernel, type TensorInfo } from './call.js';

interface ConvGradAttrs extends ConvAttrs {
  filterShape: number[];
}

/** Largest im2col matrix (kh·kw copies of the input) built at once; beyond it, one product per tap. */
export const IM2COL_BYTES = 256 * 2 ** 20;

/** Images per group: the largest divisor g of n whose groups still hold ≥ minRows rows (n/g · oh·ow). */
export function imageGroups(n: number, rowsPerImage: number, minRows = 512): number {
  for (let g = n; g > 1; g--) if (n % g === 0 && (n / g) * rowsPerImage >= minRows) return g;
  return 1;
}

/** dW of a conv2d from its input x [n,h,w,ci] and output gradient dy [n,oh,ow,co] (im2colBytes: see IM2COL_BYTES). */
export function conv2dBackpropFilterByTaps(
  k: KernelCaller,
  x: TensorInfo,
  dy: TensorInfo,
  attrs: ConvGradAttrs,
  im2colBytes = IM2COL_BYTES,
): TensorInfo {
  const { kh, kw, sh, sw, oh, ow, h, w, n, ci, co, top, left } = convGeometry(x.shape, attrs.filterShape, attrs, 'webgpu');
  // Pad so that every tap's window lies inside: rows −top .. (oh−1)·s + kh − 1 − top.
  const bottom = Math.max(0, (oh - 1) * sh + kh - top - h);
  const right = Math.max(0, (ow - 1) * sw + kw - left - w);
  const xp =
    top > 0 || left > 0 || bottom > 0 || right > 0
      ? k.pad(x, [
          [0, 0],
          [top, bottom],
          [left, right],
          [0, 0],
        ])
      : x;
  const g = imageGroups(n, oh * ow);
  const rows = (n / g) * oh * ow;
  const dyg = k.reshape(dy, [g, rows, co]);
  const window = (a: number, b: number) =>
    k.run(
      'StridedSlice',
      { x: xp },
      {
        begin: [0, a, b, 0],
        end: [n, a + (oh - 1) * sh + 1, b + (ow - 1) * sw + 1, ci],
        strides: [1, sh, sw, 1],
        beginMask: 0,
        endMask: 0,
        ellipsisMask: 0,
        newAxisMask: 0,
        shrinkAxisMask: 0,
      },
    );
  // Σ over the groups of images of colsᵀ·dy ([g, rows, c]ᵀ [g, rows, co] → [c, co]).
  const product = (cols: TensorInfo, c: number) => {
    const xg = k.reshape(cols, [g, rows, c]);
    const part = k.run('BatchMatMul', { a: xg, b: dyg }, { transposeA: true, transposeB: false });
    k.free(xg);
    if (g === 1) return part;
    const sum = k.run('Sum', { x: part }, { axis: [0], keepDims: true });
    k.free(part);
    return sum;
  };
  let all: TensorInfo;
  if (kh * kw * n * oh * ow * ci * 4 <= im2colBytes) {
    // All taps as columns of one matrix [n·oh·ow, kh·kw·ci] (tap-major, as the filter is laid out): one product.
    const wins: TensorInfo[] = [];
    for (let a = 0; a < kh; a++) for (let b = 0; b < kw; b++) wins.push(window(a, b));
    const cols = wins.length === 1 ? wins[0] : k.run('Concat', wins as unknown as Record<string, TensorInfo>, { axis: 3 });
    if (wins.length > 1) k.free(...wins);
    all = product(cols, kh * kw * ci);
    k.free(cols);
  } else {
    // Too large to hold every tap's window at once: one product per tap.
    const taps: TensorInfo[] = [];
    for (let a = 0; a < kh; a++) {
      for (let b = 0; b < kw; b++) {
        const win = window(a, b);
        taps.push(product(win, ci));
        k.free(win);
      }
    }
    all = taps.length === 1 ? taps[0] : k.run('Concat', taps as unknown as Record<string, TensorInfo>, { axis: 0 });
    if (taps.length > 1) k.free(...taps);
  }
  if (xp !== x) k.free(xp);
  k.free(dyg);
  const out = k.reshape(all, [kh, kw, ci, co]);
  k.free(all);
  return out;
}

/** Replaces tfjs-backend-webgpu's Conv2DBackpropFilter. */
export function registerWebgpuConvGrad(backendName = 'webgpu'): void {
  provideKernel(tf.Conv2DBackpropFilter, backendName, ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as unknown as { x: TensorInfo; dy: TensorInfo };
    return conv2dBackpropFilterByTaps(callerFor(backend, backendName), x, dy, attrs as unknown as ConvGradAttrs) as never;
  });
}
