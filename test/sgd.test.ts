import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { fixture, initBackendFor, tf } from './helpers.js';
import { multiStepLR, SGD } from '../lib/train/sgd.js';

test('SGD with momentum and weight decay + MultiStepLR reproduce torch.optim', async () => {
  await initBackendFor('wasm');
  const f = JSON.parse(fs.readFileSync(fixture('torch_sgd.json'), 'utf8'));
  const p = tf.variable(tf.tensor1d(f.p0));
  const opt = new SGD([['p', p]], { lr: f.lr, momentum: f.momentum, weightDecay: f.weight_decay });
  f.steps.forEach((s: { epoch: number; lr: number; p: number[] }, i: number) => {
    opt.lr = multiStepLR(f.lr, f.milestones, s.epoch);
    assert.ok(Math.abs(opt.lr - s.lr) < 1e-12, `lr at epoch ${s.epoch}`);
    opt.step(new Map([['p', tf.tensor1d(f.grads[i])]]));
    const got = p.dataSync();
    s.p.forEach((v, j) => assert.ok(Math.abs(got[j] - v) < 1e-5, `step ${i} p[${j}] ${got[j]} vs ${v}`));
  });
});

test('SGD rejects bad hyperparameters and foreign state', async () => {
  await initBackendFor('wasm');
  const p = tf.variable(tf.zeros([2]));
  assert.throws(() => new SGD([['p', p]], { lr: -1 }), /lr must be/);
  assert.throws(() => new SGD([['p', p]], { lr: 0.1, momentum: NaN }), /momentum/);
  const opt = new SGD([['p', p]], { lr: 0.1, momentum: 0.9 });
  assert.throws(() => opt.loadState(new Map([['q', { shape: [2], data: new Float32Array(2) }]])), /'q'/);
  assert.throws(() => opt.loadState(new Map([['p', { shape: [3], data: new Float32Array(3) }]])), /shape/);
});
