// The flag ↔ option table (lib/cli/flags.ts) is the one place the CLI's names meet the library's:
// every option has its flag, flags are the params.json keys, errors are rewritten to flags, and the
// flag tables of docs/cli.md are the table's.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FLAG_TABLES, flagNamer, flagSpecs, optionsFromFlags, TRAIN_SELFSUP_FLAGS, TRAIN_SUP_FLAGS } from '../lib/cli/flags.js';
import { parseFlags } from '../lib/cli/args.js';
import { SELFSUP_DEFAULTS, SELFSUP_PARAM_KEYS } from '../lib/train/selfsup.js';
import { SUPERVISED_DEFAULTS, SUPERVISED_PARAM_KEYS } from '../lib/train/supervised.js';
import { withFlagTables } from '../scripts/cli-doc-flags.js';
import { ROOT } from './helpers.js';

test('every training option has one flag, named as its params.json key', () => {
  const cases = [
    [TRAIN_SUP_FLAGS, SUPERVISED_DEFAULTS, SUPERVISED_PARAM_KEYS],
    [TRAIN_SELFSUP_FLAGS, SELFSUP_DEFAULTS, SELFSUP_PARAM_KEYS],
  ] as const;
  for (const [table, defaults, keys] of cases) {
    const options = table.map((r) => r.option).filter((o) => o !== undefined);
    assert.deepEqual([...options].sort(), Object.keys(defaults).sort());
    for (const r of table) {
      const key = (keys as Record<string, string>)[r.option!];
      assert.equal(r.flag, r.negate ? `no_${key}` : key, `--${r.flag}`);
      const d = (defaults as Record<string, unknown>)[r.option!];
      if (r.type !== 'bool') assert.deepEqual(r.default, d === null ? undefined : d, `--${r.flag} default`);
    }
  }
});

test('parsed flags become camelCase options; option errors are shown as flags', () => {
  const o = optionsFromFlags(
    TRAIN_SUP_FLAGS,
    parseFlags(['--epo', '3', '--bs=50', '--no_shuffle', '--lcr', '0.2'], flagSpecs(TRAIN_SUP_FLAGS)),
  );
  assert.equal(o.epochs, 3);
  assert.equal(o.batchSize, 50);
  assert.equal(o.shuffle, false);
  assert.equal(o.corruptRatio, 0.2);
  assert.equal(o.saveDir, './saved_models/');
  assert.equal('dataDir' in o, false, 'no flag, no default: the library decides');
  assert.equal(optionsFromFlags(TRAIN_SUP_FLAGS, parseFlags([], flagSpecs(TRAIN_SUP_FLAGS))).shuffle, undefined);
  const name = flagNamer(TRAIN_SUP_FLAGS);
  assert.deepEqual(['batchSize', 'shuffle', 'featureDim', 'corruptRatio', 'other'].map(name), [
    '--bs',
    '--no_shuffle',
    '--fd',
    '--lcr',
    'other',
  ]);
  const r = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'lib', 'cli', 'main.js'), 'train-sup', '--bs', '0'], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^mcr2 train-sup: error: --bs must be a positive integer, got 0$/m);
  assert.equal(r.stdout, '', 'checked before the backend starts');
});

test("the flag tables of docs/cli.md are lib/cli/flags.ts's (node dist/scripts/cli-doc-flags.js rewrites them)", () => {
  const page = fs.readFileSync(path.join(ROOT, 'docs', 'cli.md'), 'utf8');
  for (const cmd of ['train-sup', 'train-selfsup']) assert.ok(page.includes(`<!-- flags:${cmd} -->`), `docs/cli.md has the ${cmd} table`);
  assert.ok(Object.keys(FLAG_TABLES).includes('train-sup'));
  assert.equal(withFlagTables(page), page, 'run node dist/scripts/cli-doc-flags.js after changing lib/cli/flags.ts');
});
