// Faster replacements for wasm kernels that training hits on every step (measured with tf.profile
// on a cnn-small step at batch 1000, before → after):
//   BatchMatMul with transposeA/B: XNNPACK is only used for plain products (~2 → ~25 GFLOP/s with
//     an explicit transpose first, of the operand or of the product, whichever is smaller); the
//     Linear layer's two gradients are transposed products.
//   Sum / Mean over all leading axes (bias and batch-norm gradients, batch statistics of NHWC
//     activations): the stock kernel transposes the whole tensor first; one streaming JS pass over
//     the wasm heap does not (a product with a ones row is no better: XNNPACK repacks the operand).
//   MaxPoolGrad: the stock kernel is a slow generic loop; a channel-vectorised JS loop over the
//     wasm heap is ~10x faster. Gradient goes to the first maximum of each window, as TF/PyTorch.
//   Identity: the stock kernel copies the tensor. tfjs clones every tensor an op saves for its
//     gradient (and every tensor a customGrad saves), so each taped activation was copied once in
//     the forward pass (~10 ms of a cnn-small step at batch 100). Tensors are immutable, so the
//     clone shares the data with a reference count, as the cpu backend's Identity and wasm's own
//     Reshape do.
import * as tf from '@tensorflow/tfjs';
import { callerFor, replaceKernel, type KernelBackend, type TensorInfo } from './call.js';
import { heapAddress, simdKernels, wasmMemoryOf } from './simd.js';

