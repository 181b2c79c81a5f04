// The option specs (lib/options/spec.ts) are the one place the CLI's names meet the library's:
// every training option has its flag, flags are the params.json keys, flags may be abbreviated
// (argparse's allow_abbrev), errors are rewritten to flags, and the flag tables of docs/cli.md are
// the specs'.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { COMMAND_SPECS } from '../lib/cli/main.js';
import { parseArgs, UsageError } from '../lib/options/flags.js';
import { cliName, flagNamer, identityKeys, toParams } from '../lib/options/spec.js';
import { SELFSUP_DEFAULTS, SELFSUP_SPEC } from '../lib/train/selfsup.js';
import { resolveSupervised, SUPERVISED_DEFAULTS, SUPERVISED_SPEC } from '../lib/train/supervised.js';
import { withFlagTables } from '../scripts/cli-doc-flags.js';
import { ROOT } from './helpers.js';

const CLI = path.join(ROOT, 'dist', 'lib', 'cli', 'main.js');

test('every training option has one flag, named as its params.json key', () => {
  for (const [spec, defaults] of [
    [SUPERVISED_SPEC, SUPERVISED_DEFAULTS],
    [SELFSUP_SPEC, SELFSUP_DEFAULTS],
  ] as const) {
    assert.deepEqual(Object.keys(spec).sort(), Object.keys(defaults).sort());
    const params = toParams(spec, { ...defaults });
    for (const [k, r] of Object.entries(spec)) {
      assert.ok(r.flag !== undefined, `${k} has a flag`);
      assert.ok(r.flag in params, `--${r.flag} is a params.json key`);
      assert.equal(cliName(r), r.negate ? `no_${r.flag}` : r.flag);
    }
  }
  // Which options say which run folder it is: the official arguments that name it, and mcr2-ts's own.
  assert.deepEqual(identityKeys(SUPERVISED_SPEC).sort(), [
    'arch',
    'bs',
    'corrupt',
    'data',
    'epo',
    'eps',
    'fd',
    'gam1',
    'gam2',
    'lcr',
    'lcs',
    'loss',
    'lr',
    'milestones',
    'mom',
    'seed',
    'shuffle',
    'subset',
    'transform',
    'wd',
  ]);
});

test('parsed flags become camelCase options; option errors are shown as flags', () => {
  const o = parseArgs(['--epo', '3', '--bs=50', '--no_shuffle', '--lcr', '0.2'], SUPERVISED_SPEC);
  assert.equal(o.epochs, 3);
  assert.equal(o.batchSize, 50);
  assert.equal(o.shuffle, false);
  assert.equal(o.corruptRatio, 0.2);
  assert.equal('saveDir' in o, false, 'not given: the library default applies');
  assert.equal(resolveSupervised(o).saveDir, './saved_models/');
  assert.equal(parseArgs([], SUPERVISED_SPEC).shuffle, undefined);
  assert.equal(parseArgs(['--shuffle'], SELFSUP_SPEC).shuffle, true);
  const name = flagNamer(SUPERVISED_SPEC);
  assert.deepEqual(['batchSize', 'shuffle', 'featureDim', 'corruptRatio', 'other'].map(name), [
    '--bs',
    '--no_shuffle',
    '--fd',
    '--lcr',
    'other',
  ]);
  const r = spawnSync(process.execPath, [CLI, 'train-sup', '--bs', '0'], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^mcr2 train-sup: error: --bs must be a positive integer, got 0$/m);
  assert.equal(r.stdout, '', 'checked before the backend starts');
});

test('flags may be abbreviated to a unique prefix (argparse allow_abbrev): exact names win, ambiguous ones are refused', () => {
  const o = parseArgs(['--ar', 'cnn-small', '--sub', '100', '--epo', '1', '--save_d', 'D', '--no_sh', '--mile=1,2'], SUPERVISED_SPEC);
  assert.deepEqual([o.arch, o.subset, o.epochs, o.saveDir, o.shuffle, o.milestones], ['cnn-small', 100, 1, 'D', false, [1, 2]]);
  // `--data` is a flag and a prefix of `--data_dir`: the exact name wins.
  assert.equal(parseArgs(['--data', 'mnist'], SUPERVISED_SPEC).data, 'mnist');
  assert.throws(() => parseArgs(['--dat', 'mnist'], SUPERVISED_SPEC), /ambiguous flag --dat: could be --data or --data_dir/);
  assert.throws(
    () => parseArgs(['--ep', '1'], SUPERVISED_SPEC),
    (e: Error) => {
      assert.ok(e instanceof UsageError);
      assert.match(e.message, /^ambiguous flag --ep: could be --epo or --eps$/);
      return true;
    },
  );
  assert.throws(() => parseArgs(['--epochs', '3'], SUPERVISED_SPEC), /unknown flag --epochs; this command takes: --arch/);
  // The CLI: a short run with abbreviated flags trains; an ambiguous one is a usage error naming the candidates.
  const save = fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-abbrev-'));
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-empty-'));
  const ok = spawnSync(
    process.execPath,
    [CLI, 'train-sup', '--ar', 'cnn-small', '--data', 'mnist', '--sub', '100', '--epo', '1', '--bs', '50', '--work', '0', '--save_d', save],
    { encoding: 'utf8', env: { ...process.env, MCR2_BACKEND: 'wasm', MCR2_DATA_DIR: empty } },
  );
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /done: 1 epochs/);
  assert.equal(fs.readdirSync(save).length, 1, 'one run folder');
  const bad = spawnSync(process.execPath, [CLI, 'train-sup', '--ep', '1'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /mcr2 train-sup: ambiguous flag --ep: could be --epo or --eps/);
});

test("the flag tables of docs/cli.md are the commands' specs (node dist/scripts/cli-doc-flags.js rewrites them)", () => {
  const page = fs.readFileSync(path.join(ROOT, 'docs', 'cli.md'), 'utf8');
  for (const cmd of ['train-sup', 'train-selfsup', 'export'])
    assert.ok(page.includes(`<!-- flags:${cmd} -->`), `docs/cli.md has the ${cmd} table`);
  assert.ok(Object.keys(COMMAND_SPECS).includes('train-sup'));
  assert.equal(withFlagTables(page), page, 'run node dist/scripts/cli-doc-flags.js after changing an option spec');
});
