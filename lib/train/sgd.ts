// SGD with momentum and weight decay, PyTorch semantics (torch.optim.SGD, dampening 0, no Nesterov):
//   g ← ∇ + wd·θ;  v ← μ·v + g (v = g on the first step);  θ ← θ − lr·v
// Weight decay applies to every parameter, batch-norm and biases included, as the official code.
import * as tf from '@tensorflow/tfjs';

export interface SGDOptions {
  lr: number;
  momentum?: number;
  weightDecay?: number;
}

export class SGD {
  lr: number;
  readonly momentum: number;
  readonly weightDecay: number;
  private readonly buffers = new Map<string, tf.Variable>();

  constructor(
    private readonly params: Array<[string, tf.Variable]>,
    opts: SGDOptions,
  ) {
    this.lr = opts.lr;
    this.momentum = opts.momentum ?? 0;
    this.weightDecay = opts.weightDecay ?? 0;
    for (const [k, v] of [
      ['lr', this.lr],
      ['momentum', this.momentum],
      ['weight decay', this.weightDecay],
    ] as const) {
      if (!Number.isFinite(v) || v < 0) throw new Error(`SGD: ${k} must be a finite number ≥ 0, got ${v}`);
    }
  }

  /** grads: by parameter name (as in `params`). */
  step(grads: Map<string, tf.Tensor>): void {
    const { lr, momentum: mu, weightDecay: wd } = this;
    tf.tidy(() => {
      for (const [name, p] of this.params) {
        const g0 = grads.get(name);
        if (g0 === undefined) continue;
        const g = wd !== 0 ? tf.add(g0, tf.mul(p, wd)) : g0;
        let d = g;
        if (mu !== 0) {
          const buf = this.buffers.get(name);
          if (buf === undefined) {
            this.buffers.set(name, tf.variable(g, false));
          } else {
            buf.assign(tf.add(tf.mul(buf, mu), g));
            d = buf;
          }
        }
        p.assign(tf.sub(p, tf.mul(d, lr)));
      }
    });
  }

  /** Momentum buffers by parameter name (for checkpoints). */
  state(): Array<[string, tf.Tensor]> {
    return [...this.buffers.entries()];
  }

  loadState(state: Map<string, { shape: number[]; data: Float32Array }>): void {
    const shapes = new Map(this.params.map(([n, v]) => [n, v.shape.join('x')]));
    for (const [n, s] of state) {
      if (!shapes.has(n)) throw new Error(`optimizer state has '${n}', which this model does not`);
      if (shapes.get(n) !== s.shape.join('x'))
        throw new Error(`optimizer state '${n}' has shape [${s.shape}], parameter has [${shapes.get(n)}]`);
      const t = tf.tensor(s.data, s.shape);
      const old = this.buffers.get(n);
      if (old === undefined) this.buffers.set(n, tf.variable(t, false));
      else old.assign(t);
      t.dispose();
    }
  }

  dispose(): void {
    for (const b of this.buffers.values()) b.dispose();
    this.buffers.clear();
  }
}

/** torch.optim.lr_scheduler.MultiStepLR stepped once per epoch: lr of (0-based) epoch e. */
export function multiStepLR(baseLr: number, milestones: number[], epoch: number, gamma = 0.1): number {
  const passed = milestones.filter((m) => m <= epoch).length;
  return baseLr * gamma ** passed;
}

/** The learning rate of each epoch for training options: `lr`, x0.1 after each of its milestones. */
export function lrSchedule(o: { lr: number; milestones: number[] }): (epoch: number) => number {
  return (epoch) => multiStepLR(o.lr, o.milestones, epoch);
}
