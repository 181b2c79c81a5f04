// Promise 1, an interrupted run loses nothing: kill -9 at many seeded points of train-sup and
// train-selfsup, the same command again, and the finished folder is the uninterrupted run's, bit for
// bit (--workers 0). Also: a full disk mid-checkpoint, two processes on one folder, a NaN loss.
// scripts/faults.ts runs the same with many more kill points (npm run faults).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadTensors } from '../lib/train/checkpoint.js';
import { killChain, launch, lossRowKeys } from './fault_harness.js';

export const SUP = ['train-sup', '--subset', '200', '--bs', '50', '--arch', 'cnn-small', '--data', 'mnist', '--fd', '16', '--epo', '3'];
SUP.push('--workers', '0', '--transform', 'test', '--lr', '0.05', '--milestones', '2');
export const SUP_NAME = 'sup_cnn-small+16_mnist_epo3_bs50_lr0.05_mom0.9_wd0.0005_gam11.0_gam21.0_eps0.5_lcr0.0';
export const SELFSUP = ['train-selfsup', '--arch', 'cnn-small', '--data', 'mnist', '--fd', '16', '--transform', 'mnist', '--bs', '20'];
SELFSUP.push('--aug', '4', '--subset', '20', '--epo', '2', '--lr', '0.01', '--workers', '0');
export const SELFSUP_NAME = 'selfsup_cnn-small+16_mnist_epo2_bs20_aug4+mnist_lr0.01_mom0.9_wd0.0005_gam11.0_gam210.0_eps2.0';

const tmp = (p: string) => fs.mkdtempSync(path.join(os.tmpdir(), p));

// The two commands' kill chains run side by side (two cores).
test('killed with SIGKILL at 20+ seeded points each, run again each time: train-sup and train-selfsup end identical to uninterrupted runs', {
  concurrency: 2,
}, async (t) => {
  const chain = (what: string, args: string[], name: string, seed: number) =>
    t.test(what, async () => {
      const r = await killChain(args, name, { named: 18, timed: 6, seed });
      const detail = `${r.diffs.join('\n')}\n${r.log.join('\n')}`;
      assert.ok(r.kills >= 20, `only ${r.kills} kills\n${detail}`);
      assert.deepEqual(r.diffs, [], detail);
      const keys = lossRowKeys(path.join(r.interrupted, 'losses.csv'));
      assert.equal(new Set(keys).size, keys.length, 'no row repeated');
      assert.deepEqual(keys, lossRowKeys(path.join(r.reference, 'losses.csv')), 'no row lost');
      t.diagnostic(
        `${what}: ${r.kills} kills (${r.namedKills} at named points of ${r.labels}, ${r.timedKills} at random moments), ${r.launches} launches`,
      );
    });
  await Promise.all([chain('train-sup', SUP, SUP_NAME, 1), chain('train-selfsup', SELFSUP, SELFSUP_NAME, 2)]);
});
