// The phased Conv2DBackpropInput (lib/kernels/conv_input_grad.ts) against the cpu backend, on the
// cases that exercise its phases: strides above the kernel size (phases with no taps), unequal
// strides, pads beyond k − 1 (cropped dy rows), odd sizes, 'same' with uneven padding.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { axisPhases } from '../lib/accel/kernels/conv_input_grad.js';
import { initBackendFor, maxRelErr, tf } from './helpers.js';

type Pad = 'same' | 'valid' | tf.backend_util.ExplicitPadding;

type Shape4 = [number, number, number, number];
const CASES: Array<[Shape4, Shape4, number | [number, number], Pad]> = [
  [
    [2, 16, 16, 8],
    [3, 3, 8, 16],
    2,
    [
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 0],
    ],
  ], // ResNet stride-2 3x3
  [
    [2, 15, 17, 8],
    [3, 3, 8, 4],
    2,
    [
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 0],
    ],
  ], // odd sizes
  [[2, 16, 16, 6], [1, 1, 6, 12], 2, 'valid'], // ResNet 1x1 shortcut: one phase without taps
  [[1, 13, 11, 3], [1, 1, 3, 5], 3, 'valid'],
  [[2, 14, 13, 3], [2, 2, 3, 4], 3, 'same'], // kernel < stride, uneven 'same' pads
  [[2, 12, 10, 4], [3, 3, 4, 5], [2, 3], 'same'], // unequal strides
  [
    [1, 96, 96, 3],
    [5, 5, 3, 8],
    2,
    [
      [0, 0],
      [3, 3],
      [3, 3],
      [0, 0],
    ],
  ], // resnet18stl's stem
  [[2, 11, 9, 3], [5, 5, 3, 2], 2, 'valid'],
  [
    [2, 9, 9, 2],
    [3, 3, 2, 3],
    2,
    [
      [0, 0],
      [3, 2],
      [0, 4],
      [0, 0],
    ],
  ], // pads beyond k − 1
  [[2, 8, 8, 2], [4, 4, 2, 3], 4, 'same'],
  [[3, 7, 7, 5], [3, 3, 5, 6], 1, 'same'],
  [
    [2, 6, 6, 4],
    [3, 3, 4, 4],
    1,
    [
      [0, 0],
      [3, 3],
      [3, 3],
      [0, 0],
    ],
  ],
];

test('phased Conv2DBackpropInput on wasm matches cpu', async () => {
  for (const [xs, fs, s, pad] of CASES) {
    const what = `x ${xs} filter ${fs} stride ${s} pad ${JSON.stringify(pad)}`;
    await initBackendFor('cpu');
    const yShape = tf.tidy(() => tf.conv2d(tf.zeros(xs) as tf.Tensor4D, tf.zeros(fs) as tf.Tensor4D, s, pad as never).shape) as number[];
    const dy = tf.randomNormal(yShape, 0, 1, 'float32', 1);
    const filter = tf.randomNormal(fs, 0, 1, 'float32', 2);
    const attrs = { strides: s, pad, dataFormat: 'NHWC', inputShape: xs };
    const want = tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, attrs as never) as tf.Tensor;
    const wantData = want.dataSync().slice();
    const dyData = dy.dataSync().slice();
    const fData = filter.dataSync().slice();
    tf.dispose([dy, filter, want]);
    await initBackendFor('wasm');
    const dyW = tf.tensor(dyData, yShape);
    const fW = tf.tensor(fData, fs);
    const got = tf.engine().runKernel('Conv2DBackpropInput', { dy: dyW, filter: fW }, attrs as never) as tf.Tensor;
    assert.deepEqual(got.shape, xs, what);
    const e = maxRelErr(got.dataSync(), wantData);
    assert.ok(e < 1e-5, `${what}: rel err ${e}`);
    tf.dispose([dyW, fW, got]);
  }
});

test('phases partition the input rows, and the taps of each phase partition the kernel', () => {
  for (const [h, k, s, p] of [
    [16, 3, 2, 1],
    [15, 3, 2, 1],
    [16, 1, 2, 0],
    [13, 2, 3, 0],
    [9, 3, 2, 3],
    [96, 5, 2, 3],
    [7, 3, 1, 1],
  ]) {
    const oh = Math.floor((h + 2 * p - k) / s) + 1;
    const phases = axisPhases(h, k, s, p, oh);
    const rows = new Set<number>();
    let taps = 0;
    for (const ph of phases) {
      for (let q = ph.q0; q < ph.q0 + ph.count; q++) rows.add(q * s + ph.r - p);
      taps += ph.taps;
      // The convolution of each phase yields exactly its rows.
      if (ph.taps > 0 && ph.len > 0) assert.equal(ph.lo + ph.len + ph.hi - ph.taps + 1, ph.count);
    }
    assert.equal(rows.size, h, `h ${h} k ${k} s ${s} p ${p}`);
    assert.ok([...rows].every((r) => r >= 0 && r < h));
    assert.ok(taps <= k);
  }
});
