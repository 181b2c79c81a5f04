// Dense operations on float32 rows, each by the fastest path here: the SIMD kernels of dense.ts on
// the CPU backends (wasm, cpu), tfjs ops on the others (webgpu, tfjs-node). The maths that calls
// them (nearest subspace, the MCR² loss, kNN's class bases) does not ask which backend runs.
import * as tf from '@tensorflow/tfjs';
import { DenseKernels } from './dense.js';

/** The SIMD kernels where they apply (a CPU backend: wasm or cpu), else undefined: tfjs ops on the backend. */
export function denseKernels(): DenseKernels | undefined {
  return onCpuBackend() ? DenseKernels.get() : undefined;
}

/** True on the backends that compute on this CPU (wasm, cpu): data read back to JS costs nothing there. */
export function onCpuBackend(): boolean {
  const b = tf.getBackend();
  return b === 'wasm' || b === 'cpu';
}

/** F_jᵀF_j (float32 sums) of the rows of fx (n x dim) as a symmetric float64 dim x dim matrix. */
export function gramMatrix(fx: Float32Array, n: number, dim: number): Float64Array {
  const K = denseKernels();
  if (K === undefined) {
    // (dataSync outside tidy: tidy walks whatever it returns, element by element for a typed array)
    const gramT = tf.tidy(() => {
      const f = tf.tensor2d(fx, [n, dim]);
      return tf.matMul(tf.transpose(f), f);
    });
    const g = Float64Array.from(gramT.dataSync());
    gramT.dispose();
    return g;
  }
  const pp = Math.ceil(dim / 8) * 8;
  K.reset();
  K.reserve(n * pp * 4 + pp * pp * 4 + 64);
  const xAt = K.alloc(n * pp * 4);
  const gAt = K.alloc(pp * pp * 4);
  const x = K.f32(xAt, n * pp);
  if (pp === dim) x.set(fx);
  else {
    x.fill(0);
    for (let i = 0; i < n; i++) x.set(fx.subarray(i * dim, (i + 1) * dim), i * pp);
  }
  K.gram(xAt, pp, n, pp, gAt);
  // The kernel sets the entries on and above the diagonal: mirrored.
  const gu = K.f32(gAt, pp * pp);
  const g = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) {
    for (let j = i; j < dim; j++) {
      const v = gu[i * pp + j];
      g[i * dim + j] = v;
      g[j * dim + i] = v;
    }
  }
  return g;
}

/** testX (n x dim) · big (dim x cols) in float32, row-major n x cols (row stride returned). */
export function productRows(
  testX: Float32Array,
  n: number,
  dim: number,
  big: Float32Array,
  cols: number,
): { proj: Float32Array; stride: number } {
  const K = denseKernels();
  if (K === undefined) {
    const projT = tf.tidy(() => tf.matMul(tf.tensor2d(testX, [n, dim]), tf.tensor2d(big, [dim, cols])));
    const proj = projT.dataSync() as Float32Array;
    projT.dispose();
    return { proj, stride: cols };
  }
  const pp = Math.ceil(dim / 8) * 8;
  const c8 = Math.ceil(cols / 8) * 8;
  const n4 = Math.ceil(n / 4) * 4;
  K.reset();
  K.reserve((n4 * pp + pp * c8 + n4 * c8) * 4 + 64);
  const aAt = K.alloc(n4 * pp * 4);
  const bAt = K.alloc(pp * c8 * 4);
  const cAt = K.alloc(n4 * c8 * 4);
  const a = K.f32(aAt, n4 * pp);
  a.fill(0);
  if (pp === dim) a.set(testX);
  else for (let i = 0; i < n; i++) a.set(testX.subarray(i * dim, (i + 1) * dim), i * pp);
  const b = K.f32(bAt, pp * c8);
  b.fill(0);
  for (let i = 0; i < dim; i++) b.set(big.subarray(i * cols, (i + 1) * cols), i * c8);
  K.gemm(aAt, pp, bAt, c8, cAt, c8, n4, pp, c8, false);
  return { proj: K.f32(cAt, n4 * c8).slice(0, n * c8), stride: c8 };
}
