// ReduNet against a NumPy implementation of the official construction (redunet_paper), made once by
// scripts/fixtures/make_redunet.py into test/fixtures/redunet.npz: the vector layers and the 1-D and
// 2-D shift-invariant layers (outputs, per-layer R/Rᶜ/ΔR for the construction set and a test set,
// operators), the lift kernels of numpy's seeded stream, the data of dataset.py and functionals.py
// (Gaussian mixtures, scipy's rotate and convert2polar, shifts, filter_class and shuffle).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readNpz, type NpyArray } from '../lib/io/npz.js';
import { RandomState } from '../lib/math/random.js';
import { logExact } from '../lib/math/log.js';
import { FFT, halfSpectrum, realSignals, realSpectra } from '../lib/redunet/fft.js';
import { ReduNet, type LayerEvent } from '../lib/redunet/redunet.js';
import { gaussianKernels } from '../lib/redunet/lift.js';
import {
  convert2polar,
  filterClass,
  firstOfEach,
  gaussianMixture,
  roll,
  rotateImage,
  shuffleIndex,
  translate,
} from '../lib/redunet/data.js';
import type { LayerLoss } from '../lib/redunet/layer.js';
import { fixture } from './helpers.js';

const F = readNpz(fixture('redunet.npz'));
const arr = (name: string): NpyArray => {
  const a = F[name];
  assert.ok(a, `fixture ${name}`);
  return a;
};
const f64 = (name: string) => arr(name).data as Float64Array;

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'lengths');
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
const flat = (l: LayerLoss[]) => l.flatMap((r) => [r.deltaR, r.R, r.Rc]);
const rows = (name: string, dim: number) => ({ features: f64(name), n: f64(name).length / dim, dim });
const TOL = 1e-8;

for (const p of ['vec3', 'vec2']) {
  test(`vector layers (${p}): features, losses and operators of the official construction within 1e-8`, async () => {
    const [k, layers, eta, eps, lambda] = f64(`${p}_settings`);
    const dim = arr(`${p}_x_train`).shape[1];
    const y = arr(`${p}_y_train`).data as Int32Array;
    const events: LayerEvent[] = [];
    const net = await new ReduNet({ layers, eta, eps, lambda, onLayer: (e) => events.push(e) }).fit(rows(`${p}_x_train`, dim), y, {
      keep: [10],
    });
    assert.equal(net.numClasses, k);
    assert.equal(events.length, layers);
    assert.ok(maxDiff(net.fitted.features, f64(`${p}_z_train`)) < TOL, 'train features');
    assert.ok(maxDiff(flat(net.fitted.losses), f64(`${p}_loss_train`)) < TOL, 'train losses');
    assert.ok(maxDiff(net.fitted.kept.get(10)!.features, f64(`${p}_z_train_layer10`)) < TOL, 'features after layer 10');
    const test = await net.passThrough(rows(`${p}_x_test`, dim));
    assert.ok(maxDiff(test.features, f64(`${p}_z_test`)) < TOL, 'test features');
    assert.ok(maxDiff(flat(test.losses), f64(`${p}_loss_test`)) < TOL, 'test losses');
    // transform (no losses) gives the same features; the construction set's own features too.
    assert.ok(maxDiff((await net.transform(rows(`${p}_x_test`, dim))).features, test.features) < 1e-14);
    assert.ok(maxDiff((await net.transform(rows(`${p}_x_train`, dim))).features, net.fitted.features) < 1e-14);
    for (const l of [0, layers - 1]) {
      const o = net.operators(l);
      assert.deepEqual(o.E.shape, [dim, dim]);
      assert.ok(maxDiff(o.E.data, f64(`${p}_E${l}`)) < TOL, `E of layer ${l}`);
      assert.ok(maxDiff(o.Cs.data, f64(`${p}_Cs${l}`)) < TOL, `C_j of layer ${l}`);
      assert.deepEqual([...o.gam], [...f64(`${p}_gam${l}`)]);
    }
  });
}

