// The project's wasm kernels against the cpu backend's reference kernels, on many shapes.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { batchNormTrain } from '../lib/models/batchnorm.js';
import { BatchNorm } from '../lib/models/nn.js';
import { filterGradModuleBytes, SIMD_KERNELS, simdModuleBytes } from '../lib/accel/kernels/simd.js';
import { assemble } from '../lib/accel/wasm_asm.js';
import { dotsModuleFns } from '../lib/accel/row_dots.js';
import { scanModuleFns } from '../lib/accel/knn_scan.js';
import { DenseKernels, denseModuleFns } from '../lib/accel/dense.js';
import { cholesky, inverseFromCholesky } from '../lib/math/linalg.js';
import { initBackendFor, maxRelErr, tf } from './helpers.js';

/** Runs fn on wasm and on cpu with the same inputs; returns max relative error. */
async function compare(make: () => tf.Tensor[], fn: (xs: tf.Tensor[]) => tf.Tensor): Promise<number> {
  await initBackendFor('cpu');
  const inputs = make();
  const host = await Promise.all(inputs.map(async (t) => ({ v: await t.data(), s: t.shape })));
  const want = await fn(inputs).data();
  await initBackendFor('wasm');
  const w = host.map((h) => tf.tensor(h.v as Float32Array, h.s));
  const got = await fn(w).data();
  tf.dispose(w);
  return maxRelErr(got, want);
}

const rand = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);

const CONV_CASES: Array<[number[], number[], number, 'same' | 'valid' | tf.backend_util.ExplicitPadding]> = [];
for (const k of [1, 3, 5, 7]) {
  for (const s of [1, 2]) {
    for (const pad of ['same', 'valid'] as const) CONV_CASES.push([[2, 11, 9, 3], [k, k, 3, 4], s, pad]);
  }
}
CONV_CASES.push([[1, 7, 7, 5], [3, 3, 5, 2], 1, 'same']);
// First layers (kh·kw·ci ≤ 12, out channels a multiple of 4): the SIMD filter-gradient kernel.
CONV_CASES.push([[3, 9, 8, 1], [3, 3, 1, 8], 1, 'same']);
CONV_CASES.push([[2, 10, 9, 1], [3, 3, 1, 4], 2, 'same']);
CONV_CASES.push([[2, 11, 7, 4], [1, 3, 4, 12], 1, 'valid']);
CONV_CASES.push([[40, 12, 12, 1], [3, 3, 1, 32], 1, 'same']);
CONV_CASES.push([
  [3, 10, 13, 2],
  [3, 3, 2, 6],
  2,
  [
    [0, 0],
    [1, 1],
    [1, 1],
    [0, 0],
  ],
]);
CONV_CASES.push([
  [2, 9, 8, 3],
  [3, 3, 3, 3],
  2,
  [
    [0, 0],
    [2, 0],
    [0, 3],
    [0, 0],
  ],
]);
CONV_CASES.push([[1, 5, 5, 1], [5, 5, 1, 1], 1, 'valid']);
CONV_CASES.push([[2, 12, 12, 4], [3, 3, 4, 4], 3, 'same']);
CONV_CASES.push([
  [2, 8, 8, 3],
  [3, 3, 3, 8],
  1,
  [
    [0, 0],
    [3, 3],
    [3, 3],
    [0, 0],
  ],
]);

test('Conv2DBackpropFilter and Conv2DBackpropInput on wasm match cpu', async () => {
  for (const [xs, fs, s, pad] of CONV_CASES) {
    const what = `x ${xs} filter ${fs} stride ${s} pad ${JSON.stringify(pad)}`;
    await initBackendFor('cpu');
    const yShape = tf.conv2d(
      tf.zeros(xs as [number, number, number, number]) as tf.Tensor4D,
      tf.zeros(fs as [number, number, number, number]) as tf.Tensor4D,
      s,
      pad as never,
    ).shape as number[];
    const attrs = { strides: s, pad, dataFormat: 'NHWC' };
    const dw = await compare(
      () => [rand(xs, 1), rand(yShape, 2)],
      ([x, dy]) => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: fs } as never) as tf.Tensor,
    );
    assert.ok(dw < 1e-5, `filter gradient: ${what}: rel err ${dw}`);
    const dx = await compare(
      () => [rand(yShape, 3), rand(fs, 4)],
      ([dy, filter]) => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, { ...attrs, inputShape: xs } as never) as tf.Tensor,
    );
    assert.ok(dx < 1e-5, `input gradient: ${what}: rel err ${dx}`);
  }
});

