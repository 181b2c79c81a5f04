// The webgpu backend (Dawn; in CI Mesa's lavapipe, a software adapter, forced) against the cpu
// backend's kernels and the wasm backend's training. Skips, saying why, where no adapter is found.
import { test, type TestContext } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackendFor, maxRelErr, ROOT, tf } from './helpers.js';
import { probeAdapter } from '../lib/accel/webgpu.js';
import { callerFor } from '../lib/accel/kernels/call.js';
import { conv2dBackpropFilterByTaps, imageGroups } from '../lib/accel/kernels/webgpu_conv_grad.js';
import { batchNormTrain } from '../lib/models/batchnorm.js';
import { EnSC } from '../lib/evaluate/ensc.js';
import { KNN } from '../lib/evaluate/knn.js';
import { NearestSubspace } from '../lib/evaluate/nearsub.js';
import { createModel } from '../lib/models/index.js';
import { MaximalCodingRateReduction } from '../lib/loss/mcr2.js';
import { RandomState } from '../lib/math/random.js';

const missing: Promise<string | undefined> = probeAdapter().then((a) => (typeof a === 'string' ? a : undefined));

/** Skips without an adapter, except under MCR2_REQUIRE_WEBGPU=1 (CI, which installs lavapipe). */
async function needsAdapter(t: TestContext): Promise<boolean> {
  const why = await missing;
  if (why !== undefined && process.env.MCR2_REQUIRE_WEBGPU === '1') assert.fail(`MCR2_REQUIRE_WEBGPU=1 but no WebGPU adapter: ${why}`);
  if (why !== undefined) t.skip(`no WebGPU adapter: ${why}`);
  return why === undefined;
}

/** fn's outputs on cpu and on webgpu from the same inputs: the largest relative error of each. */
async function compare(make: () => tf.Tensor[], fn: (xs: tf.Tensor[]) => tf.Tensor[]): Promise<number[]> {
  await initBackendFor('cpu');
  const inputs = make();
  const host = await Promise.all(inputs.map(async (t) => ({ v: await t.data(), s: t.shape })));
  const want = await Promise.all(fn(inputs).map((t) => t.data()));
  tf.dispose(inputs);
  await initBackendFor('webgpu');
  const w = host.map((h) => tf.tensor(h.v as Float32Array, h.s));
  const outs = fn(w);
  const got = outs.map((t) => t.dataSync());
  tf.dispose([...w, ...outs]);
  await initBackendFor('cpu');
  return got.map((g, i) => maxRelErr(g, want[i]));
}

const rand = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);

test('imageGroups: the largest divisor of the batch whose groups keep enough rows', () => {
  assert.equal(imageGroups(100, 196), 25); // 4 images (784 rows) a group
  assert.equal(imageGroups(100, 784), 100);
  assert.equal(imageGroups(2, 81), 1);
  assert.equal(imageGroups(97, 16), 1); // a prime batch: one group
  assert.equal(imageGroups(1000, 1024), 1000);
});

test('webgpu: dataSync reads float32, int32 and bool tensors back synchronously', async (t) => {
  if (!(await needsAdapter(t))) return;
  await initBackendFor('webgpu');
  const a = tf.tensor2d([1, 2, 3, 4], [2, 2]);
  assert.deepEqual(Array.from(tf.matMul(a, a).dataSync()), [7, 10, 15, 22]);
  assert.deepEqual(Array.from(tf.add(tf.tensor1d([1, 2, 3], 'int32'), 1).dataSync()), [2, 3, 4]);
  assert.deepEqual(Array.from(tf.greater(tf.tensor1d([1, 5]), 2).dataSync()), [0, 1]);
  await initBackendFor('cpu');
});

