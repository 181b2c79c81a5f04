// Promise 3, bad input from a person gets a clear message: each case through the real CLI
// (node dist/lib/cli/main.js): a non-zero exit, one or two lines naming the problem, no stack trace
// unless --debug (or MCR2_DEBUG). BAD_INPUTS is counted in the README's Reliability table.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodeCifarRecords } from '../lib/data/cifar.js';
import { encodeIdx } from '../lib/data/idx.js';
import { writeNpz } from '../lib/io/npz.js';
import { CLI } from './fault_harness.js';

const cli = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, MCR2_DEBUG: '', ...env } });

interface BadInput {
  what: string;
  args: string[];
  code: number;
  message: RegExp;
}

const tmp = (p: string) => fs.mkdtempSync(path.join(os.tmpdir(), p));

/** Flags and values: usage errors (exit 2), caught before any data is read. */
const FLAG_CASES: BadInput[] = [
  { what: 'unknown flag', args: ['train-sup', '--epochs', '3'], code: 2, message: /unknown flag --epochs; this command takes: --arch/ },
  { what: 'unknown command', args: ['frobnicate'], code: 2, message: /unknown command 'frobnicate'/ },
  { what: 'a bare argument', args: ['train-sup', 'mnist'], code: 2, message: /unexpected argument 'mnist' \(flags start with --\)/ },
  { what: 'a flag without its value', args: ['train-sup', '--bs'], code: 2, message: /--bs needs a value/ },
  { what: 'an integer flag given text', args: ['train-sup', '--bs', 'ten'], code: 2, message: /--bs: expected an integer, got 'ten'/ },
  {
    what: 'an integer flag given a fraction',
    args: ['train-sup', '--epo', '2.5'],
    code: 2,
    message: /--epo: expected an integer, got '2.5'/,
  },
  { what: 'a number flag given text', args: ['train-sup', '--lr', 'fast'], code: 2, message: /--lr: expected a number, got 'fast'/ },
  { what: 'a number flag given NaN', args: ['train-sup', '--eps', 'NaN'], code: 2, message: /--eps: expected a number, got 'NaN'/ },
  {
    what: 'a number flag given Infinity',
    args: ['train-sup', '--lr', 'Infinity'],
    code: 2,
    message: /--lr: expected a number, got 'Infinity'/,
  },
  {
    what: 'a boolean given maybe',
    args: ['train-sup', '--no_shuffle=maybe'],
    code: 2,
    message: /--no_shuffle: expected true or false, got 'maybe'/,
  },
  {
    what: 'milestones not integers',
    args: ['train-sup', '--milestones', '3,x'],
    code: 2,
    message: /--milestones: expected comma-separated integers/,
  },
  { what: '--bs 0', args: ['train-sup', '--bs', '0'], code: 2, message: /--bs 0: must be an integer ≥ 1/ },
  { what: '--fd 0', args: ['train-sup', '--fd', '0'], code: 2, message: /--fd 0: must be an integer ≥ 1/ },
  { what: '--epo -1', args: ['train-sup', '--epo', '-1'], code: 2, message: /--epo -1: must be an integer ≥ 1/ },
  { what: '--lcr 1.5', args: ['train-sup', '--lcr', '1.5'], code: 2, message: /--lcr 1.5: must be in \[0, 1\]/ },
  { what: '--eps -1', args: ['train-sup', '--eps', '-1'], code: 2, message: /--eps -1: must be > 0/ },
  { what: '--lr 0', args: ['train-sup', '--lr', '0'], code: 2, message: /--lr 0: must be > 0/ },
  { what: '--mom 1.5', args: ['train-sup', '--mom', '1.5'], code: 2, message: /--mom 1.5: must be in \[0, 1\)/ },
  { what: '--wd -0.1', args: ['train-sup', '--wd', '-0.1'], code: 2, message: /--wd -0.1: must be ≥ 0/ },
  { what: '--subset -5', args: ['train-sup', '--subset', '-5'], code: 2, message: /--subset -5: must be an integer ≥ 0/ },
  { what: '--workers -2', args: ['train-sup', '--workers', '-2'], code: 2, message: /--workers -2: must be an integer ≥ -1/ },
  {
    what: '--milestones with a negative',
    args: ['train-sup', '--milestones', '2,-1'],
    code: 2,
    message: /--milestones 2,-1: must be epoch numbers/,
  },
  { what: '--arch nope', args: ['train-sup', '--arch', 'nope'], code: 2, message: /--arch nope: must be one of cnn-small, resnet18/ },
  { what: '--data nope', args: ['train-sup', '--data', 'nope'], code: 2, message: /--data nope: must be one of mnist, fashionmnist/ },
  {
    what: '--transform nope',
    args: ['train-sup', '--transform', 'nope'],
    code: 2,
    message: /--transform nope: must be one of test, default/,
  },
  { what: '--loss nope', args: ['train-sup', '--loss', 'nope'], code: 2, message: /--loss nope: must be one of mcr2, ce/ },
  {
    what: '--corrupt nope',
    args: ['train-sup', '--corrupt', 'nope'],
    code: 2,
    message: /--corrupt nope: must be one of default, asymmetric/,
  },
  { what: '--aug 0', args: ['train-selfsup', '--aug', '0'], code: 2, message: /--aug 0: must be an integer ≥ 1/ },
  {
    what: '--sampler nope',
    args: ['train-selfsup', '--sampler', 'nope'],
    code: 2,
    message: /--sampler nope: must be one of random, balance/,
  },
  {
    what: 'evaluate --k 0',
    args: ['evaluate', '--features', 'x.npz', '--knn', '--k', '0'],
    code: 2,
    message: /--k 0: must be an integer ≥ 1/,
  },
  {
    what: 'evaluate --n_comp 0',
    args: ['evaluate', '--features', 'x.npz', '--nearsub', '--n_comp', '0'],
    code: 2,
    message: /--n_comp 0: must be/,
  },
  {
    what: 'evaluate --tau -1',
    args: ['evaluate', '--features', 'x.npz', '--ensc', '--tau', '-1'],
    code: 2,
    message: /--tau -1: must be > 0/,
  },
  {
    what: 'evaluate --epoch -3',
    args: ['evaluate', '--model_dir', 'x', '--knn', '--epoch', '-3'],
    code: 2,
    message: /--epoch -3: must be/,
  },
  { what: 'evaluate with no method', args: ['evaluate', '--model_dir', 'x'], code: 2, message: /choose at least one method: --svm, --knn/ },
  { what: 'evaluate with both sources', args: ['evaluate', '--knn'], code: 2, message: /give exactly one of --model_dir and --features/ },
  {
    what: 'quickstart --profile nope',
    args: ['quickstart', '--profile', 'nope'],
    code: 2,
    message: /--profile nope: must be one of smoke, cpu, paper/,
  },
  { what: 'download of an unknown dataset', args: ['download', 'nope'], code: 1, message: /no download for 'nope'; datasets: mnist/ },
];

