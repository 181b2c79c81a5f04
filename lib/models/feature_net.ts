// A network whose output rows are L2-normalised features, as every official MCR² model.
import type * as tf from '@tensorflow/tfjs';
import { Identity, L2Normalize, Module } from './nn.js';

export interface FeatureNetOptions {
  /**
   * Register the backbone's children at the top level rather than under `features.`, so that
   * state_dict names are the official ones where the official model has no `features` attribute
   * (ResNet, ResNeXt: `conv1.weight`, `layer1.0.bn1.running_mean`, `reshape.0.weight`).
   */
  inline?: boolean;
  /**
   * Modules the official model holds but never calls (vgg11's `classifier`). They are in the
   * state_dict (checkpoints hold exactly the official tensors) but not in parameters(): PyTorch
   * never trains them either (their .grad stays None, which SGD skips), and the training engines
   * expect a gradient for every parameter they are given.
   */
  unused?: Array<[string, Module]>;
}

export class FeatureNet extends Module {
  readonly features: Module;
  readonly reshape: Module;
  readonly norm = new L2Normalize();
  private readonly inline: boolean;
  /** Names of the `unused` modules (in the state_dict, not in parameters()). */
  readonly unusedNames: string[];

  /**
   * features: the backbone (image → vector); reshape: the head (vector → fd), named as the
   * official code names its MLP head; an Identity (no parameters) where the backbone itself ends
   * in fd channels (resnet18ctrl, resnet18stl, resnet10mnist).
   */
  constructor(
    readonly arch: string,
    readonly inputShape: [number, number, number],
    readonly featureDim: number,
    features: Module,
    reshape: Module = new Identity(),
    opts: FeatureNetOptions = {},
  ) {
    super();
    this.inline = opts.inline ?? false;
    if (this.inline) {
      this.features = features;
      for (const [n, c] of features.children()) this.add(n, c);
    } else {
      this.features = this.add('features', features);
    }
    this.unusedNames = (opts.unused ?? []).map(([n]) => n);
    for (const [n, m] of opts.unused ?? []) this.add(n, m);
    this.reshape = this.hasHead(reshape) ? this.add('reshape', reshape) : reshape;
  }

  /** The trained parameters: every one but those of the `unused` modules. */
  override namedParameters(prefix = ''): Array<[string, tf.Variable]> {
    const skip = this.unusedNames.map((n) => `${prefix}${n}.`);
    return super.namedParameters(prefix).filter(([n]) => !skip.some((s) => n.startsWith(s)));
  }

  /** Everything the official state_dict holds, the `unused` modules' parameters included. */
  override stateDict(): Array<[string, tf.Variable]> {
    return [...super.namedParameters(), ...this.namedBuffers()];
  }

  /** Parameters held for the state_dict only (vgg11's classifier: 5,130). */
  numUnusedParameters(): number {
    return super.namedParameters().reduce((a, [, v]) => a + v.size, 0) - this.numParameters();
  }

  private hasHead(m: Module): boolean {
    return !(m instanceof Identity);
  }

  /** x: [n, h, w, c] in [0, 1] → [n, fd] unit rows. */
  override forward(x: tf.Tensor): tf.Tensor2D {
    return this.norm.forward(this.reshape.forward(this.features.forward(x))) as tf.Tensor2D;
  }

  override train(mode = true): this {
    super.train(mode);
    // Inlined, the backbone is not a child; its own flag follows too.
    this.features.train(mode);
    this.reshape.train(mode);
    return this;
  }

  protected override traceChildren(name: string, x: tf.Tensor, walk: (m: Module, name: string, x: tf.Tensor) => tf.Tensor): tf.Tensor {
    let y = walk(this.features, this.inline ? name : name ? `${name}.features` : 'features', x);
    if (this.hasHead(this.reshape)) y = walk(this.reshape, name ? `${name}.reshape` : 'reshape', y);
    return walk(this.norm, 'normalize', y);
  }
}
