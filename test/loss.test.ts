import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { availableBackends, fixture, initBackendFor, maxRelErr, tf } from './helpers.js';
import { MaximalCodingRateReduction } from '../lib/loss/mcr2.js';
import { RandomState } from '../lib/math/random.js';

interface Case {
  m: number;
  p: number;
  k: number;
  eps: number;
  gam1: number;
  gam2: number;
  Z: number[][];
  labels: number[];
  expected: { total: number; discrimn_loss_e: number; compress_loss_e: number; discrimn_loss_t: number; compress_loss_t: number };
  grad_total_wrt_Z: number[][];
}
const cases: Case[] = JSON.parse(fs.readFileSync(fixture('mcr2_loss_cases.json'), 'utf8')).cases;

test('MCR² matches the golden values and gradients on every backend (SIMD kernels and tfjs ops)', async () => {
  const backends = await availableBackends();
  assert.ok(backends.includes('wasm') && backends.includes('cpu'));
  // wasm twice: with the SIMD kernels (lib/accel/gram_logdets.ts) and, MCR2_SIMD_KERNELS=0, with tfjs ops.
  for (const [b, ops] of [...backends.map((x) => [x, false] as const), ['wasm', true] as const]) {
    await initBackendFor(b);
    if (ops) process.env.MCR2_SIMD_KERNELS = '0';
    cases.forEach((c, i) => {
      const loss = new MaximalCodingRateReduction({ gam1: c.gam1, gam2: c.gam2, eps: c.eps });
      const z = tf.tensor2d(c.Z);
      let r: ReturnType<typeof loss.forward> | undefined;
      const { value, grad: g } = tf.valueAndGrad((zz: tf.Tensor) => {
        r = loss.forward(zz, c.labels, c.k);
        return r.value;
      })(z);
      const e = c.expected;
      const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);
      const where = `${b}${ops ? ' (tfjs ops)' : ''} case ${i} (m=${c.m}, p=${c.p}, k=${c.k})`;
      assert.ok(rel(value.dataSync()[0], e.total) < 1e-4, `${where} total ${value.dataSync()[0]} vs ${e.total}`);
      assert.ok(rel(r!.terms.discrimnLossE, e.discrimn_loss_e) < 1e-4, `${where} R_e`);
      assert.ok(rel(r!.terms.compressLossE, e.compress_loss_e) < 1e-4, `${where} Rc_e`);
      assert.ok(rel(r!.terms.discrimnLossT, e.discrimn_loss_t) < 1e-4, `${where} R_t`);
      assert.ok(rel(r!.terms.compressLossT, e.compress_loss_t) < 1e-4, `${where} Rc_t`);
      const err = maxRelErr(g.dataSync(), c.grad_total_wrt_Z.flat());
      assert.ok(err < 1e-3, `${where} gradient rel err ${err}`);
      tf.dispose([z, g, value]);
    });
    delete process.env.MCR2_SIMD_KERNELS;
  }
  await initBackendFor('wasm');
});

test('MCR²: the SIMD kernels and the tfjs ops agree at batch 1000, p = 128, and with odd shapes', async () => {
  await initBackendFor('wasm');
  const r = new RandomState(5);
  // p = 128 (classes dual), p = 13 (classes primal, p not a multiple of 8), m < p (the batch dual too).
  for (const [m, p, k] of [
    [1000, 128, 10],
    [300, 13, 4],
    [50, 70, 3],
  ]) {
    const g = r.randn(m * p);
    const z = new Float32Array(m * p);
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let j = 0; j < p; j++) s += g[i * p + j] ** 2;
      for (let j = 0; j < p; j++) z[i * p + j] = g[i * p + j] / Math.sqrt(s);
    }
    const y = r.randint(0, k, m);
    const loss = new MaximalCodingRateReduction({ eps: 0.5, gam1: 1.5 });
    const t = tf.tensor2d(z, [m, p]);
    const run = () => {
      const e = loss.evaluate(t, y, k + 1); // one class absent
      const grad = e.gradient();
      const out = { terms: e.terms, grad: grad.dataSync().slice() };
      grad.dispose();
      return out;
    };
    const simd = run();
    process.env.MCR2_SIMD_KERNELS = '0';
    const ops = run();
    delete process.env.MCR2_SIMD_KERNELS;
    for (const key of ['total', 'discrimnLossE', 'compressLossE', 'discrimnLossT'] as const) {
      const rel = Math.abs(simd.terms[key] - ops.terms[key]) / Math.abs(ops.terms[key]);
      assert.ok(rel < 1e-5, `m=${m} p=${p} ${key}: ${simd.terms[key]} vs ${ops.terms[key]}`);
    }
    const err = maxRelErr(simd.grad, ops.grad);
    assert.ok(err < 1e-4, `m=${m} p=${p} gradient rel err ${err}`);
    // An evaluation in between reuses the kernels' memory: the first gradient is still right.
    const e1 = loss.evaluate(t, y, k + 1);
    const other = tf.tensor2d(z.slice(0, 2 * m), [m, 2]);
    loss.evaluate(other, y, k + 1);
    const g1 = e1.gradient();
    assert.ok(maxRelErr(g1.dataSync(), simd.grad) < 1e-6);
    tf.dispose([t, other, g1]);
  }
});