/** The parts of BackendWasm used to read/write tensors in place. */
interface WasmBackend extends KernelBackend {
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

function size(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** If `axes` are exactly the leading k axes of a rank-r tensor (k < r), returns k. */
function leadingAxes(axes: number[], rank: number): number | undefined {
  const s = [...new Set(axes.map((a) => (a < 0 ? a + rank : a)))].sort((a, b) => a - b);
  if (s.length === 0 || s.length >= rank) return undefined;
  return s.every((a, i) => a === i) ? s.length : undefined;
}

export function registerFastWasmKernels(backendName = 'wasm'): void {
  const caller = (backend: unknown) => callerFor(backend, backendName);

  replaceKernel(tf.Identity, backendName, (orig) => ({ inputs, backend, attrs }) => {
    const { x } = inputs as unknown as { x: TensorInfo };
    if (x.dtype === 'string') return orig({ inputs, backend, attrs });
    (backend as unknown as { incRef(dataId: object): void }).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype } as never;
  });

  replaceKernel(tf.BatchMatMul, backendName, (orig) => ({ inputs, backend, attrs }) => {
    const { a, b } = inputs as unknown as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
    if (!transposeA && !transposeB) return orig({ inputs, backend, attrs });
    const k = caller(backend);
    const swap = (t: TensorInfo) => {
      const perm = t.shape.map((_, i) => i);
      const r = perm.length;
      [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
      return k.transpose(t, perm);
    };
    const plain = { ...attrs, transposeA: false, transposeB: false } as never;
    const rows = (t: TensorInfo, tr: boolean) => t.shape[t.shape.length - (tr ? 1 : 2)];
    const cols = (t: TensorInfo, tr: boolean) => t.shape[t.shape.length - (tr ? 2 : 1)];
    // Either transpose the operands that need it and multiply (A'·B'), or multiply the other way
    // round and transpose the product ((B'ᵀ·A'ᵀ)ᵀ): whichever moves fewer numbers. The Linear
    // layer's dx = dy·Wᵀ is the second kind: W is large, dy and dx are not.
    const costDirect = (transposeA ? size(a.shape) : 0) + (transposeB ? size(b.shape) : 0);
    const costSwapped =
      (transposeA ? 0 : size(a.shape)) +
      (transposeB ? 0 : size(b.shape)) +
      rows(a, transposeA) * cols(b, transposeB) * (size(a.shape) / (rows(a, transposeA) * cols(a, transposeA)));
    if (costDirect <= costSwapped || a.shape.length !== b.shape.length) {
      const at = transposeA ? swap(a) : a;
      const bt = transposeB ? swap(b) : b;
      const out = orig({ inputs: { a: at, b: bt } as never, backend, attrs: plain });
      if (at !== a) k.free(at);
      if (bt !== b) k.free(bt);
      return out;
    }
    const bs = transposeB ? b : swap(b);
    const as = transposeA ? a : swap(a);
    const ct = orig({ inputs: { a: bs, b: as } as never, backend, attrs: plain }) as unknown as TensorInfo;
    if (bs !== b) k.free(bs);
    if (as !== a) k.free(as);
    const out = swap(ct);
    k.free(ct);
    return out as never;
  });

  const leadingReduce =
    (mean: boolean) =>
    (orig: tf.KernelFunc): tf.KernelFunc =>
    ({ inputs, backend, attrs }) => {
      const { x } = inputs as unknown as { x: TensorInfo };
      const { axis, keepDims } = attrs as unknown as { axis: number | number[]; keepDims: boolean };
      const axes = tf.util.parseAxisParam(axis, x.shape);
      const lead = x.dtype === 'float32' ? leadingAxes(axes, x.shape.length) : undefined;
      if (lead === undefined || size(x.shape) === 0) return orig({ inputs, backend, attrs });
      const wb = backend as unknown as WasmBackend;
      const rest = x.shape.slice(lead);
      const outShape = keepDims ? [...x.shape.slice(0, lead).map(() => 1), ...rest] : rest;
      const out = wb.makeOutput(outShape, 'float32');
      const c = size(rest);
      const simd = c % 4 === 0 ? simdKernels(wasmMemoryOf(backend)) : undefined;
      if (simd !== undefined) {
        // f64 column sums in a scratch buffer of 2c floats.
        const scratch = wb.makeOutput([2 * c], 'float32');
        const heap = wb.typedArrayFromHeap(scratch) as Float32Array;
        heap.fill(0);
        const rows = size(x.shape) / c;
        simd.colsum(heapAddress(backend, x), rows, c, heapAddress(backend, scratch));
        const acc = new Float64Array(heap.buffer, heap.byteOffset, c);
        const dst = wb.typedArrayFromHeap(out) as Float32Array;
        const scale = mean ? 1 / rows : 1;
        for (let j = 0; j < c; j++) dst[j] = acc[j] * scale;
        wb.disposeData(scratch.dataId);
        return out as never;
      }
      const src = wb.typedArrayFromHeap(x) as Float32Array;
      const dst = wb.typedArrayFromHeap(out) as Float32Array;
      columnSums(src, c, dst, mean);
      return out as never;
    };
  replaceKernel(tf.Sum, backendName, leadingReduce(false));
  replaceKernel(tf.Mean, backendName, leadingReduce(true));

  replaceKernel(tf.MaxPoolGrad, backendName, () => ({ inputs, backend, attrs }) => {
    const { dy, input } = inputs as unknown as { dy: TensorInfo; input: TensorInfo };
    const a = attrs as unknown as {
      filterSize: [number, number] | number;
      strides: [number, number] | number;
      pad: 'valid' | 'same' | number;
      dimRoundingMode?: 'floor' | 'round' | 'ceil';
    };
    const info = tf.backend_util.computePool2DInfo(
      input.shape as [number, number, number, number],
      a.filterSize,
      a.strides,
      1,
      a.pad,
      a.dimRoundingMode,
    );
    const wb = backend as unknown as WasmBackend;
    const dxInfo = wb.makeOutput(input.shape, 'float32');
    // Views are taken after the allocation: growing wasm memory detaches older views.
    const dx = wb.typedArrayFromHeap(dxInfo) as Float32Array;
    const simd = info.inChannels % 4 === 0 && isPlain2x2(info) ? simdKernels(wasmMemoryOf(backend)) : undefined;
    if (simd !== undefined) {
      const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
      if (h !== 2 * oh || w !== 2 * ow) dx.fill(0);
      const at = (t: TensorInfo) => heapAddress(backend, t);
      simd.maxPool2x2Grad(at(input), at(dy), at(dxInfo), n, h, w, c, oh, ow);
      return dxInfo as never;
    }
    const x = wb.typedArrayFromHeap(input) as Float32Array;
    const g = wb.typedArrayFromHeap(dy) as Float32Array;
    maxPoolBackward(x, g, dx, info);
    return dxInfo as never;
  });
}

/**
 * The common 2x2, stride-2 window: four fixed offsets, no bounds checks; first maximum wins. The
 * windows tile the input, so each writes its four dx entries (no zero fill first, no read-back);
 * a last odd row or column (outside every window) is zeroed by the caller.
 */
function maxPool2x2Backward(
  x: Float32Array,
  dy: Float32Array,
  dx: Float32Array,
  n: number,
  h: number,
  w: number,
  c: number,
  oh: number,
  ow: number,
): void {
  const row = w * c;
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < oh; y++) {
      let base = (b * h + 2 * y) * row;
      for (let xo = 0; xo < ow; xo++, base += 2 * c) {
        for (let ch = 0; ch < c; ch++, o++) {
          const i0 = base + ch;
          const i1 = i0 + c;
          const i2 = i0 + row;
          const i3 = i2 + c;
          let bi = i0;
          let bv = x[i0];
          if (x[i1] > bv) {
            bi = i1;
            bv = x[i1];
          }
          if (x[i2] > bv) {
            bi = i2;
            bv = x[i2];
          }
          if (x[i3] > bv) bi = i3;
          dx[i0] = 0;
          dx[i1] = 0;
          dx[i2] = 0;
          dx[i3] = 0;
          dx[bi] = dy[o];
        }
      }
    }
  }
}

