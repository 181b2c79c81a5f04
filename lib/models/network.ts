// What training and evaluation build from an --arch: the MCR² feature network (unit-norm
// features), or for the cross-entropy baseline the same backbone ending in class logits.
import type * as tf from '@tensorflow/tfjs';
import { RandomState } from '../math/random.js';
import { archHasHead, createModel, type ModelOptions } from './index.js';
import type { FeatureNet } from './feature_net.js';
import { Linear, Module, Sequential } from './nn.js';

/** A network training can drive: its output rows are features (or logits) of width featureDim. */
export interface Network extends Module {
  readonly featureDim: number;
  forward(x: tf.Tensor): tf.Tensor2D;
}

/**
 * The backbone and head of a feature network without the final normalisation, and a linear
 * classifier: where the architecture has an MLP head (cnn-small, resnet18, vgg11, resnext) its last
 * layer emits the logits (docs/reference-results.md: Linear(256→10) in place of the 128-d head); otherwise a
 * Linear(fd→classes) is added on the features.
 */
export class LogitNet extends Module implements Network {
  readonly featureDim: number;
  /** [h, w, c] of the images it takes (its base's). */
  readonly inputShape: [number, number, number];
  private readonly backbone: Module;
  private readonly head: Module;
  private readonly fc?: Linear;

  constructor(base: FeatureNet, numClasses: number, rng: RandomState) {
    super();
    this.inputShape = base.inputShape;
    this.backbone = this.add('features', base.features);
    this.head = this.add('reshape', base.reshape);
    if (base.featureDim !== numClasses) this.fc = this.add('fc', new Linear(base.featureDim, numClasses, true, rng));
    this.featureDim = numClasses;
  }

  forward(x: tf.Tensor): tf.Tensor2D {
    const h = this.head.forward(this.backbone.forward(x));
    return (this.fc ? this.fc.forward(h) : h) as tf.Tensor2D;
  }

  /**
   * The input of the classifier layer, not normalised: with an MLP head, its hidden layer after
   * batch norm and ReLU (cnn-small 256, resnet18 512); otherwise the backbone's fd channels. What a
   * frozen-feature classifier reads of a cross-entropy network.
   */
  penultimate(x: tf.Tensor): tf.Tensor2D {
    const h = this.backbone.forward(x);
    if (this.fc) return this.head.forward(h) as tf.Tensor2D;
    const layers = this.head.children().map(([, m]) => m);
    if (!(this.head instanceof Sequential) || layers.length < 2) return h as tf.Tensor2D;
    return new Sequential(...layers.slice(0, -1)).forward(h) as tf.Tensor2D;
  }

  /** The logits from `penultimate`'s rows (its last layer): forward(x) = classify(penultimate(x)). */
  classify(h: tf.Tensor): tf.Tensor2D {
    if (this.fc) return this.fc.forward(h) as tf.Tensor2D;
    const layers = this.head.children().map(([, m]) => m);
    if (!(this.head instanceof Sequential) || layers.length < 2) return this.head.forward(h) as tf.Tensor2D;
    return layers[layers.length - 1].forward(h) as tf.Tensor2D;
  }

  /** The width of `penultimate`'s rows. */
  penultimateDim(): number {
    if (this.fc) return this.fc.inFeatures;
    const last = this.head.children().at(-1)?.[1];
    return last instanceof Linear ? last.inFeatures : this.featureDim;
  }
}

export interface NetworkOptions extends ModelOptions {
  /** Build the cross-entropy classifier with this many classes instead of the feature network. */
  logits?: number;
}

export function createNetwork(arch: string, fd: number, opts: NetworkOptions = {}): Network {
  if (opts.logits === undefined) return createModel(arch, fd, opts);
  const k = opts.logits;
  // With an MLP head, its last Linear emits the logits directly.
  const base = createModel(arch, archHasHead(arch) ? k : fd, opts);
  return new LogitNet(base, k, new RandomState((opts.seed ?? 0) + 1));
}
