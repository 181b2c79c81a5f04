// Training-mode batch normalisation with a hand-written backward pass: autodiff through
// moments() would take ~10 elementwise passes; this takes 3 reductions and 2 elementwise passes.
//   x̂ = (x − μ)/σ, y = γ x̂ + β;  dβ = Σ dy, dγ = Σ dy·x̂,  dx = γ/(σN)·(N dy − dβ − x̂ dγ)
import * as tf from '@tensorflow/tfjs';

export interface BatchNormOut {
  y: tf.Tensor;
  /** Batch mean and biased variance per channel (for the running statistics); caller disposes. */
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

export function batchNormTrain(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): BatchNormOut {
  const axes = [...Array(x.rank - 1).keys()];
  const n = x.size / x.shape[x.rank - 1];
  let mean!: tf.Tensor1D;
  let variance!: tf.Tensor1D;
  // tfjs runs this forward inside tidy(): what the backward needs goes through save(), and the
  // statistics returned to the caller are kept explicitly.
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xi, g, b] = args as tf.Tensor[];
    const save = args[3] as tf.GradSaveFunc;
    mean = tf.keep(tf.mean(xi, axes) as tf.Tensor1D);
    const xc = tf.sub(xi, mean);
    variance = tf.keep(tf.mean(tf.square(xc), axes) as tf.Tensor1D);
    const rstd = tf.rsqrt(tf.add(variance, eps));
    const xhat = tf.mul(xc, rstd);
    save([xhat, rstd]);
    const value = tf.add(tf.mul(xhat, g), b);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sr] = saved;
      const dbeta = tf.sum(dy, axes);
      const dgamma = tf.sum(tf.mul(dy, sx), axes);
      const scale = tf.mul(g, tf.div(sr, n));
      const inner = tf.sub(tf.sub(tf.mul(dy, n), dbeta), tf.mul(sx, dgamma));
      return [tf.mul(inner, scale), dgamma, dbeta];
    };
    return { value, gradFunc };
  });
  const y = f(x, gamma, beta);
  return { y, mean, variance };
}