test('conv2d gradients through tf.grads on wasm match cpu (a step of autodiff)', async () => {
  const f = ([x, w]: tf.Tensor[]) => {
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same'))))([x, w]);
    return tf.concat([g[0].flatten(), g[1].flatten()]);
  };
  const err = await compare(() => [rand([2, 9, 9, 3], 5), rand([3, 3, 3, 4], 6)], f);
  assert.ok(err < 1e-5, `rel err ${err}`);
});

test('MaxPoolGrad on wasm matches cpu (first maximum of each window)', async () => {
  const cases: Array<[number[], number, number, 'valid' | 'same' | number]> = [
    [[2, 8, 8, 3], 2, 2, 'valid'],
    [[1, 9, 7, 5], 2, 2, 'valid'],
    [[2, 12, 12, 4], 3, 2, 1],
    [[2, 7, 7, 2], 3, 1, 'same'],
    [[1, 6, 6, 1], 3, 3, 'valid'],
    // Channels a multiple of 4: the SIMD kernel (lib/accel/kernels/simd.ts), odd sizes included.
    [[2, 8, 8, 4], 2, 2, 'valid'],
    [[1, 9, 7, 8], 2, 2, 'valid'],
    [[3, 6, 10, 12], 2, 2, 'valid'],
  ];
  for (const [xs, k, s, pad] of cases) {
    const err = await compare(
      () => [rand(xs, 7)],
      ([x]) => tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, k, s, pad), 1.5)))(x),
    );
    assert.ok(err < 1e-6, `maxpool ${xs} k${k} s${s} ${pad}: rel err ${err}`);
  }
  // Ties: the gradient goes to the first maximum only (as TensorFlow and PyTorch).
  await initBackendFor('wasm');
  const x = tf.tensor4d([1, 1, 1, 1], [1, 2, 2, 1]);
  const g = tf.grad((a: tf.Tensor) => tf.sum(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid')))(x);
  assert.deepEqual([...g.dataSync()], [1, 0, 0, 0]);
});

test('Sum, Mean over leading axes and transposed matMul on wasm match cpu', async () => {
  for (const [shape, axes] of [
    [
      [4, 5, 6, 7],
      [0, 1, 2],
    ],
    [[10, 3], [0]],
    [
      [4, 5, 6, 8],
      [0, 1, 2],
    ],
    [[10, 4], [0]],
    [
      [3, 4, 5],
      [0, 1],
    ],
    [
      [3, 4, 5],
      [1, 2],
    ],
    [[6, 5], [1]],
    [
      [2, 3, 4],
      [2, 0, 1],
    ],
  ] as Array<[number[], number[]]>) {
    for (const keep of [false, true]) {
      const e1 = await compare(
        () => [rand(shape, 8)],
        ([x]) => tf.sum(x, axes, keep),
      );
      const e2 = await compare(
        () => [rand(shape, 9)],
        ([x]) => tf.mean(x, axes, keep),
      );
      assert.ok(e1 < 1e-5 && e2 < 1e-5, `sum/mean ${shape} axes ${axes} keepDims ${keep}: ${e1} ${e2}`);
    }
  }
  for (const [ta, tb] of [
    [true, false],
    [false, true],
    [true, true],
  ]) {
    const a = ta ? [7, 5] : [5, 7];
    const b = tb ? [3, 7] : [7, 3];
    const err = await compare(
      () => [rand(a, 10), rand(b, 11)],
      ([x, y]) => tf.matMul(x, y, ta, tb),
    );
    assert.ok(err < 1e-5, `matMul transposeA=${ta} transposeB=${tb}: ${err}`);
  }
  const err = await compare(
    () => [rand([2, 4, 6], 12), rand([2, 5, 6], 13)],
    ([x, y]) => tf.matMul(x, y, false, true),
  );
  assert.ok(err < 1e-5, `batched matMul: ${err}`);
  // Shapes where transposing the product is cheaper than transposing a large operand.
  for (const [as, bs, ta, tb] of [
    [[2, 6], [40, 6], false, true],
    [[6, 40], [6, 2], true, false],
    [[3, 2, 6], [3, 40, 6], false, true],
  ] as Array<[number[], number[], boolean, boolean]>) {
    const e = await compare(
      () => [rand(as, 14), rand(bs, 15)],
      ([x, y]) => tf.matMul(x, y, ta, tb),
    );
    assert.ok(e < 1e-5, `matMul ${as} x ${bs} (${ta}, ${tb}): ${e}`);
  }
});

