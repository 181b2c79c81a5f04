// Data-parallel training over worker threads computes the same step as one thread running the
// two batch slices (batch norm per slice), and whole training runs with it are deterministic.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MaximalCodingRateReduction } from '../lib/loss/mcr2.js';
import { createModel } from '../lib/models/index.js';
import { gradsByName, LocalEngine } from '../lib/train/engine.js';
import { ParallelEngine } from '../lib/train/parallel.js';
import { SGD } from '../lib/train/sgd.js';
import { trainSupervised } from '../lib/train/run.js';
import { RandomState } from '../lib/math/random.js';
import { initBackendFor, maxRelErr, tf } from './helpers.js';

test('one data-parallel step (1 worker) equals the same step computed in one thread', async () => {
  await initBackendFor('wasm');
  const n = 40;
  const r = new RandomState(3);
  const x = Float32Array.from(r.random(n * 28 * 28), (v) => v);
  const y = r.randint(0, 10, n);
  const loss = new MaximalCodingRateReduction({ eps: 0.5 });
  const opts = { lr: 0.1, momentum: 0.9, weightDecay: 5e-4 };

  const ref = createModel('cnn-small', 16, { seed: 11 });
  const refOpt = new SGD(ref.namedParameters(), opts);
  const xa = tf.tensor4d(x.subarray(0, 20 * 784), [20, 28, 28, 1]);
  const xb = tf.tensor4d(x.subarray(20 * 784), [20, 28, 28, 1]);
  const { value, grads } = tf.variableGrads(
    () => loss.forward(tf.concat([ref.forward(xa), ref.forward(xb)]), y, 10).value,
    ref.parameters(),
  );
  refOpt.step(gradsByName(ref, grads));
  const refTotal = value.dataSync()[0];

  const par = createModel('cnn-small', 16, { seed: 11 });
  const parOpt = new SGD(par.namedParameters(), opts);
  const engine = await ParallelEngine.create(par, parOpt, loss, {
    arch: 'cnn-small',
    fd: 16,
    seed: 11,
    inputShape: [28, 28, 1],
    backend: 'wasm',
    workers: 1,
    maxBatch: n,
  });
  try {
    const out = engine.step(x, [n, 28, 28, 1], y, 10);
    assert.ok(Math.abs(out.total - refTotal) < 1e-4 * Math.abs(refTotal), `loss ${out.total} vs ${refTotal}`);
    const a = ref.namedParameters();
    const b = par.namedParameters();
    for (let i = 0; i < a.length; i++) {
      const e = maxRelErr(b[i][1].dataSync(), a[i][1].dataSync());
      assert.ok(e < 1e-4, `${a[i][0]} after the step: rel err ${e}`);
    }
  } finally {
    await engine.dispose();
  }
});

/** Parameters after one SGD step where batch-norm statistics are taken per chunk of `chunk` rows, computed with autodiff at once. */
function referenceStep(x: Float32Array, y: Int32Array, n: number, chunk: number) {
  const loss = new MaximalCodingRateReduction({ eps: 0.5 });
  const ref = createModel('cnn-small', 16, { seed: 11 });
  const opt = new SGD(ref.namedParameters(), { lr: 0.1, momentum: 0.9, weightDecay: 5e-4 });
  const parts = Array.from({ length: n / chunk }, (_, i) =>
    tf.tensor4d(x.subarray(i * chunk * 784, (i + 1) * chunk * 784), [chunk, 28, 28, 1]),
  );
  const { value, grads } = tf.variableGrads(() => loss.forward(tf.concat(parts.map((p) => ref.forward(p))), y, 10).value, ref.parameters());
  opt.step(gradsByName(ref, grads));
  return { total: value.dataSync()[0], params: ref.namedParameters() };
}

