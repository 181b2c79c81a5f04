// Batch normalisation by the backend's own kernels where it has them (wasm), for lib/models: one
// pass in inference, a forward and a backward kernel in training. Each call returns undefined
// where the backend has no such kernel; the caller then computes with tfjs ops.
import * as tf from '@tensorflow/tfjs';
import { BATCH_NORM_INFER, BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD } from './kernels/batchnorm.js';

/** The output and the batch statistics (mean, biased variance per channel; the caller disposes them). */
export interface BatchNormStats {
  y: tf.Tensor;
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

/**
 * relu?(batchNorm(x) + residual?) with the running statistics, as one kernel, where the backend has
 * it and no gradient is being recorded; else undefined.
 */
export function batchNormInferKernel(inputs: tf.NamedTensorMap, eps: number, relu: boolean): tf.Tensor | undefined {
  const noTape = (tf.engine() as unknown as { state: { gradientDepth: number } }).state.gradientDepth === 0;
  if (!noTape || tf.getKernel(BATCH_NORM_INFER, tf.getBackend()) === undefined) return undefined;
  return tf.engine().runKernel(BATCH_NORM_INFER, inputs, { eps, relu }) as tf.Tensor;
}

/**
 * Training-mode batch norm (+ residual, + ReLU) as the backend's two kernels, forward and backward
 * (lib/accel/kernels/batchnorm.ts: wasm); undefined where the backend has none (then the caller's tfjs ops).
 */
export function batchNormTrainKernel(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  eps: number,
  relu: boolean,
  residual?: tf.Tensor,
): BatchNormStats | undefined {
  if (tf.getKernel(BATCH_NORM_TRAIN, tf.getBackend()) === undefined) return undefined;
  let mean!: tf.Tensor1D;
  let variance!: tf.Tensor1D;
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xi, g, b] = args as tf.Tensor[];
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const inputs: tf.NamedTensorMap = { x: xi, gamma: g, beta: b };
    if (residual !== undefined) inputs.residual = args[3] as tf.Tensor;
    const [value, m, v, rstd] = tf.engine().runKernel(BATCH_NORM_TRAIN, inputs, { eps, relu }) as tf.Tensor[];
    mean = tf.keep(m as tf.Tensor1D);
    variance = tf.keep(v as tf.Tensor1D);
    save(relu ? [xi, mean, rstd, g, value] : [xi, mean, rstd, g]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sm, sr, sg, out] = saved;
      const ins: tf.NamedTensorMap = { dy, x: sx, mean: sm, rstd: sr, gamma: sg };
      if (relu) ins.y = out;
      return tf.engine().runKernel(BATCH_NORM_TRAIN_GRAD, ins, { relu, residual: residual !== undefined }) as tf.Tensor[];
    };
    return { value, gradFunc };
  });
  const y = residual === undefined ? f(x, gamma, beta) : f(x, gamma, beta, residual);
  return { y, mean, variance };
}
