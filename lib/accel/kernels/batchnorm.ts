// Training-mode batch normalisation as two wasm kernels (forward, backward) over the wasm heap.
//
// lib/models/batchnorm.ts composes the same arithmetic from tfjs ops: ~9 passes over the
// activation forward and ~11 backward, each a separate wasm kernel with its own output buffer. On a
// cnn-small step at batch 100 that was ~40% of the time (BatchNorm forward, Multiply, Sub, Sum,
// Mean, Add). Here the forward reads x twice (statistics, output) and the backward reads dy, x
// (and the output, for the ReLU mask) twice; sums are accumulated in float64. Other backends keep
// the op composition (the cpu backend is the reference the tests compare against).
//   forward:  μ, σ² (biased) per channel;  y = γ (x − μ)/√(σ² + ε) + β  [+ r]  [ReLU]
//   backward: d = dy · [y > 0] (ReLU) or dy;  x̂ = (x − μ)·rstd;  dβ = Σ d,  dγ = Σ d·x̂,
//             dx = γ·rstd/N · (N d − dβ − x̂ dγ),  dr = d
import type * as tf from '@tensorflow/tfjs';
import { provideKernel, type KernelBackend, type TensorInfo } from './call.js';
import { heapAddress, simdKernels, wasmMemoryOf } from './simd.js';

/** Inputs x, gamma, beta[, residual]; attrs eps, relu; outputs y, mean, variance, rstd. */
export const BATCH_NORM_TRAIN = 'Mcr2BatchNormTrain';
/** Inputs dy, x, mean, rstd, gamma[, y when relu]; attrs relu, residual; outputs dx, dgamma, dbeta[, dresidual]. */
export const BATCH_NORM_TRAIN_GRAD = 'Mcr2BatchNormTrainGrad';
/**
 * Eval mode (running statistics), no gradient: inputs x, mean, variance, gamma, beta[, residual];
 * attrs eps, relu; output y = γ (x − μ)/√(σ² + ε) + β [+ r] [ReLU]. One pass, where tfjs' wasm
 * FusedBatchNorm took ~5 elementwise passes' time and the ReLU and the residual one each.
 */
export const BATCH_NORM_INFER = 'Mcr2BatchNormInfer';

