// Softmax cross-entropy on logits, with the same interface as the MCR² loss so the training loop,
// data-parallel workers and logs take either (--loss ce: the baseline of the label-noise study).
import * as tf from '@tensorflow/tfjs';
import type { Labels, LossEvaluation, LossOutput, TrainingLoss } from './mcr2.js';
import { totalOnly } from './terms.js';

function labelInts(labels: Labels, m: number, k: number): Int32Array {
  const y = labels instanceof tf.Tensor ? Int32Array.from(labels.dataSync()) : Int32Array.from(labels as ArrayLike<number>);
  if (y.length !== m) throw new Error(`cross-entropy: ${m} logit rows but ${y.length} labels`);
  for (let i = 0; i < m; i++)
    if (!(y[i] >= 0 && y[i] < k)) throw new Error(`cross-entropy: label ${y[i]} at index ${i} is outside 0..${k - 1}`);
  return y;
}

function checkClasses(k: number, numClasses?: number): void {
  if (numClasses !== undefined && numClasses !== k) throw new Error(`cross-entropy: ${k} logits per row but ${numClasses} classes`);
}

export class CrossEntropyLoss implements TrainingLoss {
  /** Mean cross-entropy of logits Z (m x k); the four MCR² terms are NaN. */
  evaluate(Z: tf.Tensor, labels: Labels, numClasses?: number): LossEvaluation {
    const [m, k] = Z.shape;
    checkClasses(k, numClasses);
    const y = labelInts(labels, m, k);
    // Value and ∂/∂Z = (softmax − onehot)/m, computed now (m x k is small). Tensors leave the
    // tidy, not their data: tidy walks whatever it returns element by element.
    const [totalT, gradT] = tf.tidy(() => {
      const onehot = tf.oneHot(tf.tensor1d(y, 'int32'), k);
      const logp = tf.logSoftmax(Z as tf.Tensor2D);
      return [tf.neg(tf.mean(tf.sum(tf.mul(onehot, logp), 1))), tf.div(tf.sub(tf.exp(logp), onehot), m)];
    });
    const total = totalT.dataSync()[0];
    const grad = gradT.dataSync() as Float32Array;
    tf.dispose([totalT, gradT]);
    return { terms: totalOnly(total), gradient: () => tf.tensor2d(grad, [m, k]) };
  }

  /** The mean cross-entropy as a differentiable scalar, and its value as a number. */
  forward(Z: tf.Tensor, labels: Labels, numClasses?: number): LossOutput {
    const [m, k] = Z.shape;
    checkClasses(k, numClasses);
    const y = labelInts(labels, m, k);
    const value = tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d(y, 'int32'), k), Z) as tf.Scalar;
    return { value, terms: totalOnly(value.dataSync()[0]) };
  }
}