const SHIFT_CASES = [
  { p: 'f1', shape: [3, 16], lift: { outChannels: 4, kernelSize: 3 } },
  { p: 'f1b', shape: [4, 15], lift: undefined },
  { p: 'f2', shape: [1, 6, 5], lift: { outChannels: 3, kernelSize: 3 } },
];

for (const { p, shape, lift } of SHIFT_CASES) {
  const what = `${shape.length - 1}-D shift-invariant layers (${p}: [${shape}]${lift ? `, lifted to ${lift.outChannels}` : ', no lift'})`;
  test(`${what}: features, losses and operators of the official construction within 1e-8`, async () => {
    const [, layers, eta, eps, lambda] = f64(`${p}_settings`);
    const dim = shape.reduce((a, b) => a * b, 1);
    const net = await new ReduNet({ layers, eta, eps, lambda, shape, lift }).fit(
      rows(`${p}_x_train`, dim),
      arr(`${p}_y_train`).data as Int32Array,
    );
    if (lift) assert.deepEqual([...net.liftKernels!], [...f64(`${p}_kernels`)], 'lift kernels: numpy normal(0, 1) after seed(10)');
    assert.ok(maxDiff(net.fitted.features, f64(`${p}_z_train`)) < TOL, 'train features');
    assert.ok(maxDiff(flat(net.fitted.losses), f64(`${p}_loss_train`)) < TOL, 'train losses');
    const test = await net.passThrough(rows(`${p}_x_test`, dim));
    assert.ok(maxDiff(test.features, f64(`${p}_z_test`)) < TOL, 'test features');
    assert.ok(maxDiff(flat(test.losses), f64(`${p}_loss_test`)) < TOL, 'test losses');
    // The kept half spectrum of E and C_j against the official full-spectrum operators (C x C x spatial).
    const o = net.operators(0);
    const C = o.E.shape[1];
    const spatial = arr(`${p}_E0_re`).shape.slice(2);
    const W = spatial[spatial.length - 1];
    const H = spatial.length === 2 ? spatial[0] : 1;
    const half = Math.floor(W / 2) + 1;
    assert.equal(o.E.shape[0], H * half);
    const k = o.gam.length;
    let worst = 0;
    for (let j = -1; j < k; j++) {
      const mine = j < 0 ? o.E.data : o.Cs.data.subarray(j * H * half * C * C * 2);
      const re = j < 0 ? f64(`${p}_E0_re`) : f64(`${p}_Cs0_re`).subarray(j * C * C * H * W);
      const im = j < 0 ? f64(`${p}_E0_im`) : f64(`${p}_Cs0_im`).subarray(j * C * C * H * W);
      for (let b = 0; b < H * half; b++) {
        const [h, w] = [Math.floor(b / half), b % half];
        for (let a = 0; a < C * C; a++) {
          const ref = a * H * W + h * W + w;
          worst = Math.max(worst, Math.abs(mine[2 * (b * C * C + a)] - re[ref]), Math.abs(mine[2 * (b * C * C + a) + 1] - im[ref]));
        }
      }
    }
    assert.ok(worst < TOL, `operators: ${worst}`);
    assert.deepEqual([...o.gam], [...f64(`${p}_gam0`)]);
  });
}

test('shift invariance: features of a circularly shifted input are the shifted features (1-D and 2-D)', async () => {
  for (const { p, shape, lift } of SHIFT_CASES) {
    const dim = shape.reduce((a, b) => a * b, 1);
    const net = await new ReduNet({ layers: 4, shape, lift }).fit(rows(`${p}_x_train`, dim), arr(`${p}_y_train`).data as Int32Array);
    const x = rows(`${p}_x_test`, dim);
    const z = await net.transform(x);
    const outShape = [net.channels, ...shape.slice(1)];
    const shift = shape.length === 3 ? [2, -1] : [5];
    const zs = await net.transform({ ...x, features: roll(x.features, x.n, shape, shift) });
    assert.ok(maxDiff(zs.features, roll(z.features, z.n, outShape, shift)) < 1e-12, `${p}: shifted features`);
  }
});

