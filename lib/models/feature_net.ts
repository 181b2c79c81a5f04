// A network whose output rows are L2-normalised features, as every official MCR² model.
import * as tf from '@tensorflow/tfjs';
import { L2Normalize, Module } from './nn.js';

export class FeatureNet extends Module {
  readonly features: Module;
  readonly reshape: Module;
  readonly norm = new L2Normalize();

  /**
   * features: the backbone (image → vector); reshape: the head (vector → fd), named as the
   * official code names its MLP head.
   */
  constructor(readonly arch: string, readonly inputShape: [number, number, number], readonly featureDim: number, features: Module, reshape: Module) {
    super();
    this.features = this.add('features', features);
    this.reshape = this.add('reshape', reshape);
  }

  /** x: [n, h, w, c] in [0, 1] → [n, fd] unit rows. */
  override forward(x: tf.Tensor): tf.Tensor2D {
    return this.norm.forward(this.reshape.forward(this.features.forward(x))) as tf.Tensor2D;
  }

  protected override traceChildren(name: string, x: tf.Tensor, walk: (m: Module, name: string, x: tf.Tensor) => tf.Tensor): tf.Tensor {
    return walk(this.norm, 'normalize', super.traceChildren(name, x, walk));
  }
}