test('webgpu: conv2d gradients (input, and the filter by taps: webgpu_conv_grad.ts) match the cpu backend', async (t) => {
  if (!(await needsAdapter(t))) return;
  const cases: Array<[number[], number[], number, 'same' | 'valid']> = [
    [[2, 9, 9, 3], [3, 3, 3, 4], 1, 'same'],
    [[2, 9, 9, 3], [3, 3, 3, 4], 2, 'same'],
    [[2, 10, 8, 2], [3, 3, 2, 5], 2, 'valid'],
    [[2, 8, 8, 4], [1, 1, 4, 6], 2, 'valid'],
    [[1, 12, 12, 3], [7, 7, 3, 4], 2, 'same'],
    // Filter gradients summed over groups of images (imageGroups: 4 groups of 2 here).
    [[8, 16, 16, 4], [3, 3, 4, 8], 1, 'same'],
    [[3, 11, 11, 1], [5, 5, 1, 4], 1, 'valid'],
  ];
  for (const [xs, fs_, s, pad] of cases) {
    const errs = await compare(
      () => [rand(xs, 1), rand(fs_, 2)],
      ([x, f]) => {
        const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(
            tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, pad), tf.cos(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, pad))),
          ),
        );
        return [tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, s, pad), ...g([x, f])];
      },
    );
    for (const [i, e] of errs.entries()) assert.ok(e < 1e-4, `conv ${xs} * ${fs_} stride ${s} ${pad}: output ${i} rel err ${e}`);
  }
});

test('webgpu: the filter gradient one product per tap (for inputs too large for im2col) matches cpu', async (t) => {
  if (!(await needsAdapter(t))) return;
  for (const [xs, fs_, s, pad] of [
    [[4, 16, 16, 4], [3, 3, 4, 8], 1, 'same'],
    [[2, 9, 9, 3], [3, 3, 3, 4], 2, 'valid'],
  ] as Array<[number[], number[], number, 'same' | 'valid']>) {
    const [e] = await compare(
      () => [rand(xs, 8), rand(fs_, 9)],
      ([x, f]) => {
        const y = tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, s, pad);
        const dy = tf.cos(y);
        if (tf.getBackend() !== 'webgpu')
          return [tf.grad((ff: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x as tf.Tensor4D, ff as tf.Tensor4D, s, pad), dy)))(f)];
        const attrs = { strides: s, pad, dataFormat: 'NHWC' as const, filterShape: fs_ };
        const info = conv2dBackpropFilterByTaps(callerFor(tf.backend(), 'webgpu'), x, dy, attrs, 0);
        return [tf.engine().makeTensorFromTensorInfo(info)];
      },
    );
    assert.ok(e < 1e-4, `per-tap filter gradient ${xs} * ${fs_} stride ${s} ${pad}: rel err ${e}`);
  }
});

test('webgpu: max-pool and batch-norm (fused residual + ReLU) gradients match the cpu backend', async (t) => {
  if (!(await needsAdapter(t))) return;
  for (const [k, s, pad] of [
    [2, 2, 'valid'],
    [3, 2, 'same'],
  ] as const) {
    const [e] = await compare(
      () => [rand([2, 8, 8, 3], 3)],
      ([x]) => [
        tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, k, s, pad), tf.sin(tf.maxPool(a as tf.Tensor4D, k, s, pad)))))(
          x,
        ),
      ],
    );
    assert.ok(e < 1e-5, `maxPool ${k}x${k} stride ${s} ${pad}: rel err ${e}`);
  }
  const errs = await compare(
    () => [rand([4, 5, 5, 6], 4), tf.add(rand([6], 5), 1), rand([6], 6), rand([4, 5, 5, 6], 7)],
    ([x, g, b, r]) => {
      const w = tf.sin(tf.range(0, 4 * 5 * 5 * 6).reshape([4, 5, 5, 6]));
      const f = (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor, rr: tf.Tensor) => {
        const o = batchNormTrain(xx, gg, bb, 1e-5, { residual: rr, relu: true });
        tf.dispose([o.mean, o.variance]);
        return tf.sum(tf.mul(o.y, w));
      };
      return tf.grads(f)([x, g, b, r]);
    },
  );
  for (const [i, e] of errs.entries()) assert.ok(e < 1e-4, `batch norm gradient ${i}: rel err ${e}`);
});