test('lift kernels: the paper mnist1d.py kernels (20 x 15 x 5) equal numpy seed(10) normal(0, 1) bit for bit', () => {
  assert.deepEqual([...gaussianKernels([20, 15, 5])], [...f64('kernels_mnist1d')]);
  // logExact is the correctly rounded log that makes the normal draws numpy's.
  for (const x of [0.1, 0.5, 0.9999, 1e-300, 3])
    assert.ok(Math.abs(logExact(x) - Math.log(x)) <= 2 * Number.EPSILON * Math.abs(Math.log(x)));
});

test('data: generate_2d and generate_3d (data 1) from seed 10 bit for bit; shifts, filter_class, shuffle', () => {
  const r2 = new RandomState(10);
  const tr = gaussianMixture(2, 1, 0.1, 20, r2, true);
  const te = gaussianMixture(2, 1, 0.1, 20, r2, false);
  assert.deepEqual([...tr.features], [...f64('data2d_x_train')]);
  assert.deepEqual([...tr.labels], [...(arr('data2d_y_train').data as Int32Array)]);
  assert.deepEqual([...te.features], [...f64('data2d_x_test')]);
  const r3 = new RandomState(10);
  const tr3 = gaussianMixture(3, 1, 0.1, 15, r3, true);
  const te3 = gaussianMixture(3, 1, 0.1, 15, r3, false);
  assert.deepEqual([...tr3.features], [...f64('data3d_x_train')]);
  assert.deepEqual([...tr3.labels], [...(arr('data3d_y_train').data as Int32Array)]);
  assert.deepEqual([...te3.features], [...f64('data3d_x_test')]);
  assert.throws(() => gaussianMixture(2, 9, 0.1, 5, r2, false), /data 9 not found; choose one of 1, 2, 3, 4, 5, 6, 7, 8/);
  const t = translate(
    Float64Array.from({ length: 28 }, (_, i) => i),
    [0, 1],
    [2, 7],
    2,
    3,
  );
  assert.deepEqual([...t.features], [...f64('translate_x')]);
  assert.deepEqual([...t.labels], [...(arr('translate_y').data as Int32Array)]);
  const fc = filterClass(arr('filter_labels').data as Int32Array, [1, 3], 5);
  assert.deepEqual([...fc.labels], [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
  const order = shuffleIndex(fc.index.length);
  assert.deepEqual(
    Array.from(order, (i) => fc.index[i]),
    [...(arr('filter_shuffled_index').data as Int32Array)],
  );
  assert.deepEqual([...firstOfEach([2, 0, 2, 1, 0, 2], 2)], [1, 4, 3, 0, 2]);
});

test("scipy.ndimage.rotate (reshape=False, cubic spline) and convert2polar: scipy's uint8 pixels exactly", () => {
  const im = arr('polar_images');
  const n = im.shape[0];
  const px = im.data as Uint8Array;
  const angles = f64('rotate_angles');
  const want = arr('rotate_out').data as Uint8Array;
  let bad = 0;
  for (let a = 0; a < angles.length; a++)
    for (let i = 0; i < n; i++) {
      const r = rotateImage(px.subarray(i * 784, (i + 1) * 784), 28, 28, angles[a]);
      for (let t = 0; t < 784; t++) if (r[t] !== want[(a * n + i) * 784 + t]) bad++;
    }
  assert.equal(bad, 0, `${bad} rotated pixels differ from scipy's`);
  assert.deepEqual([...convert2polar(px, n, 28, 28, 15, 12)], [...(arr('polar_15x12').data as Uint8Array)]);
  assert.deepEqual([...convert2polar(px, n, 28, 28, 9, 7)], [...(arr('polar_9x7').data as Uint8Array)]);
});

test('FFT: orthonormal, any length; half spectra of real signals invert', () => {
  for (const n of [1, 2, 3, 5, 7, 12, 28, 49, 200]) {
    const rng = new RandomState(n);
    const x = rng.randn(2 * n);
    const y = x.slice();
    new FFT(n).transform(y);
    // the naive DFT
    let worst = 0;
    for (let k = 0; k < n; k++) {
      let re = 0;
      let im = 0;
      for (let t = 0; t < n; t++) {
        const a = (-2 * Math.PI * k * t) / n;
        re += x[2 * t] * Math.cos(a) - x[2 * t + 1] * Math.sin(a);
        im += x[2 * t] * Math.sin(a) + x[2 * t + 1] * Math.cos(a);
      }
      worst = Math.max(worst, Math.abs(re / Math.sqrt(n) - y[2 * k]), Math.abs(im / Math.sqrt(n) - y[2 * k + 1]));
    }
    assert.ok(worst < 1e-12, `n ${n}: ${worst}`);
    new FFT(n).transform(y, 0, 1, true);
    assert.ok(maxDiff(y, x) < 1e-13, `n ${n}: inverse`);
  }
  for (const spatial of [[16], [15], [6, 5], [28, 28]]) {
    const hs = halfSpectrum(spatial);
    const size = spatial.reduce((a, b) => a * b, 1);
    assert.equal(
      hs.weights.reduce((a, b) => a + b, 0),
      size,
    );
    const x = new RandomState(1).randn(3 * 2 * size);
    const back = realSignals(realSpectra(x, 3, 2, hs), 3, 2, hs);
    assert.ok(maxDiff(back, x) < 1e-13, `[${spatial}]`);
  }
});

test('save and load: the same network (F64 safetensors, options kept); bad options and inputs are named', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-redunet-'));
  for (const { p, shape, lift } of [{ p: 'vec3', shape: undefined, lift: undefined }, ...SHIFT_CASES]) {
    const dim = shape ? shape.reduce((a, b) => a * b, 1) : 3;
    const net = await new ReduNet({ layers: 3, shape, lift, lambda: 50 }).fit(
      rows(`${p}_x_train`, dim),
      arr(`${p}_y_train`).data as Int32Array,
    );
    const file = path.join(dir, `${p}.safetensors`);
    net.save(file);
    const back = ReduNet.load(file);
    assert.equal(back.options.lambda, 50);
    assert.equal(back.layerCount, 3);
    const x = rows(`${p}_x_test`, dim);
    assert.deepEqual([...(await back.transform(x)).features], [...(await net.transform(x)).features]);
    const raw = fs.readFileSync(file);
    const header = JSON.parse(raw.subarray(8, 8 + Number(raw.readBigUInt64LE(0))).toString());
    assert.equal(header['layers.0.E'].dtype, 'F64');
  }
  assert.throws(() => new ReduNet({ eps: 0 }), /eps must be a number > 0, got 0/);
  assert.throws(() => new ReduNet({ layer: 3 } as never), /unknown ReduNet option layer; known: layers/);
  assert.throws(() => new ReduNet({ shape: [3] }), /shape must be \[channels, time\] or \[channels, height, width\]/);
  assert.throws(() => new ReduNet({ lift: { outChannels: 2, kernelSize: 3 } }), /lift needs shape/);
  const net = new ReduNet({ layers: 2 });
  await assert.rejects(net.transform([[1, 0]]), /not available before fit/);
  await net.fit(
    [
      [1, 0],
      [0, 1],
      [1, 0.1],
    ],
    [0, 1, 0],
  );
  await assert.rejects(net.transform([[1, 0, 0]]), /features are 3-dimensional, expected 2/);
  await assert.rejects(
    new ReduNet({ numClasses: 3 }).fit(
      [
        [1, 0],
        [0, 1],
      ],
      [0, 1],
    ),
    /class 2 has no rows in the construction set/,
  );
});