function check(c: BadInput, r: ReturnType<typeof cli>): void {
  const where = `${c.what}: mcr2 ${c.args.join(' ')}\n${r.stderr}`;
  assert.equal(r.status, c.code, where);
  assert.match(r.stderr, c.message, where);
  const lines = r.stderr.trim().split('\n');
  assert.ok(lines.length <= 2, `one or two lines: ${where}`);
  assert.doesNotMatch(r.stderr, /\n\s+at /, `no stack trace: ${where}`);
}

export let BAD_INPUTS = 0;

test(`flags: ${FLAG_CASES.length} bad flags and values, each a usage error naming it`, () => {
  for (const c of FLAG_CASES) check(c, cli(c.args));
  BAD_INPUTS += FLAG_CASES.length;
});

/** A tiny MNIST in IDX files, with one training label set to `badLabel`. */
function idxMnist(dir: string, badLabel?: number): void {
  fs.mkdirSync(path.join(dir, 'mnist'), { recursive: true });
  for (const prefix of ['train', 't10k']) {
    const labels = Uint8Array.from({ length: 20 }, (_, i) => i % 10);
    if (prefix === 'train' && badLabel !== undefined) labels[3] = badLabel;
    fs.writeFileSync(path.join(dir, 'mnist', `${prefix}-images-idx3-ubyte`), encodeIdx([20, 28, 28], new Uint8Array(20 * 784)));
    fs.writeFileSync(path.join(dir, 'mnist', `${prefix}-labels-idx1-ubyte`), encodeIdx([20], labels));
  }
}