test('webgpu: the MCR² loss (Gram matrices read back to float64 Cholesky) and its gradient match cpu', async (t) => {
  if (!(await needsAdapter(t))) return;
  const r = new RandomState(3);
  const m = 60;
  const p = 16;
  const y = r.randint(0, 4, m);
  const raw = Float32Array.from(r.randn(m * p));
  const loss = new MaximalCodingRateReduction({ eps: 0.5 });
  const results: Array<{ total: number; grad: Float32Array }> = [];
  for (const b of ['cpu', 'webgpu']) {
    await initBackendFor(b);
    const z = tf.tidy(() => tf.div(tf.tensor2d(raw, [m, p]), tf.norm(tf.tensor2d(raw, [m, p]), 2, 1, true)));
    const ev = loss.evaluate(z, y, 4);
    const g = ev.gradient();
    results.push({ total: ev.terms.total, grad: g.dataSync() as Float32Array });
    tf.dispose([z, g]);
  }
  await initBackendFor('cpu');
  assert.ok(
    Math.abs(results[1].total - results[0].total) < 1e-5 * Math.abs(results[0].total),
    `${results[1].total} vs ${results[0].total}`,
  );
  assert.ok(maxRelErr(results[1].grad, results[0].grad) < 1e-4);
});

// The reference here is wasm (its kernels are tested against cpu in kernels.test.ts): the cpu
// backend takes a minute for this step on a 2-core machine.
test('webgpu: a cnn-small MCR² step gives the wasm backend’s parameter gradients', async (t) => {
  if (!(await needsAdapter(t))) return;
  const r = new RandomState(5);
  const bs = 12;
  const x = Float32Array.from(r.random(bs * 28 * 28));
  const y = r.randint(0, 3, bs);
  const loss = new MaximalCodingRateReduction({ eps: 0.5 });
  const out: Array<{ total: number; grads: Map<string, Float32Array> }> = [];
  for (const b of ['wasm', 'webgpu']) {
    await initBackendFor(b);
    const model = createModel('cnn-small', 16, { seed: 1 });
    const xt = tf.tensor4d(x, [bs, 28, 28, 1]);
    const names = new Map(model.namedParameters().map(([n, v]) => [v.name, n]));
    const { value, grads } = tf.variableGrads(() => loss.forward(model.forward(xt), y, 3).value, model.parameters());
    const g = new Map(Object.entries(grads).map(([k, v]) => [names.get(k)!, v.dataSync() as Float32Array]));
    out.push({ total: value.dataSync()[0], grads: g });
    tf.dispose([xt, value, ...Object.values(grads)]);
    model.dispose();
  }
  await initBackendFor('cpu');
  assert.ok(Math.abs(out[1].total - out[0].total) < 1e-4 * Math.abs(out[0].total), `loss ${out[1].total} vs ${out[0].total}`);
  assert.equal(out[1].grads.size, out[0].grads.size);
  const maxAbs = (v: Float32Array) => v.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
  const largest = Math.max(...[...out[0].grads.values()].map(maxAbs));
  for (const [n, want] of out[0].grads) {
    // Biases before a batch norm have a zero gradient up to rounding: errors relative to at least 1% of the largest gradient.
    const e = maxRelErr(out[1].grads.get(n)!, want) * (maxAbs(want) / Math.max(maxAbs(want), 0.01 * largest));
    assert.ok(e < 2e-4, `${n}: rel err ${e}`);
  }
});

test('webgpu: the evaluators (kNN on the GPU with exact rescoring, nearest subspace, EnSC) predict as on the cpu backend', async (t) => {
  if (!(await needsAdapter(t))) return;
  // Three noisy clusters of unit rows in 8 dimensions.
  const r = new RandomState(9);
  const dim = 8;
  const make = (n: number) => {
    const x = new Float32Array(n * dim);
    const y = Int32Array.from(r.randint(0, 3, n));
    const g = r.randn(n * dim);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < dim; j++) {
        const v = (j % 3 === y[i] ? 2 : 0) + 0.6 * g[i * dim + j];
        x[i * dim + j] = v;
        s += v * v;
      }
      for (let j = 0; j < dim; j++) x[i * dim + j] /= Math.sqrt(s);
    }
    return { x, y };
  };
  const train = make(90);
  const testSet = make(40);
  const results: string[] = [];
  for (const b of ['cpu', 'webgpu']) {
    await initBackendFor(b);
    const tr = { features: train.x, n: train.y.length, dim };
    const te = { features: testSet.x, n: testSet.y.length, dim };
    // threads: 1 keeps the work on this thread's backend (worker threads would start wasm).
    const knn = await new KNN({ k: 5, threads: 1 }).fit(tr, train.y).predict(te);
    const ns = new NearestSubspace({ nComp: 2 }).fit(tr, train.y).predictBoth(te);
    const ensc = await new EnSC({ nClusters: 3, nNonzero: 10, supportSize: 20, nInit: 3, threads: 1 }).fitPredict(tr);
    // Values on a grid of 1/2: many exact ties at the k-th neighbour (webgpu: the float64 fallback).
    const grid = (x: Float32Array) => x.map((v) => Math.round(v * 4) / 2);
    const knnTies = await new KNN({ k: 7, threads: 1 }).fit(grid(train.x), train.y).predict(grid(testSet.x));
    results.push(JSON.stringify([Array.from(knn), Array.from(ns.pca), Array.from(ns.svd), Array.from(ensc), Array.from(knnTies)]));
  }
  await initBackendFor('cpu');
  assert.equal(results[1], results[0]);
});

