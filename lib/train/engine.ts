// One optimizer step of MCR² training, behind one interface whether it runs in this thread or is
// split over worker threads (lib/train/parallel.ts).
import * as tf from '@tensorflow/tfjs';
import type { Labels, MCR2Evaluation, MCR2Result } from '../loss.js';
import type { Network } from '../models/network.js';
import type { SGD } from './sgd.js';

export interface StepOutput {
  total: number;
  discrimnLossE: number;
  compressLossE: number;
  discrimnLossT: number;
  compressLossT: number;
}

export type BatchShape = [number, number, number, number];

/** What the engines need of a loss: MaximalCodingRateReduction or CrossEntropyLoss. */
export interface TrainingLoss {
  evaluate(Z: tf.Tensor, labels: Labels, numClasses?: number): MCR2Evaluation;
  forward(Z: tf.Tensor, labels: Labels, numClasses?: number): MCR2Result;
}

export interface TrainingEngine {
  /** Worker threads besides this one (0: everything here). */
  readonly workers: number;
  /** Forward, MCR² on the whole batch, backward, SGD update. x: NHWC floats. */
  step(x: Float32Array, shape: BatchShape, y: Int32Array, numClasses: number): StepOutput;
  /** Tells the engine the main model's weights changed outside step() (loading a checkpoint). */
  syncParams(): void;
  dispose(): Promise<void>;
}

/** Gradients by parameter name from tf.variableGrads' map keyed by tfjs variable names. */
export function gradsByName(model: Network, grads: tf.NamedTensorMap): Map<string, tf.Tensor> {
  const byVar = new Map(model.namedParameters().map(([n, v]) => [v.name, n]));
  const out = new Map<string, tf.Tensor>();
  for (const [k, g] of Object.entries(grads)) out.set(byVar.get(k)!, g);
  return out;
}

/** Everything in this thread. */
export class LocalEngine implements TrainingEngine {
  readonly workers = 0;

  constructor(private readonly model: Network, private readonly optim: SGD, private readonly loss: TrainingLoss) {}

  step(x: Float32Array, shape: BatchShape, y: Int32Array, numClasses: number): StepOutput {
    const vars = this.model.parameters();
    const xt = tf.tensor4d(x, shape);
    let out: StepOutput | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const r = this.loss.forward(this.model.forward(xt), y, numClasses);
      out = { total: 0, discrimnLossE: r.discrimnLossE, compressLossE: r.compressLossE, discrimnLossT: r.discrimnLossT, compressLossT: r.compressLossT };
      return r.total;
    }, vars);
    this.optim.step(gradsByName(this.model, grads));
    out!.total = value.dataSync()[0];
    tf.dispose([xt, value, ...Object.values(grads)]);
    return out!;
  }

  syncParams(): void {}

  async dispose(): Promise<void> {}
}