test('files and folders from a person: bad labels, NaN features, missing checkpoints and epochs, checkpoints of another --arch/--fd', () => {
  const cases: Array<BadInput & { env?: Record<string, string> }> = [];
  // Labels outside 0..k−1: IDX and CIFAR.
  const m = tmp('mcr2-badlabel-');
  idxMnist(m, 10);
  cases.push({
    what: 'an MNIST label of 10',
    args: ['data', '--data', 'mnist', '--data_dir', m],
    code: 1,
    message: /train-labels-idx1-ubyte: label 10 at index 3 is outside 0\.\.9/,
  });
  const c = tmp('mcr2-badcifar-');
  const batch = (labels: number[]) => encodeCifarRecords(new Uint8Array(labels.length * 3072), labels);
  for (let i = 1; i <= 5; i++) fs.writeFileSync(path.join(c, `data_batch_${i}.bin`), batch(i === 2 ? [1, 12] : [0, 1]));
  fs.writeFileSync(path.join(c, 'test_batch.bin'), batch([0, 1]));
  cases.push({
    what: 'a CIFAR-10 label of 12',
    args: ['data', '--data', 'cifar10', '--data_dir', c],
    code: 1,
    message: /label 12 at index 3 is outside 0\.\.9/,
  });
  cases.push({
    what: 'a dataset that is not there',
    args: ['data', '--data', 'cifar10', '--data_dir', tmp('mcr2-empty-')],
    code: 1,
    message: /cifar10 train split not found: expected data_batch_1\.bin.* in any of: /,
  });
  // NaN and Inf in features.
  const f = tmp('mcr2-nanfeat-');
  const feats = (bad: number, where: 'train' | 'test') => {
    const file = path.join(f, `${where}-${bad}.npz`);
    const tr = new Float32Array(40).map((_, i) => i % 7);
    const te = new Float32Array(40).map((_, i) => i % 5);
    (where === 'train' ? tr : te)[13] = bad;
    const lab = Int32Array.from({ length: 10 }, (_, i) => i % 2);
    writeNpz(file, {
      train_features: { data: tr, shape: [10, 4] },
      train_labels: { data: lab },
      test_features: { data: te, shape: [10, 4] },
      test_labels: { data: lab },
    });
    return file;
  };
  cases.push({
    what: 'NaN in train features',
    args: ['evaluate', '--features', feats(Number.NaN, 'train'), '--knn'],
    code: 1,
    message: /train_features contain NaN or Inf/,
  });
  cases.push({
    what: 'Inf in test features',
    args: ['evaluate', '--features', feats(Number.POSITIVE_INFINITY, 'test'), '--knn'],
    code: 1,
    message: /test_features contain NaN or Inf/,
  });
  cases.push({
    what: 'a features file that is not there',
    args: ['evaluate', '--features', path.join(f, 'none.npz'), '--knn'],
    code: 1,
    message: /none\.npz: cannot read \(ENOENT\)/,
  });
  // Run folders: none, no checkpoint, a missing epoch, another --arch / --fd, a corrupt checkpoint, bad params.json.
  const runs = tmp('mcr2-runs-');
  const train = cli([
    'train-sup',
    '--arch',
    'cnn-small',
    '--data',
    'mnist',
    '--fd',
    '16',
    '--epo',
    '1',
    '--bs',
    '50',
    '--subset',
    '100',
    '--workers',
    '0',
    '--transform',
    'test',
    '--save_dir',
    runs,
  ]);
  assert.equal(train.status, 0, train.stderr);
  const run = path.join(runs, fs.readdirSync(runs)[0]);
  const variant = (name: string, edit: (dir: string) => void) => {
    const d = path.join(runs, name);
    fs.cpSync(run, d, { recursive: true });
    edit(d);
    return d;
  };
  const setParam = (k: string, v: unknown) => (d: string) => {
    const p = JSON.parse(fs.readFileSync(path.join(d, 'params.json'), 'utf8'));
    p[k] = v;
    fs.writeFileSync(path.join(d, 'params.json'), JSON.stringify(p));
  };
  const empty = variant('no-checkpoint', (d) => fs.rmSync(path.join(d, 'checkpoints'), { recursive: true }));
  cases.push({
    what: 'not a run folder',
    args: ['evaluate', '--model_dir', tmp('mcr2-notrun-'), '--knn'],
    code: 1,
    message: /is not a run folder: params\.json is missing/,
  });
  cases.push({
    what: 'a run folder with no checkpoint',
    args: ['evaluate', '--model_dir', empty, '--knn'],
    code: 1,
    message: /no checkpoints in .*no-checkpoint\/checkpoints/,
  });
  cases.push({
    what: 'an --epoch that does not exist',
    args: ['evaluate', '--model_dir', run, '--knn', '--epoch', '7'],
    code: 1,
    message: /no checkpoint for epoch 7 in .* \(have 0\.\.0\)/,
  });
  cases.push({
    what: 'extract of an --epoch that does not exist',
    args: ['extract', '--model_dir', run, '--epoch', '7', '--save_dir', runs],
    code: 1,
    message: /no checkpoint for epoch 7/,
  });
  cases.push({
    what: 'a checkpoint of another --fd',
    args: ['evaluate', '--model_dir', variant('other-fd', setParam('fd', 32)), '--knn'],
    code: 1,
    message: /model-epoch0\.safetensors: .* has shape \[.*\] but the model expects \[.*\] \(another --arch or --fd\?\)/,
  });
  cases.push({
    what: 'a checkpoint of another --arch',
    args: ['evaluate', '--model_dir', variant('other-arch', setParam('arch', 'resnet10mnist')), '--knn'],
    code: 1,
    message: /model-epoch0\.safetensors: missing \d+ tensors for this model .*was it saved from another --arch or --fd\?/,
  });
  cases.push({
    what: 'an --arch in params.json that does not exist',
    args: ['evaluate', '--model_dir', variant('nope-arch', setParam('arch', 'nope')), '--knn'],
    code: 1,
    message: /unknown --arch 'nope'/,
  });
  cases.push({
    what: 'params.json with fd -3',
    args: ['evaluate', '--model_dir', variant('neg-fd', setParam('fd', -3)), '--knn'],
    code: 1,
    message: /params\.json: "fd" is -3; expected a positive integer/,
  });
  const cut = variant('truncated', (d) => {
    const ck = path.join(d, 'checkpoints', 'model-epoch0.safetensors');
    fs.writeFileSync(ck, fs.readFileSync(ck).subarray(0, 5000));
  });
  cases.push({
    what: 'a truncated checkpoint',
    args: ['evaluate', '--model_dir', cut, '--knn'],
    code: 1,
    message: /model-epoch0\.safetensors: not a valid checkpoint \(.*truncated/,
  });
  cases.push({
    what: '--pretrain_dir with no checkpoint',
    args: ['train-sup', '--pretrain_dir', empty, '--data', 'mnist', '--subset', '100', '--bs', '50'],
    code: 1,
    message: /no checkpoints in /,
  });
  cases.push({
    what: '--bs above the data',
    args: ['train-sup', '--arch', 'cnn-small', '--data', 'mnist', '--subset', '100', '--bs', '500', '--save_dir', runs],
    code: 1,
    message: /--bs 500 is larger than the training set \(100 images\)/,
  });
  cases.push({
    what: '--aug above --bs',
    args: ['train-selfsup', '--arch', 'cnn-small', '--data', 'mnist', '--subset', '100', '--bs', '10', '--aug', '20', '--save_dir', runs],
    code: 1,
    message: /--bs \(10\) must be at least --aug \(20\)/,
  });
  cases.push({
    what: 'the same run folder with other parameters',
    args: [
      'train-sup',
      '--arch',
      'cnn-small',
      '--data',
      'mnist',
      '--fd',
      '16',
      '--epo',
      '1',
      '--bs',
      '50',
      '--subset',
      '100',
      '--workers',
      '0',
      '--save_dir',
      runs,
    ],
    code: 1,
    message: /exists with other parameters \(transform\); use --tail to name a new run/,
  });
  for (const x of cases) check(x, cli(x.args, x.env));
  BAD_INPUTS += cases.length;
  // --debug (or MCR2_DEBUG) adds the stack trace.
  const dbg = cli(['evaluate', '--model_dir', empty, '--knn', '--debug']);
  assert.equal(dbg.status, 1);
  assert.match(dbg.stderr, /no checkpoints in .*\n.*\n\s+at /s);
  assert.match(cli(['evaluate', '--model_dir', empty, '--knn'], { MCR2_DEBUG: '1' }).stderr, /\n\s+at /);
});