/** Sums (or means) over rows of a row-major [m, c] matrix, accumulated in float64. */
export function columnSums(x: Float32Array, c: number, out: Float32Array, mean = false): void {
  const m = x.length / c;
  const acc = new Float64Array(c);
  let i = 0;
  // Four rows per pass: 2x faster than one (fewer accumulator round trips).
  for (; i + 4 <= m; i += 4) {
    const o = i * c;
    for (let j = 0; j < c; j++) acc[j] += x[o + j] + x[o + c + j] + (x[o + 2 * c + j] + x[o + 3 * c + j]);
  }
  for (; i < m; i++) for (let j = 0; j < c; j++) acc[j] += x[i * c + j];
  const scale = mean ? 1 / m : 1;
  for (let j = 0; j < c; j++) out[j] = acc[j] * scale;
}

/** A 2x2 window with stride 2 and no padding (the windows tile the input, a last odd row/column aside). */
function isPlain2x2(info: tf.backend_util.Conv2DInfo): boolean {
  const { padInfo: p, effectiveFilterHeight: fh, effectiveFilterWidth: fw, strideHeight: sh, strideWidth: sw } = info;
  return (
    fh === 2 &&
    fw === 2 &&
    sh === 2 &&
    sw === 2 &&
    p.top === 0 &&
    p.left === 0 &&
    info.inHeight >= 2 * info.outHeight &&
    info.inWidth >= 2 * info.outWidth
  );
}

/** dx of a max pool: each output's gradient goes to the first maximum of its window. */
export function maxPoolBackward(x: Float32Array, dy: Float32Array, dx: Float32Array, info: tf.backend_util.Conv2DInfo): void {
  const {
    batchSize: n,
    inHeight: h,
    inWidth: w,
    inChannels: c,
    outHeight: oh,
    outWidth: ow,
    strideHeight: sh,
    strideWidth: sw,
    effectiveFilterHeight: fh,
    effectiveFilterWidth: fw,
  } = info;
  const { top, left } = info.padInfo;
  if (isPlain2x2(info)) {
    if (h !== 2 * oh || w !== 2 * ow) dx.fill(0);
    maxPool2x2Backward(x, dy, dx, n, h, w, c, oh, ow);
    return;
  }
  dx.fill(0);
  const best = new Float32Array(c);
  const arg = new Int32Array(c);
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < oh; y++) {
      for (let xo = 0; xo < ow; xo++) {
        best.fill(-Infinity);
        arg.fill(-1);
        for (let ky = 0; ky < fh; ky++) {
          const iy = y * sh - top + ky;
          if (iy < 0 || iy >= h) continue;
          for (let kx = 0; kx < fw; kx++) {
            const ix = xo * sw - left + kx;
            if (ix < 0 || ix >= w) continue;
            const base = ((b * h + iy) * w + ix) * c;
            for (let ch = 0; ch < c; ch++) {
              const v = x[base + ch];
              if (v > best[ch] || arg[ch] < 0) {
                best[ch] = v;
                arg[ch] = base + ch;
              }
            }
          }
        }
        for (let ch = 0; ch < c; ch++, o++) if (arg[ch] >= 0) dx[arg[ch]] += dy[o];
      }
    }
  }
}
