// Promise 3, bad input from a person gets a clear message: each case through the real CLI
// (node dist/lib/cli/main.js): a non-zero exit, one or two lines naming the problem, no stack trace
// unless --debug (or MCR2_DEBUG). BAD_INPUTS is counted in docs/reliability.md's table.
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

/** Flags and values: parse errors exit 2; values out of range exit 1 (the library's option checks, before any data is read). */
const bad = (what: string, args: string[], code: number, message: RegExp): BadInput => ({ what, args, code, message });
const SUP_ = (...a: string[]) => ['train-sup', ...a];
const SS_ = (...a: string[]) => ['train-selfsup', ...a];
/** A valid features file, so that evaluate gets as far as its options. */
const GOOD_FEATURES = (() => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-feat-')), 'f.npz');
  const f = new Float32Array(40).map((_, i) => (i * 7) % 11);
  const l = Int32Array.from({ length: 10 }, (_, i) => i % 2);
  writeNpz(file, {
    train_features: { data: f, shape: [10, 4] },
    train_labels: { data: l },
    test_features: { data: f, shape: [10, 4] },
    test_labels: { data: l },
  });
  return file;
})();
const EV_ = (...a: string[]) => ['evaluate', '--features', GOOD_FEATURES, ...a];
const FLAG_CASES: BadInput[] = [
  bad('unknown flag', SUP_('--epochs', '3'), 2, /unknown flag --epochs; this command takes: --arch/),
  bad('unknown command', ['frobnicate'], 2, /unknown command 'frobnicate'/),
  bad('a bare argument', SUP_('mnist'), 2, /unexpected argument 'mnist' \(flags start with --\)/),
  bad('a flag without its value', SUP_('--bs'), 2, /--bs needs a value/),
  bad('an integer flag given text', SUP_('--bs', 'ten'), 2, /--bs: expected an integer, got 'ten'/),
  bad('an integer flag given a fraction', SUP_('--epo', '2.5'), 2, /--epo: expected an integer, got '2.5'/),
  bad('a number flag given text', SUP_('--lr', 'fast'), 2, /--lr: expected a number, got 'fast'/),
  bad('a number flag given NaN', SUP_('--eps', 'NaN'), 2, /--eps: expected a number, got 'NaN'/),
  bad('a number flag given Infinity', SUP_('--lr', 'Infinity'), 2, /--lr: expected a number, got 'Infinity'/),
  bad('a boolean given maybe', SUP_('--no_shuffle=maybe'), 2, /--no_shuffle: expected true or false, got 'maybe'/),
  bad('milestones not integers', SUP_('--milestones', '3,x'), 2, /--milestones: expected comma-separated integers/),
  bad('--bs 0', SUP_('--bs', '0'), 1, /--bs must be a positive integer, got 0/),
  bad('--fd 0', SUP_('--fd', '0'), 1, /--fd must be a positive integer, got 0/),
  bad('--epo -1', SUP_('--epo', '-1'), 1, /--epo must be a positive integer, got -1/),
  bad('--lcr 1.5', SUP_('--lcr', '1.5'), 1, /--lcr must be in \[0, 1\], got 1.5/),
  bad('--eps -1', SUP_('--eps', '-1'), 1, /--eps must be a number > 0, got -1/),
  bad('--lr -0.1', SUP_('--lr', '-0.1'), 1, /--lr must be a number ≥ 0, got -0.1/),
  bad('--mom -1', SUP_('--mom', '-1'), 1, /--mom must be a number ≥ 0, got -1/),
  bad('--wd -0.1', SUP_('--wd', '-0.1'), 1, /--wd must be a number ≥ 0, got -0.1/),
  bad('--subset -5', SUP_('--subset', '-5'), 1, /--subset must be an integer ≥ 0, got -5/),
  bad('--workers -2', SUP_('--workers', '-2'), 1, /--workers must be an integer ≥ -1, got -2/),
  bad('--milestones with a negative', SUP_('--milestones', '2,-1'), 1, /--milestones must be epoch numbers, got \[2,-1\]/),
  bad('--arch nope', SUP_('--arch', 'nope'), 1, /unknown --arch 'nope'; available: cnn-small, resnet18/),
  bad('--data nope', SUP_('--data', 'nope'), 1, /unknown --data 'nope'; available: mnist, fashionmnist/),
  bad('--transform nope', SUP_('--transform', 'nope'), 1, /unknown --transform 'nope'; available: test, default/),
  bad('--loss nope', SUP_('--loss', 'nope'), 1, /unknown --loss 'nope'; available: mcr2, ce/),
  bad('--corrupt nope', SUP_('--corrupt', 'nope'), 1, /unknown --corrupt 'nope'; available: default, asymmetric/),
  bad('--aug 0', SS_('--aug', '0'), 1, /--aug must be a positive integer, got 0/),
  bad('--sampler nope', SS_('--sampler', 'nope'), 1, /unknown --sampler 'nope'; available: random, balance/),
  bad('evaluate --k 0', EV_('--knn', '--k', '0'), 1, /\bk must be|--k must be/),
  bad('evaluate --n_comp 0', EV_('--nearsub', '--n_comp', '0'), 1, /nComp must be|--n_comp must be/),
  bad('evaluate --n 0', EV_('--kmeans', '--n', '0'), 1, /nClusters must be|--n must be/),
  bad('evaluate with no method', ['evaluate', '--model_dir', 'x'], 2, /choose at least one method: --svm, --knn/),
  bad('evaluate with both sources', ['evaluate', '--knn'], 2, /give exactly one of --model_dir and --features/),
  bad('quickstart --profile nope', ['quickstart', '--profile', 'nope'], 1, /nope/),
  bad('download of an unknown dataset', ['download', 'nope'], 1, /no download for 'nope'; datasets: mnist/),
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

test(`flags: ${FLAG_CASES.length} bad flags and values, each an error naming it`, () => {
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
    what: '--aug above --bs',
    args: ['train-selfsup', '--arch', 'cnn-small', '--data', 'mnist', '--subset', '100', '--bs', '10', '--aug', '20', '--save_dir', runs],
    code: 1,
    message: /--bs \(10\) must be at least the views per image \(20\)/,
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
