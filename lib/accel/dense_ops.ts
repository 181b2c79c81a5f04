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
  const n4 = Math.ceil(n / 4) * 4;
  const { aAt, bAt, cAt, lda, ldc } = K.productSpace(n4, dim, big, cols);
  K.putRows(aAt, lda, n4, testX, 0, n, dim);
  K.gemm(aAt, lda, bAt, ldc, cAt, ldc, n4, lda, ldc, false);
  return { proj: K.f32(cAt, n4 * ldc).slice(0, n * ldc), stride: ldc };
}
