import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { pyFloat } from '../lib/io/pyformat.js';
import { SUPERVISED_DEFAULTS, supervisedRunName } from '../lib/train/supervised.js';

test('pyFloat formats as Python str(float)', () => {
  const cases: Array<[number, string]> = [
    [5e-4, '0.0005'],
    [1, '1.0'],
    [1e-5, '1e-05'],
    [0.5, '0.5'],
    [0.01, '0.01'],
    [0, '0.0'],
    [10, '10.0'],
    [0.0001, '0.0001'],
    [1.5e-7, '1.5e-07'],
    [123.456, '123.456'],
    [1e16, '1e+16'],
    [1e15, '1000000000000000.0'],
    [-0.25, '-0.25'],
    [0.1 + 0.2, '0.30000000000000004'],
  ];
  for (const [x, want] of cases) assert.equal(pyFloat(x), want, `pyFloat(${x})`);
});

test('run folder named as the official code names it', () => {
  const c = {
    ...SUPERVISED_DEFAULTS,
    arch: 'resnet18',
    featureDim: 128,
    data: 'cifar10',
    epochs: 500,
    batchSize: 1000,
    lr: 0.01,
    momentum: 0.9,
    weightDecay: 5e-4,
    gam1: 1,
    gam2: 1,
    eps: 0.5,
    corruptRatio: 0,
    tail: '',
  };
  assert.equal(supervisedRunName(c), 'sup_resnet18+128_cifar10_epo500_bs1000_lr0.01_mom0.9_wd0.0005_gam11.0_gam21.0_eps0.5_lcr0.0');
  assert.equal(supervisedRunName({ ...c, corruptRatio: 0.2, tail: '_x' }).endsWith('_lcr0.2_x'), true);
});
