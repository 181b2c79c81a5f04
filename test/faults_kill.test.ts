// Promise 1, an interrupted run loses nothing: kill -9 at many seeded points of train-sup and
// train-selfsup, the same command again, and the finished folder is the uninterrupted run's, bit for
// bit (--workers 0). Full tier (npm run test:all): some 5 minutes of training on 2 cores. The rest
// of promise 1 is test/faults.test.ts; scripts/faults.ts runs the same with many more kill points.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { killChain, lossRowKeys, SELFSUP, SELFSUP_NAME, SUP, SUP_NAME } from './fault_harness.js';

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
