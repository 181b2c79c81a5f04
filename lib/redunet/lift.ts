// The fixed random lift in front of the shift-invariant layers (the official redunet/lift.py and
// functionals.generate_kernel): kernels drawn as `np.random.seed(seed); np.random.normal(0, 1, size)`
// (numpy's legacy stream, reproduced bit for bit by math/random.ts), a circular cross-correlation
// (PyTorch's conv1d/conv2d after padding ksize−1 at the end with `mode='circular'`, stride 1), then
// ReLU. In float64 (the official runs it through torch in float32).
import { RandomState } from '../math/random.js';

/** Options of the lift. */
export interface LiftOptions {
  /** Output channels (mnist1d.py's --outchannels; the paper's rotation experiment 20). */
  outChannels: number;
  /** Kernel size along each spatial axis (--ksize; the paper's rotation experiment 5). */
  kernelSize: number;
  /** Seed of the kernels' draw (default 10, generate_kernel's). */
  seed?: number;
  /** ReLU after the convolution (default true). */
  relu?: boolean;
}

/** The defaults of {@link LiftOptions}. */
export const LIFT_DEFAULTS = { seed: 10, relu: true } as const;

/**
 * generate_kernel('gaussian', size, seed): standard normal draws in C order, shape
 * [outChannels, inChannels, k] (1-D) or [outChannels, inChannels, k, k] (2-D).
 */
export function gaussianKernels(shape: readonly number[], seed: number = LIFT_DEFAULTS.seed): Float64Array {
  const size = shape.reduce((a, b) => a * b, 1);
  return new RandomState(seed).randn(size);
}

/**
 * The lift of n signals x (n x inChannels x spatial, row-major) by kernels (outChannels x
 * inChannels x k[ x k]): out[o, t] = relu(Σ_c Σ_s w[o, c, s] · x[c, (t + s) mod T]), and likewise
 * over both axes in 2-D.
 */
export function liftSignals(
  x: Float64Array,
  n: number,
  inChannels: number,
  spatial: readonly number[],
  kernels: Float64Array,
  outChannels: number,
  kernelSize: number,
  relu = true,
): Float64Array {
  const H = spatial.length === 2 ? spatial[0] : 1;
  const W = spatial[spatial.length - 1];
  const kh = spatial.length === 2 ? kernelSize : 1;
  const kw = kernelSize;
  const size = H * W;
  const out = new Float64Array(n * outChannels * size);
  const acc = new Float64Array(size);
  for (let i = 0; i < n; i++) {
    for (let o = 0; o < outChannels; o++) {
      acc.fill(0);
      for (let c = 0; c < inChannels; c++) {
        const src = (i * inChannels + c) * size;
        for (let a = 0; a < kh; a++) {
          for (let b = 0; b < kw; b++) {
            const w = kernels[((o * inChannels + c) * kh + a) * kw + b];
            for (let h = 0; h < H; h++) {
              const hs = (h + a) % H;
              const rowIn = src + hs * W;
              const rowOut = h * W;
              for (let t = 0; t < W; t++) acc[rowOut + t] += w * x[rowIn + ((t + b) % W)];
            }
          }
        }
      }
      const dst = (i * outChannels + o) * size;
      for (let t = 0; t < size; t++) out[dst + t] = relu && acc[t] < 0 ? 0 : acc[t];
    }
  }
  return out;
}
