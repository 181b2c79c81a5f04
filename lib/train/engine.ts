// One optimizer step of MCR² training, behind one interface whether it runs in this thread or is
// split over worker threads (lib/train/parallel.ts).
import * as tf from '@tensorflow/tfjs';
import type { TrainingLoss } from '../loss/mcr2.js';
import type { LossTerms } from '../loss/terms.js';
import type { Network } from '../models/network.js';
import { ChunkedPass } from './chunked.js';
import type { SGD } from './sgd.js';

export type { TrainingLoss } from '../loss/mcr2.js';

export type BatchShape = [number, number, number, number];

export interface TrainingEngine {
  /** Worker threads besides this one (0: everything here). */
  readonly workers: number;
  /** Forward, the loss on the whole batch, backward, SGD update. x: NHWC floats. Returns the step's loss terms. */
  step(x: Float32Array, shape: BatchShape, y: Int32Array, numClasses: number): LossTerms;
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

  /** chunk: rows per forward/backward chunk when the batch is larger (0: the whole batch at once). */
  constructor(
    private readonly model: Network,
    private readonly optim: SGD,
    private readonly loss: TrainingLoss,
    private readonly chunk = 0,
  ) {}

  step(x: Float32Array, shape: BatchShape, y: Int32Array, numClasses: number): LossTerms {
    if (this.chunk > 0 && shape[0] > this.chunk) return this.chunkedStep(x, shape, y, numClasses);
    const vars = this.model.parameters();
    const xt = tf.tensor4d(x, shape);
    let terms: LossTerms | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const r = this.loss.forward(this.model.forward(xt), y, numClasses);
      terms = r.terms;
      return r.value;
    }, vars);
    this.optim.step(gradsByName(this.model, grads));
    tf.dispose([xt, value, ...Object.values(grads)]);
    return terms!;
  }

  private chunkedStep(x: Float32Array, shape: BatchShape, y: Int32Array, numClasses: number): LossTerms {
    const pass = new ChunkedPass(this.model, x, shape, this.chunk);
    const z = tf.tensor2d(pass.features(), [shape[0], this.model.featureDim]);
    const ev = this.loss.evaluate(z, y, numClasses);
    const dz = ev.gradient();
    const dzData = dz.dataSync() as Float32Array;
    tf.dispose([z, dz]);
    const grads = gradsFromArrays(this.model, pass.gradients(dzData));
    this.optim.step(grads);
    tf.dispose([...grads.values()]);
    return ev.terms;
  }

  syncParams(): void {}

  async dispose(): Promise<void> {}
}

/** Gradient arrays keyed by tfjs variable name → tensors keyed by parameter name (for SGD). */
export function gradsFromArrays(model: Network, byVar: Map<string, Float32Array>): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  for (const [name, v] of model.namedParameters()) {
    const g = byVar.get(v.name);
    if (g !== undefined) out.set(name, tf.tensor(g, v.shape));
  }
  return out;
}
