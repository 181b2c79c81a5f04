// Training-mode batch normalisation with a hand-written backward pass: autodiff through
// moments() would take ~10 elementwise passes; this takes 3 reductions and 2 elementwise passes.
//   x̂ = (x − μ)/σ, y = γ x̂ + β;  dβ = Σ dy, dγ = Σ dy·x̂,  dx = γ/(σN)·(N dy − dβ − x̂ dγ)
// Optionally fused with what follows a batch norm in a residual network, out = relu(y + r): one
// taped op instead of three, so that neither y nor y + r (nor their gradients) stay alive for the
// whole backward pass. Memory, not arithmetic, is what limits the batch size on wasm: tfjs keeps
// every taped tensor and every intermediate gradient until the backward pass ends.
//   dpre = dout · [out > 0];  dr = dpre;  then the batch-norm backward with dy = dpre.
// x̂ is not kept either: the backward recomputes it from x (alive anyway as the op's input).
import * as tf from '@tensorflow/tfjs';
import { batchNormTrainKernel } from '../accel/batchnorm_ops.js';

export interface BatchNormOut {
  y: tf.Tensor;
  /** Batch mean and biased variance per channel (for the running statistics); caller disposes. */
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

export interface BatchNormFuse {
  /** Added after the affine transform (the residual branch of a block), before the ReLU. */
  residual?: tf.Tensor;
  /** Apply max(·, 0) last. */
  relu?: boolean;
}

export function batchNormTrain(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number, fuse: BatchNormFuse = {}): BatchNormOut {
  const axes = [...Array(x.rank - 1).keys()];
  const n = x.size / x.shape[x.rank - 1];
  const relu = fuse.relu ?? false;
  const residual = fuse.residual;
  if (residual !== undefined && residual.shape.join('x') !== x.shape.join('x')) {
    throw new Error(`batch norm: residual of shape [${residual.shape}] does not match [${x.shape}]`);
  }
  // The backend's own two kernels where it has them (wasm: lib/accel/kernels/batchnorm.ts).
  const fast = batchNormTrainKernel(x, gamma, beta, eps, relu, residual);
  if (fast !== undefined) return fast;
  let mean!: tf.Tensor1D;
  let variance!: tf.Tensor1D;
  // tfjs runs this forward inside tidy(): what the backward needs goes through save(), and the
  // statistics returned to the caller are kept explicitly.
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const xi = args[0] as tf.Tensor;
    const g = args[1] as tf.Tensor;
    const b = args[2] as tf.Tensor;
    const save = args[args.length - 1] as tf.GradSaveFunc;
    mean = tf.keep(tf.mean(xi, axes) as tf.Tensor1D);
    const xc = tf.sub(xi, mean);
    variance = tf.keep(tf.mean(tf.square(xc), axes) as tf.Tensor1D);
    const rstd = tf.rsqrt(tf.add(variance, eps));
    let value = tf.add(tf.mul(tf.mul(xc, rstd), g), b);
    if (residual !== undefined) value = tf.add(value, args[3] as tf.Tensor);
    if (relu) value = tf.relu(value);
    save(relu ? [xi, mean, rstd, value] : [xi, mean, rstd]);
    // tfjs calls a customGrad's gradFunc outside any tidy (its temporaries would live until the
    // whole backward pass ends), hence the tidy.
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) =>
      tf.tidy(() => {
        const [sx, sm, sr, out] = saved;
        const dpre = relu ? tf.mul(dy, tf.step(out)) : dy;
        const xhat = tf.mul(tf.sub(sx, sm), sr);
        const dbeta = tf.sum(dpre, axes);
        const dgamma = tf.sum(tf.mul(dpre, xhat), axes);
        const scale = tf.mul(g, tf.div(sr, n));
        const inner = tf.sub(tf.sub(tf.mul(dpre, n), dbeta), tf.mul(xhat, dgamma));
        const grads = [tf.mul(inner, scale), dgamma, dbeta];
        if (residual !== undefined) grads.push(relu ? dpre : tf.clone(dpre));
        return grads;
      });
    return { value, gradFunc };
  });
  const y = residual === undefined ? f(x, gamma, beta) : f(x, gamma, beta, residual);
  return { y, mean, variance };
}
