// Grouped convolution (ResNeXt) and the wasm SplitV/Concat kernels it leans on.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { groupedConv2d, GroupedConv2d } from '../lib/models/grouped_conv.js';
import { RandomState } from '../lib/math/random.js';
import { initBackendFor, maxRelErr, tf } from './helpers.js';

const rand = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);

/** Runs fn on wasm and on cpu with the same inputs; returns max relative error. */
async function wasmVsCpu(make: () => tf.Tensor[], fn: (xs: tf.Tensor[]) => tf.Tensor): Promise<number> {
  await initBackendFor('cpu');
  const inputs = make();
  const host = await Promise.all(inputs.map(async (t) => ({ v: await t.data(), s: t.shape, d: t.dtype })));
  const want = await fn(inputs).data();
  await initBackendFor('wasm');
  const w = host.map((h) => tf.tensor(h.v as Float32Array, h.s, h.d));
  const got = await fn(w).data();
  tf.dispose(w);
  return maxRelErr(got as Float32Array, want as Float32Array);
}

test('SplitV and Concat on wasm match cpu (narrow and wide pieces, any axis, int32)', async () => {
  const cases: Array<[number[], number | number[], number]> = [
    [[2, 5, 4, 128], 32, 3],
    [[2, 5, 4, 128], 2, 3],
    [[3, 4, 4, 512], 8, -1],
    [[2, 3, 6, 10], [3, 5, 2], 3],
    [[4, 6, 5], 3, 1],
    [[6, 8], 2, 0],
    [[2, 3, 200], [100, 60, 40], 2],
    [[1, 1, 1, 64], 64, 3],
  ];
  for (const [shape, splits, axis] of cases) {
    const what = `${shape} split ${JSON.stringify(splits)} axis ${axis}`;
    const e1 = await wasmVsCpu(
      () => [rand(shape, 1)],
      ([x]) =>
        tf.concat(
          tf.split(x, splits, axis).map((p, i) => tf.mul(p, i + 1)),
          axis,
        ),
    );
    assert.ok(e1 < 1e-7, `${what}: ${e1}`);
    const e2 = await wasmVsCpu(
      () => [tf.cast(tf.mul(rand(shape, 2), 100), 'int32')],
      ([x]) => {
        const parts = tf.split(x, splits, axis);
        return tf.cast(tf.concat(parts.reverse(), axis), 'float32');
      },
    );
    assert.ok(e2 === 0, `${what} int32: ${e2}`);
  }
  // Unequal shapes along the concat axis, an empty piece, and the gradients (split ↔ concat).
  const e3 = await wasmVsCpu(
    () => [rand([2, 3, 4, 5], 3), rand([2, 3, 4, 70], 4), tf.zeros([2, 3, 4, 0])],
    ([a, b, c]) => tf.concat([a, c, b, a], 3),
  );
  assert.ok(e3 < 1e-7, `concat of unequal widths: ${e3}`);
  const e4 = await wasmVsCpu(
    () => [rand([2, 4, 4, 24], 5), rand([2, 4, 4, 24], 6)],
    ([x, w]) =>
      tf.grad((a: tf.Tensor) =>
        tf.sum(
          tf.mul(
            tf.concat(
              tf.split(a, 6, 3).map((p, i) => tf.mul(p, i)),
              3,
            ),
            w,
          ),
        ),
      )(x),
  );
  assert.ok(e4 < 1e-7, `split/concat gradient: ${e4}`);
});

/** The same convolution as one dense conv with a block-diagonal filter (zeros across groups). */
function blockDiagonal(filter: tf.Tensor4D, groups: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [, , cg, cout] = filter.shape;
    const cin = cg * groups;
    const og = cout / groups;
    const mask = new Float32Array(cin * cout);
    for (let i = 0; i < cin; i++) for (let o = 0; o < cout; o++) if (Math.floor(i / cg) === Math.floor(o / og)) mask[i * cout + o] = 1;
    return tf.mul(tf.tile(filter, [1, 1, groups, 1]), tf.tensor4d(mask, [1, 1, cin, cout])) as tf.Tensor4D;
  });
}

const GROUP_CASES: Array<{ x: number[]; k: number; cout: number; groups: number; stride: number; pad: number }> = [
  { x: [2, 8, 8, 8], k: 3, cout: 8, groups: 2, stride: 1, pad: 1 },
  { x: [2, 9, 7, 16], k: 3, cout: 16, groups: 4, stride: 2, pad: 1 },
  { x: [3, 6, 6, 64], k: 3, cout: 64, groups: 32, stride: 1, pad: 1 },
  { x: [2, 8, 8, 12], k: 1, cout: 6, groups: 3, stride: 2, pad: 0 },
  { x: [1, 7, 7, 4], k: 5, cout: 8, groups: 4, stride: 1, pad: 2 },
];

test('grouped conv: forward and gradients equal a dense conv with a block-diagonal filter (cpu and wasm)', async () => {
  for (const backend of ['cpu', 'wasm']) {
    await initBackendFor(backend);
    for (const c of GROUP_CASES) {
      const what = `${backend} x ${c.x} k${c.k} →${c.cout} groups ${c.groups} stride ${c.stride} pad ${c.pad}`;
      const x = rand(c.x, 1) as tf.Tensor4D;
      const f = rand([c.k, c.k, c.x[3] / c.groups, c.cout], 2) as tf.Tensor4D;
      const pad: 'valid' | tf.backend_util.ExplicitPadding =
        c.pad === 0
          ? 'valid'
          : [
              [0, 0],
              [c.pad, c.pad],
              [c.pad, c.pad],
              [0, 0],
            ];
      const mine = (a: tf.Tensor, b: tf.Tensor) => groupedConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.groups, c.stride, c.pad);
      const ref = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, blockDiagonal(b as tf.Tensor4D, c.groups), c.stride, pad);
      const y = mine(x, f);
      const yr = ref(x, f);
      assert.deepEqual(y.shape, yr.shape, what);
      assert.ok(maxRelErr(y.dataSync(), yr.dataSync()) < 1e-5, `${what}: forward`);
      const w = rand(y.shape, 3);
      const gm = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(mine(a, b), w)))([x, f]);
      const gr = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(ref(a, b), w)))([x, f]);
      assert.ok(maxRelErr(gm[0].dataSync(), gr[0].dataSync()) < 1e-5, `${what}: input gradient`);
      assert.ok(maxRelErr(gm[1].dataSync(), gr[1].dataSync()) < 1e-5, `${what}: filter gradient`);
      tf.dispose([x, f, y, yr, w, ...gm, ...gr]);
    }
  }
  await initBackendFor('wasm');
});

test('GroupedConv2d: PyTorch init bound and shapes; groups must divide the channels', async () => {
  await initBackendFor('wasm');
  const m = new GroupedConv2d(64, 64, 3, { padding: 1, groups: 32, bias: false }, new RandomState(0));
  assert.deepEqual(m.weight.shape, [3, 3, 2, 64]);
  assert.equal(m.numParameters(), 3 * 3 * 2 * 64);
  // fan_in = (64/32)·3·3 = 18 → U(±1/√18)
  const w = m.weight.dataSync();
  const b = 1 / Math.sqrt(18);
  assert.ok(w.every((v) => Math.abs(v) <= b) && w.some((v) => Math.abs(v) > 0.9 * b));
  assert.deepEqual(m.forward(tf.zeros([2, 5, 5, 64])).shape, [2, 5, 5, 64]);
  assert.throws(() => new GroupedConv2d(64, 60, 3, { groups: 8 }, new RandomState(0)), /8 groups must divide/);
  m.dispose();
});