test('the SIMD kernel module is valid WebAssembly, one export a kernel config', () => {
  const wa = (
    globalThis as unknown as {
      WebAssembly: {
        validate(b: Uint8Array): boolean;
        Module: { new (b: Uint8Array): object; exports(m: object): Array<{ name: string }> };
      };
    }
  ).WebAssembly;
  assert.ok(wa.validate(simdModuleBytes()));
  const names = wa.Module.exports(new wa.Module(simdModuleBytes())).map((e) => e.name);
  assert.deepEqual(
    names,
    SIMD_KERNELS.map((k) => k.kernelName),
  );
  assert.equal(new Set(names).size, names.length, 'kernel names are unique');
  for (const K of [1, 9, 12]) assert.ok(wa.validate(filterGradModuleBytes(K)), `filterGrad K=${K}`);
  assert.ok(wa.validate(assemble(denseModuleFns())));
  assert.ok(wa.validate(assemble(dotsModuleFns())));
  for (const dim of [1, 2, 7, 128, 130]) assert.ok(wa.validate(assemble(scanModuleFns(dim))), `kNN screening, dim ${dim}`);
});

test('dense SIMD kernels (loss): products, Gram matrices, Cholesky and scaled inverse match float64 references', () => {
  const K = DenseKernels.get();
  assert.ok(K !== undefined, 'this Node has WebAssembly SIMD');
  let seed = 1;
  const rnd = () => {
    seed = (seed * 16807) % 2147483647;
    return (seed / 2147483647) * 2 - 1;
  };
  for (const [m, kk, n] of [
    [4, 1, 8],
    [12, 37, 16],
    [100, 128, 128],
  ]) {
    K.reset();
    K.reserve(4 * (m * kk + kk * n + 2 * m * n) + 64);
    const a = K.alloc(m * kk * 4);
    const b = K.alloc(kk * n * 4);
    const c = K.alloc(m * n * 4);
    const av = K.f32(a, m * kk).map(rnd);
    const bv = K.f32(b, kk * n).map(rnd);
    K.f32(a, m * kk).set(av);
    K.f32(b, kk * n).set(bv);
    const c0 = K.f32(c, m * n).map(rnd);
    K.f32(c, m * n).set(c0);
    K.gemm(a, kk, b, n, c, n, m, kk, n, true);
    const cv = K.f32(c, m * n);
    let worst = 0;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = c0[i * n + j];
        for (let t = 0; t < kk; t++) s += av[i * kk + t] * bv[t * n + j];
        worst = Math.max(worst, Math.abs(cv[i * n + j] - s));
      }
    }
    assert.ok(worst < 1e-4, `gemm ${m}x${kk}x${n}: ${worst}`);
    // Gram of B (kk x n): the entries on and above the diagonal.
    const g = K.alloc(n * n * 4);
    K.gram(b, n, kk, n, g);
    const gv = K.f32(g, n * n);
    worst = 0;
    for (let i = 0; i < n; i++) {
      for (let j = i; j < n; j++) {
        let s = 0;
        for (let t = 0; t < kk; t++) s += bv[t * n + i] * bv[t * n + j];
        worst = Math.max(worst, Math.abs(gv[i * n + j] - s));
      }
    }
    assert.ok(worst < 1e-4, `gram ${kk}x${n}: ${worst}`);
  }
  for (const p of [1, 3, 17, 100, 128]) {
    K.reset();
    K.reserve(4 * p * p * 8 + 64);
    const a = K.alloc(p * p * 8);
    const l = K.alloc(p * p * 8);
    const mt = K.alloc(p * p * 8);
    const w = K.alloc(p * p * 4);
    const x = Float64Array.from({ length: p * 2 * p }, rnd);
    const spd = new Float64Array(p * p);
    for (let i = 0; i < p; i++) {
      for (let j = 0; j < p; j++) {
        let s = i === j ? 1 : 0;
        for (let t = 0; t < 2 * p; t++) s += x[i * 2 * p + t] * x[j * 2 * p + t];
        spd[i * p + j] = s;
      }
    }
    K.f64(a, p * p).set(spd);
    assert.equal(K.cholesky(a, l, p), 0);
    const ref = cholesky(spd, p);
    const lv = K.f64(l, p * p);
    let worst = 0;
    for (let i = 0; i < p; i++) for (let j = 0; j <= i; j++) worst = Math.max(worst, Math.abs(lv[i * p + j] - ref[i * p + j]));
    assert.ok(worst < 1e-9 * p, `cholesky p=${p}: ${worst}`);
    K.inverse(l, mt, w, p, p, -0.5);
    const inv = inverseFromCholesky(ref, p);
    const wv = K.f32(w, p * p);
    worst = 0;
    for (let e = 0; e < p * p; e++) worst = Math.max(worst, Math.abs(wv[e] + 0.5 * inv[e]) / (0.5 * Math.abs(inv[e]) + 1e-3));
    assert.ok(worst < 1e-5, `inverse p=${p}: ${worst}`);
    // Not positive definite: the failing pivot + 1.
    const bad = Float64Array.from(spd);
    bad[(p - 1) * p + p - 1] = -1e9;
    K.f64(a, p * p).set(bad);
    assert.equal(K.cholesky(a, l, p), p);
  }
});

