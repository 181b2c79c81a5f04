// Model weights as one flat Float32Array, in namedParameters() order.
import * as tf from '@tensorflow/tfjs';

export function writeParams(buf: SharedArrayBuffer, named: Array<[string, tf.Variable]>): void {
  const out = new Float32Array(buf);
  let off = 0;
  for (const [, v] of named) {
    out.set(v.dataSync(), off);
    off += v.size;
  }
}

export function readParams(buf: SharedArrayBuffer, named: Array<[string, tf.Variable]>): void {
  const src = new Float32Array(buf);
  let off = 0;
  for (const [, v] of named) {
    const t = tf.tensor(src.subarray(off, off + v.size), v.shape);
    v.assign(t);
    t.dispose();
    off += v.size;
  }
}