interface WasmBackend extends KernelBackend {
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

function size(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Per-channel mean and biased variance of a row-major [rows, c] matrix, in one pass: sums of
 * x − k and (x − k)² in float64 with k the first row (a shift that keeps the variance exact to
 * float64 rounding whatever the mean).
 */
export function channelMoments(x: Float32Array, c: number, mean: Float64Array, variance: Float64Array): void {
  const rows = x.length / c;
  const s = new Float64Array(c);
  const q = new Float64Array(c);
  const k = Float64Array.from(x.subarray(0, c));
  for (let o = 0; o < x.length; o += c) {
    for (let j = 0; j < c; j++) {
      const d = x[o + j] - k[j];
      s[j] += d;
      q[j] += d * d;
    }
  }
  for (let j = 0; j < c; j++) {
    const m = s[j] / rows;
    mean[j] = k[j] + m;
    variance[j] = Math.max(0, q[j] / rows - m * m);
  }
}

/** y = x·a + b per channel, then + r, then max(·, 0): the affine part of the forward pass. */
export function affine(
  x: Float32Array,
  c: number,
  a: Float64Array,
  b: Float64Array,
  r: Float32Array | undefined,
  relu: boolean,
  y: Float32Array,
): void {
  for (let o = 0; o < x.length; o += c) {
    for (let j = 0; j < c; j++) {
      let v = x[o + j] * a[j] + b[j];
      if (r !== undefined) v += r[o + j];
      y[o + j] = relu && v < 0 ? 0 : v;
    }
  }
}

/**
 * The backward pass. out: the forward output when it ended in a ReLU (its mask), else undefined.
 * dr: where to write d (the residual's gradient), or undefined.
 */
export function batchNormBackward(
  dy: Float32Array,
  x: Float32Array,
  c: number,
  mean: Float32Array,
  rstd: Float32Array,
  gamma: Float32Array,
  out: Float32Array | undefined,
  dx: Float32Array,
  dgamma: Float32Array,
  dbeta: Float32Array,
  dr: Float32Array | undefined,
): void {
  const n = x.length / c;
  const db = new Float64Array(c);
  const dg = new Float64Array(c);
  for (let o = 0; o < x.length; o += c) {
    for (let j = 0; j < c; j++) {
      const i = o + j;
      const d = out !== undefined && !(out[i] > 0) ? 0 : dy[i];
      if (dr !== undefined) dr[i] = d;
      db[j] += d;
      dg[j] += d * ((x[i] - mean[j]) * rstd[j]);
    }
  }
  // dx = scale·(n d − db − x̂ dg) = (scale·n)·d + (scale·dg·rstd)·(μ − x) − scale·db
  const kd = new Float64Array(c);
  const kx = new Float64Array(c);
  const k0 = new Float64Array(c);
  for (let j = 0; j < c; j++) {
    const scale = (gamma[j] * rstd[j]) / n;
    kd[j] = scale * n;
    kx[j] = scale * dg[j] * rstd[j];
    k0[j] = -scale * db[j];
    dgamma[j] = dg[j];
    dbeta[j] = db[j];
  }
  for (let o = 0; o < x.length; o += c) {
    for (let j = 0; j < c; j++) {
      const i = o + j;
      const d = out !== undefined && !(out[i] > 0) ? 0 : dy[i];
      dx[i] = kd[j] * d + kx[j] * (mean[j] - x[i]) + k0[j];
    }
  }
}

/**
 * What each kernel reads first: its tensors by name, x, x's channels (last axis) and rows, the
 * backend, its SIMD kernels (channels a multiple of 4), and a float32 view of a tensor on its heap.
 */
function kernelArgs(inputs: unknown, backend: unknown) {
  const t = inputs as Record<string, TensorInfo | undefined>;
  const x = t.x!;
  const c = x.shape[x.shape.length - 1];
  const wb = backend as WasmBackend;
  const simd = c % 4 === 0 ? simdKernels(wasmMemoryOf(backend)) : undefined;
  return { t, x, c, rows: size(x.shape) / c, wb, simd, view: (v: TensorInfo) => wb.typedArrayFromHeap(v) as Float32Array };
}

export function registerBatchNormKernels(backendName = 'wasm'): void {
  provideKernel(BATCH_NORM_TRAIN, backendName, ({ inputs, backend, attrs }) => {
    const { t, x, c, rows, wb, simd, view } = kernelArgs(inputs, backend);
    const { gamma, beta, residual } = t;
    const { eps, relu } = attrs as unknown as { eps: number; relu: boolean };
    if (x.dtype !== 'float32' || size(x.shape) === 0 || size(x.shape) % c !== 0) {
      throw new Error(`${BATCH_NORM_TRAIN}: expected a non-empty float32 tensor, got [${x.shape}] ${x.dtype}`);
    }
    const y = wb.makeOutput(x.shape, 'float32');
    const meanT = wb.makeOutput([c], 'float32');
    const varT = wb.makeOutput([c], 'float32');
    const rstdT = wb.makeOutput([c], 'float32');
    // SIMD: f64 sums s, q (2c floats each) and the f32 scale a, in one scratch buffer.
    const scratch = simd === undefined ? undefined : wb.makeOutput([5 * c], 'float32');
    // Views only after every allocation: growing the wasm memory detaches older views.
    const xv = view(x);
    const g = view(gamma!);
    const b = view(beta!);
    const mean = new Float64Array(c);
    const variance = new Float64Array(c);
    const addr = (t: TensorInfo) => heapAddress(backend, t);
    if (simd !== undefined && scratch !== undefined) {
      const base = addr(scratch);
      const heap = view(scratch);
      heap.fill(0, 0, 4 * c);
      // Shifted by the first row (x itself is the shift vector k).
      simd.moments(addr(x), rows, c, addr(x), base, base + 8 * c);
      const s = new Float64Array(heap.buffer, base, c);
      const q = new Float64Array(heap.buffer, base + 8 * c, c);
      for (let j = 0; j < c; j++) {
        const m = s[j] / rows;
        mean[j] = xv[j] + m;
        variance[j] = Math.max(0, q[j] / rows - m * m);
      }
    } else {
      channelMoments(xv, c, mean, variance);
    }
    const meanOut = view(meanT);
    const varOut = view(varT);
    const rstdOut = view(rstdT);
    const a = new Float64Array(c);
    const shift = new Float64Array(c);
    for (let j = 0; j < c; j++) {
      meanOut[j] = mean[j];
      varOut[j] = variance[j];
      rstdOut[j] = 1 / Math.sqrt(variance[j] + eps);
      // The stored (float32) statistics, so that the backward pass recomputes the same x̂.
      a[j] = rstdOut[j] * g[j];
      shift[j] = b[j] - meanOut[j] * a[j];
    }
    if (simd !== undefined && scratch !== undefined) {
      const aAddr = addr(scratch) + 16 * c;
      view(scratch).set(a, 4 * c);
      const r = residual === undefined ? 0 : addr(residual);
      const f = residual === undefined ? (relu ? simd.bnAffineRelu : simd.bnAffine) : relu ? simd.bnAffineRRelu : simd.bnAffineR;
      f(addr(x), addr(meanT), aAddr, addr(beta!), r, addr(y), rows, c);
      wb.disposeData(scratch.dataId);
    } else {
      const r = residual === undefined ? undefined : view(residual);
      affine(xv, c, a, shift, r, relu, view(y));
    }
    return [y, meanT, varT, rstdT] as never;
  });

  provideKernel(BATCH_NORM_TRAIN_GRAD, backendName, ({ inputs, backend, attrs }) => {
    const { t, x, c, rows, wb, simd, view } = kernelArgs(inputs, backend);
    const { dy, mean, rstd, gamma, y } = t;
    const { relu, residual } = attrs as unknown as { relu: boolean; residual: boolean };
    const dx = wb.makeOutput(x.shape, 'float32');
    const dgamma = wb.makeOutput([c], 'float32');
    const dbeta = wb.makeOutput([c], 'float32');
    const dr = residual ? wb.makeOutput(x.shape, 'float32') : undefined;
    // SIMD: f64 sums db, dg (2c floats each), then the f32 coefficients kd, kx, k0.
    const scratch = simd === undefined ? undefined : wb.makeOutput([7 * c], 'float32');
    if (simd === undefined || scratch === undefined) {
      batchNormBackward(
        view(dy!),
        view(x),
        c,
        view(mean!),
        view(rstd!),
        view(gamma!),
        relu ? view(y!) : undefined,
        view(dx),
        view(dgamma),
        view(dbeta),
        dr === undefined ? undefined : view(dr),
      );
    } else {
      const addr = (t: TensorInfo) => heapAddress(backend, t);
      const base = addr(scratch);
      const heap = view(scratch);
      heap.fill(0, 0, 4 * c);
      const out = relu ? addr(y!) : 0;
      const drA = dr === undefined ? 0 : addr(dr);
      const g1 = simd[`bnGrad1${relu ? 'Relu' : ''}${dr !== undefined ? 'R' : ''}`];
      g1(addr(dy!), addr(x), out, addr(mean!), addr(rstd!), drA, rows, c, base, base + 8 * c);
      const db = new Float64Array(heap.buffer, base, c);
      const dg = new Float64Array(heap.buffer, base + 8 * c, c);
      const k = heap.subarray(4 * c);
      const r = view(rstd!);
      const g = view(gamma!);
      const dgOut = view(dgamma);
      const dbOut = view(dbeta);
      for (let j = 0; j < c; j++) {
        const scale = (g[j] * r[j]) / rows;
        k[j] = scale * rows;
        k[c + j] = scale * dg[j] * r[j];
        k[2 * c + j] = -scale * db[j];
        dgOut[j] = dg[j];
        dbOut[j] = db[j];
      }
      const g2 = relu ? simd.bnGrad2Relu : simd.bnGrad2;
      g2(addr(dy!), addr(x), out, addr(mean!), base + 16 * c, base + 20 * c, base + 24 * c, addr(dx), rows, c);
      wb.disposeData(scratch.dataId);
    }
    return (dr === undefined ? [dx, dgamma, dbeta] : [dx, dgamma, dbeta, dr]) as never;
  });

  provideKernel(BATCH_NORM_INFER, backendName, ({ inputs, backend, attrs }) => {
    const { t, x, c, rows, wb, simd, view } = kernelArgs(inputs, backend);
    const { mean, variance, gamma, beta, residual } = t;
    const { eps, relu } = attrs as unknown as { eps: number; relu: boolean };
    const y = wb.makeOutput(x.shape, 'float32');
    const scratch = simd === undefined ? undefined : wb.makeOutput([c], 'float32');
    const m = view(mean!);
    const v = view(variance!);
    const g = view(gamma!);
    const b = view(beta!);
    if (simd !== undefined && scratch !== undefined) {
      const a = view(scratch);
      for (let j = 0; j < c; j++) a[j] = g[j] / Math.sqrt(v[j] + eps);
      const addr = (t: TensorInfo) => heapAddress(backend, t);
      const r = residual === undefined ? 0 : addr(residual);
      const f = residual === undefined ? (relu ? simd.bnAffineRelu : simd.bnAffine) : relu ? simd.bnAffineRRelu : simd.bnAffineR;
      f(addr(x), addr(mean!), addr(scratch), addr(beta!), r, addr(y), rows, c);
      wb.disposeData(scratch.dataId);
    } else {
      const a = new Float64Array(c);
      const shift = new Float64Array(c);
      for (let j = 0; j < c; j++) {
        a[j] = g[j] / Math.sqrt(v[j] + eps);
        shift[j] = b[j] - m[j] * a[j];
      }
      affine(view(x), c, a, shift, residual === undefined ? undefined : view(residual), relu, view(y));
    }
    return y as never;
  });
}
