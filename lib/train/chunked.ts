// A batch processed in chunks of rows, for networks whose activations for the whole batch would
// not fit in memory (wasm has 4 GB; resnet18 needs ~19 MB per image to back-propagate, and the
// official batch is 1000). MCR² needs all of the batch's features at once, so: (1) run every chunk
// forward without a tape to get the features, (2) evaluate the loss once and get ∂loss/∂features,
// (3) run each chunk again, this time with gradients of Σ features·(∂loss/∂features), and sum them.
// Costs one extra forward pass. Batch-norm statistics are per chunk (as per slice with
// DataParallel); running statistics are updated in pass (3) only.
import * as tf from '@tensorflow/tfjs';
import type { Network } from '../models/network.js';
import { withFrozenRunningStats } from '../models/nn.js';

export class ChunkedPass {
  private readonly rows: number;
  private readonly size: number;

  constructor(
    private readonly model: Network,
    private readonly x: Float32Array,
    private readonly shape: [number, number, number, number],
    readonly chunk: number,
  ) {
    this.rows = shape[0];
    this.size = shape[1] * shape[2] * shape[3];
    if (!(chunk >= 2)) throw new Error(`chunk of ${chunk} rows: batch norm needs at least 2`);
  }

  private input(start: number, n: number): tf.Tensor4D {
    return tf.tensor4d(this.x.subarray(start * this.size, (start + n) * this.size), [n, this.shape[1], this.shape[2], this.shape[3]]);
  }

  private *chunks(): Generator<[number, number]> {
    for (let s = 0; s < this.rows; s += this.chunk) {
      // Never leave a last chunk of one row (batch norm): fold it into the previous one.
      const n = this.rows - s - this.chunk === 1 ? this.chunk + 1 : Math.min(this.chunk, this.rows - s);
      yield [s, n];
      if (n > this.chunk) return;
    }
  }

  /** Pass 1: the features of every row (m x featureDim), no gradients kept. */
  features(): Float32Array {
    const p = this.model.featureDim;
    const out = new Float32Array(this.rows * p);
    withFrozenRunningStats(() => {
      for (const [s, n] of this.chunks()) {
        const z = tf.tidy(() => this.model.forward(this.input(s, n)));
        out.set(z.dataSync(), s * p);
        z.dispose();
      }
    });
    return out;
  }

  /** Pass 3: Σ over chunks of ∂(Σ z·dz)/∂θ, by the model's tfjs variable names. */
  gradients(dz: Float32Array): Map<string, Float32Array> {
    const p = this.model.featureDim;
    const acc = new Map<string, Float32Array>();
    const vars = this.model.parameters();
    for (const [s, n] of this.chunks()) {
      const x = this.input(s, n);
      const d = tf.tensor2d(dz.subarray(s * p, (s + n) * p), [n, p]);
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(this.model.forward(x), d)), vars);
      for (const [name, g] of Object.entries(grads)) {
        const v = g.dataSync() as Float32Array;
        const a = acc.get(name);
        if (a === undefined) acc.set(name, Float32Array.from(v));
        else for (let i = 0; i < v.length; i++) a[i] += v[i];
      }
      tf.dispose([x, d, value, ...Object.values(grads)]);
    }
    return acc;
  }
}