const CLI = path.join(ROOT, 'dist', 'lib', 'cli', 'main.js');

test('webgpu: mcr2 backend names the adapter, forced or not, and says why webgpu was skipped', async (t) => {
  if (!(await needsAdapter(t))) return;
  const a = await probeAdapter();
  assert.ok(typeof a !== 'string');
  const forced = spawnSync(process.execPath, [CLI, 'backend'], { encoding: 'utf8', env: { ...process.env, MCR2_BACKEND: 'webgpu' } });
  assert.equal(forced.status, 0, forced.stderr);
  assert.ok(forced.stdout.startsWith('backend: webgpu via @tensorflow/tfjs-backend-webgpu'), forced.stdout);
  assert.ok(forced.stdout.includes(a.description), forced.stdout);
  const auto = spawnSync(process.execPath, [CLI, 'backend'], { encoding: 'utf8', env: { ...process.env, MCR2_BACKEND: '' } });
  assert.equal(auto.status, 0, auto.stderr);
  if (a.software) {
    // Never chosen automatically: a skip line for webgpu, and the adapter it would take.
    assert.match(auto.stdout, /^ {2}skipped: webgpu: /m);
    assert.ok(auto.stdout.includes(`webgpu adapter: ${a.description} (software)`), auto.stdout);
  }
});

function trainSup(backend: string, dir: string): string[] {
  const args = ['train-sup', '--arch', 'cnn-small', '--data', 'mnist', '--fd', '16', '--epo', '1', '--bs', '100'];
  args.push('--lr', '0.05', '--transform', 'test', '--subset', SUBSET, '--workers', '0', '--save_dir', dir);
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, MCR2_BACKEND: backend } });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`backend: ${backend} via`));
  const run = fs.readdirSync(dir).find((d) => d.startsWith('sup_cnn-small+16_mnist'));
  assert.ok(run !== undefined, `no run folder in ${dir}`);
  assert.ok(fs.existsSync(path.join(dir, run, 'checkpoints', 'model-epoch0.safetensors')));
  return fs
    .readFileSync(path.join(dir, run, 'losses.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1);
}

// Two steps of 100: lavapipe runs a cnn-small step of 100 in seconds (see docs/backends.md).
const SUBSET = '200';

test('webgpu: mcr2 train-sup trains on the webgpu backend; its losses equal the wasm backend’s', async (t) => {
  if (!(await needsAdapter(t))) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-webgpu-'));
  try {
    const gpu = trainSup('webgpu', path.join(dir, 'webgpu'));
    const wasm = trainSup('wasm', path.join(dir, 'wasm'));
    assert.equal(gpu.length, wasm.length);
    for (const [i, row] of gpu.entries()) {
      const a = row.split(',').map(Number);
      const b = wasm[i].split(',').map(Number);
      // Step 0: the same weights, so the same loss up to float32 rounding; later steps also test the gradients.
      const tol = i === 0 ? 1e-5 : 1e-4;
      for (let c = 2; c < a.length; c++)
        assert.ok(Math.abs(a[c] - b[c]) <= tol * Math.abs(b[c]), `step ${i} column ${c}: ${a[c]} vs ${b[c]}`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
