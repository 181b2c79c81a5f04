import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createModel } from '../lib/models/index.js';
import { batchNormTrain } from '../lib/models/batchnorm.js';
import { decodeSafetensors, encodeSafetensors, loadTensors, saveTensors } from '../lib/io/safetensors.js';
import { initBackendFor, maxRelErr, tf } from './helpers.js';

test('cnn-small: 855,232 trainable parameters, unit-norm 128-d features', async () => {
  await initBackendFor('wasm');
  const m = createModel('cnn-small', 128, { seed: 3 });
  assert.equal(m.numParameters(), 855232);
  const z = m.forward(tf.randomUniform([4, 28, 28, 1], 0, 1, 'float32', 1));
  assert.deepEqual(z.shape, [4, 128]);
  const norms = tf.norm(z, 2, 1).dataSync();
  for (const n of norms) assert.ok(Math.abs(n - 1) < 1e-5);
  const names = m.stateDict().map(([n]) => n);
  assert.ok(names.includes('features.0.weight') && names.includes('features.1.running_var') && names.includes('reshape.3.bias'));
  assert.throws(() => createModel('resnet9000', 128), /unknown --arch 'resnet9000'/);
  assert.throws(() => createModel('cnn-small', 0), /--fd must be a positive integer/);
  m.dispose();
});

test('same seed, same weights; PyTorch default init bounds', async () => {
  await initBackendFor('wasm');
  const a = createModel('cnn-small', 16, { seed: 5 });
  const b = createModel('cnn-small', 16, { seed: 5 });
  const wa = a.namedParameters()[0][1].dataSync();
  assert.deepEqual([...wa], [...b.namedParameters()[0][1].dataSync()]);
  // conv1: fan_in 9 → U(−1/3, 1/3)
  assert.ok(Math.max(...wa.map(Math.abs)) <= 1 / 3 && Math.max(...wa.map(Math.abs)) > 0.3);
  a.dispose();
  b.dispose();
});

test('batch norm: hand-written backward equals autodiff of the textbook formula', async () => {
  for (const backend of ['wasm', 'cpu']) {
    await initBackendFor(backend);
    for (const shape of [
      [6, 5, 4, 3],
      [9, 7],
    ]) {
      const x = tf.randomNormal(shape, 1, 2, 'float32', 4);
      const c = shape[shape.length - 1];
      const g = tf.randomNormal([c], 1, 0.3, 'float32', 5);
      const b = tf.randomNormal([c], 0, 0.3, 'float32', 6);
      const w = tf.randomNormal(shape, 0, 1, 'float32', 7);
      const axes = shape.slice(0, -1).map((_, i) => i);
      const ref = (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => {
        const { mean, variance } = tf.moments(xx, axes);
        return tf.sum(tf.mul(w, tf.add(tf.mul(tf.div(tf.sub(xx, mean), tf.sqrt(tf.add(variance, 1e-5))), gg), bb)));
      };
      const mine = (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => {
        const o = batchNormTrain(xx, gg, bb, 1e-5);
        tf.dispose([o.mean, o.variance]);
        return tf.sum(tf.mul(w, o.y));
      };
      const gr = tf.grads(ref)([x, g, b]);
      const gm = tf.grads(mine)([x, g, b]);
      for (let i = 0; i < 3; i++) {
        const e = maxRelErr(gm[i].dataSync(), gr[i].dataSync());
        assert.ok(e < 1e-4, `${backend} ${shape} grad ${i}: ${e}`);
      }
    }
  }
  await initBackendFor('wasm');
});

test('checkpoints: safetensors round trip; corrupt and mismatched files are refused by name', async () => {
  await initBackendFor('wasm');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-ck-'));
  const m = createModel('cnn-small', 32, { seed: 1 });
  const file = path.join(dir, 'model-epoch0.safetensors');
  saveTensors(file, m.stateDict(), { epoch: '0' });
  const { tensors, metadata } = loadTensors(file);
  assert.equal(metadata.epoch, '0');
  const m2 = createModel('cnn-small', 32, { seed: 2 });
  m2.loadStateDict(tensors, file);
  const x = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 3);
  assert.deepEqual([...m.eval().forward(x).dataSync()], [...m2.eval().forward(x).dataSync()]);
  // Header layout: 8-byte length, JSON, data 8-byte aligned, readable by the Python safetensors package.
  const raw = fs.readFileSync(file);
  const hlen = Number(raw.readBigUInt64LE(0));
  assert.equal((8 + hlen) % 8, 0);
  assert.equal(JSON.parse(raw.subarray(8, 8 + hlen).toString()).__metadata__.epoch, '0');
  fs.writeFileSync(path.join(dir, 'cut.safetensors'), raw.subarray(0, raw.length - 100));
  assert.throws(() => loadTensors(path.join(dir, 'cut.safetensors')), /cut\.safetensors: not a valid checkpoint \(.*truncated/);
  fs.writeFileSync(path.join(dir, 'junk.safetensors'), 'hello world, not a checkpoint');
  assert.throws(() => loadTensors(path.join(dir, 'junk.safetensors')), /junk\.safetensors: not a valid checkpoint/);
  assert.throws(() => loadTensors(path.join(dir, 'missing.safetensors')), /checkpoint not found/);
  const other = createModel('cnn-small', 64, { seed: 1 });
  assert.throws(() => other.loadStateDict(tensors, file), /reshape\.3\.weight has shape \[256,32\] but the model expects \[256,64\]/);
  const enc = encodeSafetensors(new Map([['a', { shape: [2], data: Float32Array.from([1, 2]) }]]));
  assert.deepEqual([...decodeSafetensors(enc, 'mem').tensors.get('a')!.data], [1, 2]);
  [m, m2, other].forEach((mm) => mm.dispose());
});