test('batch-norm kernels on wasm (SIMD and JS loops) match the op composition on cpu', async () => {
  // c = 8: the SIMD kernels; c = 6: the JS loops; MCR2_SIMD_KERNELS=0 forces the JS loops.
  for (const [shape, noSimd] of [
    [[4, 5, 3, 8], false],
    [[4, 5, 3, 8], true],
    [[7, 6], false],
    [[30, 256], false],
  ] as Array<[number[], boolean]>) {
    for (const [relu, residual] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ]) {
      const c = shape[shape.length - 1];
      const make = () => [
        tf.randomNormal(shape, 3, 2, 'float32', 1),
        tf.randomNormal([c], 1, 0.3, 'float32', 2),
        tf.randomNormal([c], 0, 1, 'float32', 3),
        tf.randomNormal(shape, 0, 1, 'float32', 4),
        tf.randomNormal(shape, 0, 1, 'float32', 5),
      ];
      // Value, the batch statistics and all gradients, concatenated.
      const fn = ([x, g, b, r, w]: tf.Tensor[]) => {
        const f = (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor, rr?: tf.Tensor) => {
          const o = batchNormTrain(xx, gg, bb, 1e-5, { relu, residual: residual ? rr : undefined });
          const stats = tf.concat([o.mean, o.variance]);
          tf.dispose([o.mean, o.variance]);
          return tf.add(tf.sum(tf.mul(o.y, w)), tf.mul(tf.sum(stats), 0));
        };
        const stats = batchNormTrain(x, g, b, 1e-5, { relu, residual: residual ? r : undefined });
        const gs = tf.grads(f as (...a: tf.Tensor[]) => tf.Tensor)(residual ? [x, g, b, r] : [x, g, b]);
        return tf.concat([stats.y.flatten(), stats.mean, stats.variance, ...gs.map((t) => t.flatten())]);
      };
      if (noSimd) process.env.MCR2_SIMD_KERNELS = '0';
      try {
        const err = await compare(make, fn);
        assert.ok(err < 1e-5, `batch norm ${shape} relu ${relu} residual ${residual}${noSimd ? ' (JS loops)' : ''}: rel err ${err}`);
      } finally {
        delete process.env.MCR2_SIMD_KERNELS;
      }
    }
  }
});

test('eval-mode batch norm (running statistics) on wasm matches cpu', async () => {
  for (const shape of [
    [3, 4, 5, 8],
    [3, 4, 5, 6],
  ]) {
    for (const [relu, residual] of [
      [false, false],
      [true, false],
      [true, true],
    ]) {
      const c = shape[shape.length - 1];
      const err = await compare(
        () => [
          tf.randomNormal(shape, 2, 3, 'float32', 21),
          tf.randomNormal([c], 1, 0.5, 'float32', 22),
          tf.randomUniform([c], 0.5, 2, 'float32', 23),
          tf.randomNormal([c], 1, 0.3, 'float32', 24),
          tf.randomNormal([c], 0, 1, 'float32', 25),
          tf.randomNormal(shape, 0, 1, 'float32', 26),
        ],
        ([x, mean, variance, gamma, beta, r]) => {
          const bn = new BatchNorm(c);
          bn.runningMean.assign(mean);
          bn.runningVar.assign(variance);
          bn.weight.assign(gamma);
          bn.bias.assign(beta);
          bn.eval();
          const y = bn.forwardFused(x, { relu, residual: residual ? r : undefined });
          const out = y.clone();
          bn.dispose();
          return out;
        },
      );
      assert.ok(err < 1e-5, `eval batch norm ${shape} relu ${relu} residual ${residual}: rel err ${err}`);
    }
  }
});