test('MCR² rejects bad input with a message naming the problem', async () => {
  await initBackendFor('wasm');
  const loss = new MaximalCodingRateReduction({ eps: 0.5 });
  const z = tf.tensor2d([
    [1, 0],
    [0, 1],
    [0.6, 0.8],
  ]);
  assert.throws(() => loss.forward(z, [0, 1, 2], 2), /label 2 at index 2 is outside 0\.\.1/);
  assert.throws(() => loss.forward(z, [0, -1, 1]), /label -1/);
  assert.throws(() => loss.forward(z, [0, 1]), /3 feature rows but 2 labels/);
  assert.throws(() => loss.forward(z, [0, 1.5, 1]), /integers/);
  assert.throws(() => loss.forward(tf.tensor1d([1, 2]), [0, 1]), /2-D/);
  assert.throws(
    () =>
      loss.forward(
        tf.tensor2d([
          [NaN, 0],
          [0, 1],
          [1, 0],
        ]),
        [0, 1, 1],
      ),
    /NaN or Inf/,
  );
  assert.throws(
    () =>
      loss.forward(
        tf.tensor2d([
          [Infinity, 0],
          [0, 1],
          [1, 0],
        ]),
        [0, 1, 1],
      ),
    /NaN or Inf/,
  );
  assert.throws(() => new MaximalCodingRateReduction({ eps: 0 }), /eps must be a finite number > 0/);
  assert.throws(() => new MaximalCodingRateReduction({ eps: -1 }), /eps/);
  assert.throws(() => new MaximalCodingRateReduction({ eps: NaN }), /eps/);
});

test('a class absent from the batch contributes exactly 0', async () => {
  await initBackendFor('wasm');
  const loss = new MaximalCodingRateReduction({ eps: 0.5 });
  const z = tf.tensor2d([
    [1, 0],
    [0, 1],
    [0.6, 0.8],
    [0.8, -0.6],
  ]);
  const a = loss.forward(z, [0, 0, 2, 2], 3);
  const b = loss.forward(z, [0, 0, 1, 1], 2);
  assert.ok(Math.abs(a.terms.compressLossE - b.terms.compressLossE) < 1e-9);
  assert.ok(Math.abs(a.terms.discrimnLossE - b.terms.discrimnLossE) < 1e-9);
});

test('reference-results loss check (docs/reference-results.md §1): numpy RandomState(0) features, m=1000, p=128, k=10', async () => {
  await initBackendFor('wasm');
  const r = new RandomState(0);
  const g = r.randn(1000 * 128);
  const y = r.randint(0, 10, 1000);
  const z = new Float32Array(g.length);
  for (let i = 0; i < 1000; i++) {
    let s = 0;
    for (let j = 0; j < 128; j++) s += g[i * 128 + j] ** 2;
    const n = Math.sqrt(s);
    for (let j = 0; j < 128; j++) z[i * 128 + j] = g[i * 128 + j] / n;
  }
  const loss = new MaximalCodingRateReduction({ gam1: 1, gam2: 1, eps: 0.5 });
  const t = tf.tensor2d(z, [1000, 128]);
  const out = loss.forward(t, y, 10);
  const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
  assert.ok(rel(out.terms.total, -15.020837) < 1e-4, `total ${out.terms.total}`);
  assert.equal(out.value.dataSync()[0], Math.fround(out.terms.total), 'the tensor holds the same value');
  assert.ok(rel(out.terms.discrimnLossE, 68.456701) < 1e-4, `R_e ${out.terms.discrimnLossE}`);
  assert.ok(rel(out.terms.compressLossE, 53.435864) < 1e-4, `Rc_e ${out.terms.compressLossE}`);
  tf.dispose([t, out.value]);
});