test('chunked steps (bounded memory) equal the step on the same chunks at once, in one thread and with workers', async () => {
  await initBackendFor('wasm');
  const n = 40;
  const r = new RandomState(5);
  const x = Float32Array.from(r.random(n * 784));
  const y = r.randint(0, 10, n);
  const loss = new MaximalCodingRateReduction({ eps: 0.5 });
  const opts = { lr: 0.1, momentum: 0.9, weightDecay: 5e-4 };
  for (const [workers, chunk] of [
    [0, 10],
    [1, 10],
  ]) {
    const ref = referenceStep(x, y, n, chunk);
    const m = createModel('cnn-small', 16, { seed: 11 });
    const opt = new SGD(m.namedParameters(), opts);
    const engine =
      workers === 0
        ? new LocalEngine(m, opt, loss, chunk)
        : await ParallelEngine.create(m, opt, loss, {
            arch: 'cnn-small',
            fd: 16,
            seed: 11,
            inputShape: [28, 28, 1],
            backend: 'wasm',
            workers,
            maxBatch: n,
            chunk,
          });
    try {
      const out = engine.step(x, [n, 28, 28, 1], y, 10);
      assert.ok(Math.abs(out.total - ref.total) < 1e-4 * Math.abs(ref.total), `workers ${workers}: loss ${out.total} vs ${ref.total}`);
      const b = m.namedParameters();
      ref.params.forEach(([name, v], i) => {
        const e = maxRelErr(b[i][1].dataSync(), v.dataSync());
        assert.ok(e < 1e-4, `workers ${workers}, ${name}: rel err ${e}`);
      });
    } finally {
      await engine.dispose();
    }
  }
});

test('worker failures surface in the training thread, with the cause', async () => {
  await initBackendFor('wasm');
  const m = createModel('cnn-small', 8, { seed: 1 });
  const loss = new MaximalCodingRateReduction({ eps: 0.5 });
  const opt = new SGD(m.namedParameters(), { lr: 0.1 });
  await assert.rejects(
    ParallelEngine.create(m, opt, loss, {
      arch: 'no-such-arch',
      fd: 8,
      seed: 1,
      inputShape: [28, 28, 1],
      backend: 'wasm',
      workers: 1,
      maxBatch: 8,
    }),
    /training worker 0 failed to start: .*unknown --arch 'no-such-arch'/,
  );
  const engine = await ParallelEngine.create(m, opt, loss, {
    arch: 'cnn-small',
    fd: 8,
    seed: 1,
    inputShape: [28, 28, 1],
    backend: 'wasm',
    workers: 1,
    maxBatch: 8,
  });
  try {
    assert.throws(
      () => engine.step(new Float32Array(8 * 400), [8, 20, 20, 1], Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7]), 10),
      /images are 20x20x1 but the workers were set up for 28x28x1/,
    );
    assert.throws(
      () => engine.step(new Float32Array(16 * 784), [16, 28, 28, 1], new Int32Array(16), 10),
      /batch of 16 is larger than the 8 the workers were set up for/,
    );
  } finally {
    await engine.dispose();
  }
});

test('training with a worker thread is deterministic and learns', async () => {
  await initBackendFor('wasm');
  const runs = [];
  for (let i = 0; i < 2; i++) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-par-'));
    const r = await trainSupervised(
      {
        arch: 'cnn-small',
        data: 'mnist',
        featureDim: 16,
        epochs: 2,
        batchSize: 100,
        lr: 0.05,
        transform: 'test',
        milestones: [],
        subset: 300,
        workers: 1,
        saveDir: dir,
        dataDir: dir,
      },
      { log: () => {}, progress: false },
    );
    r.model.dispose();
    runs.push(fs.readFileSync(path.join(r.runDir, 'losses.csv'), 'utf8'));
  }
  assert.equal(runs[0], runs[1]);
  const rows = runs[0]
    .split('\n')
    .slice(1)
    .map((l) => Number(l.split(',')[2]));
  assert.equal(rows.length, 6);
  assert.ok(rows[5] < rows[0], `loss ${rows[0]} → ${rows[5]}`);
});
