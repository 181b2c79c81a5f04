// argparse's prefix rule (allow_abbrev=True, what the official scripts get): a unique prefix is its
// flag, an exact name wins over the longer flags it begins, an ambiguous prefix is refused with one
// line naming the candidates. Through the parser and through the built CLI.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseFlags, resolveFlag, UsageError } from '../lib/cli/args.js';
import { flagSpecs, TRAIN_SUP_FLAGS } from '../lib/cli/flags.js';
import { ROOT } from './helpers.js';

const CLI = path.join(ROOT, 'dist', 'lib', 'cli', 'main.js');
const SUP = flagSpecs(TRAIN_SUP_FLAGS);

test('a unique prefix is its flag; an exact name wins; an ambiguous or unknown one is refused', () => {
  assert.equal(resolveFlag('ar', SUP), 'arch');
  assert.equal(resolveFlag('save_d', SUP), 'save_dir');
  assert.equal(resolveFlag('epo', SUP), 'epo'); // exact, though --epo is no one's prefix but its own
  assert.equal(resolveFlag('data', SUP), 'data'); // exact wins over --data_dir
  assert.equal(resolveFlag('data_', SUP), 'data_dir');
  assert.throws(
    () => resolveFlag('ep', SUP),
    (e: Error) => e instanceof UsageError && e.message === 'ambiguous flag --ep: could be --epo or --eps',
  );
  assert.throws(() => resolveFlag('pretrain', SUP), /ambiguous flag --pretrain: could be --pretrain_dir or --pretrain_epo$/);
  assert.throws(() => resolveFlag('g', SUP), /ambiguous flag --g: could be --gam1 or --gam2$/);
  assert.throws(() => resolveFlag('epochs', SUP), /unknown flag --epochs; this command takes: --arch/);
  assert.throws(() => resolveFlag('', SUP), /unknown flag --;/);
  const v = parseFlags(['--ar', 'cnn-small', '--sub=100', '--epo', '1', '--save_d', 'D', '--no_sh', '--mile', '2,3'], SUP);
  assert.equal(v.arch, 'cnn-small');
  assert.equal(v.subset, 100);
  assert.equal(v.epo, 1);
  assert.equal(v.save_dir, 'D');
  assert.equal(v.no_shuffle, true);
  assert.deepEqual(v.milestones, [2, 3]);
});

test('mcr2 train-sup takes abbreviated flags as argparse does and refuses --ep naming --epo and --eps', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-abbrev-'));
  // The command as typed (with --data mnist: the default data, CIFAR-10, is not in CI's tree):
  // the default batch (1000) is larger than --sub 100, so the run takes
  // one batch of all 100 images a step and says so (the official DataLoader's drop_last would train
  // zero steps).
  const ok = spawnSync(
    process.execPath,
    [CLI, 'train-sup', '--ar', 'cnn-small', '--data', 'mnist', '--sub', '100', '--epo', '1', '--save_d', tmp, '--work', '0'],
    { encoding: 'utf8' },
  );
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout + ok.stderr, /batch size 1000 is larger than the training set: one batch of all 100 images a step/);
  const runs = fs.readdirSync(tmp);
  assert.deepEqual(runs, ['sup_cnn-small+128_mnist_epo1_bs1000_lr0.001_mom0.9_wd0.0005_gam11.0_gam21.0_eps0.5_lcr0.0']);
  const params = JSON.parse(fs.readFileSync(path.join(tmp, runs[0], 'params.json'), 'utf8'));
  assert.equal(params.arch, 'cnn-small');
  assert.equal(params.bs, 1000);
  assert.equal(params.batch_size_used, 100);
  assert.equal(
    fs
      .readFileSync(path.join(tmp, runs[0], 'losses.csv'), 'utf8')
      .trim()
      .split('\n').length,
    1 + 1,
    'a header and 1 step',
  );
  const bad = spawnSync(process.execPath, [CLI, 'train-sup', '--ar', 'cnn-small', '--ep', '1'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.equal(bad.stderr.split('\n')[0], 'mcr2 train-sup: ambiguous flag --ep: could be --epo or --eps');
  fs.rmSync(tmp, { recursive: true, force: true });
});
