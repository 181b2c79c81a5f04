// Promise 1, an interrupted run loses nothing: a full disk mid-checkpoint, two processes on one
// folder, a NaN loss, what recovery cleans. The kill -9 chains are test/faults_kill.test.ts (the full
// tier: minutes of training); scripts/faults.ts runs them with many more kill points (npm run faults).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadTensors } from '../lib/io/safetensors.js';
import { launch, SUP, SUP_NAME } from './fault_harness.js';

const tmp = (p: string) => fs.mkdtempSync(path.join(os.tmpdir(), p));

let reference: Promise<string> | undefined;
/** One uninterrupted train-sup run folder, shared by the tests below. */
function referenceSup(): Promise<string> {
  reference ??= (async () => {
    const dir = tmp('mcr2-ref-');
    const r = await launch([...SUP, '--save_dir', dir]);
    assert.equal(r.code, 0, r.stderr);
    return path.join(dir, SUP_NAME);
  })();
  return reference;
}

/** The CLI's error text: one or two lines, no stack trace. */
function assertShortError(stderr: string): void {
  const lines = stderr.trim().split('\n');
  assert.ok(lines.length <= 2, `at most two lines:\n${stderr}`);
  assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
}

function assertLoads(file: string): void {
  const { tensors } = loadTensors(file);
  assert.ok(tensors.size > 0);
  for (const [, t] of tensors) for (const v of t.data) assert.ok(Number.isFinite(v));
}

const havePrlimit = fs.existsSync('/usr/bin/prlimit');

test('disk full mid-checkpoint (a 1 MB file-size limit): the error names the file, the previous checkpoint still loads, the run then finishes as if never stopped', {
  skip: !havePrlimit && 'no prlimit',
}, async () => {
  const dir = tmp('mcr2-full-');
  const runDir = path.join(dir, SUP_NAME);
  const args = [...SUP, '--save_dir', dir];
  // Epoch 0 done, then stopped just before epoch 1's checkpoint.
  const first = await launch(args, { killAt: 'write:model-epoch1.safetensors:start' });
  assert.equal(first.signal, 'SIGKILL');
  const { spawnSync } = await import('node:child_process');
  const { CLI } = await import('./fault_harness.js');
  const full = spawnSync('prlimit', ['--fsize=1000000', process.execPath, CLI, ...args], { encoding: 'utf8' });
  assert.equal(full.status, 1, full.stderr);
  assertShortError(full.stderr);
  assert.match(full.stderr, /checkpoints\/model-epoch1\.safetensors: cannot write \(file too large/);
  const ck = path.join(runDir, 'checkpoints');
  assert.deepEqual(fs.readdirSync(ck).sort(), ['model-epoch0.safetensors', 'optimizer-epoch0.safetensors'], 'no temporary file left');
  assertLoads(path.join(ck, 'model-epoch0.safetensors'));
  const again = await launch(args);
  assert.equal(again.code, 0, again.stderr);
  const { compareFolders } = await import('./fault_harness.js');
  assert.deepEqual(compareFolders(await referenceSup(), runDir), []);
});

test('disk full on a real 8 MB filesystem (tmpfs, where mounting is allowed): ENOSPC names the file, the checkpoint before it loads', async (t) => {
  const mnt = tmp('mcr2-tmpfs-');
  const { spawnSync } = await import('node:child_process');
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mnt]).status !== 0) {
    t.skip('cannot mount a tmpfs here');
    return;
  }
  try {
    const r = await launch([...SUP, '--save_dir', mnt]);
    assert.equal(r.code, 1, r.stderr);
    assertShortError(r.stderr);
    // 8 MB hold epoch 0's model and optimizer state (3.3 MB each); epoch 1's model does not fit.
    assert.match(r.stderr, /checkpoints\/model-epoch1\.safetensors: cannot write \(no space left on the device\)/);
    const ck = path.join(mnt, SUP_NAME, 'checkpoints');
    assert.deepEqual(fs.readdirSync(ck).sort(), ['model-epoch0.safetensors', 'optimizer-epoch0.safetensors']);
    assertLoads(path.join(ck, 'model-epoch0.safetensors'));
  } finally {
    spawnSync('umount', [mnt]);
  }
});

test('two processes on one run folder: the second refuses with a clear message, the first ends as a single run; a killed owner leaves no stuck lock', async () => {
  const dir = tmp('mcr2-lock-');
  const runDir = path.join(dir, SUP_NAME);
  const args = [...SUP, '--save_dir', dir];
  const { spawn } = await import('node:child_process');
  const { CLI } = await import('./fault_harness.js');
  const a = spawn(process.execPath, [CLI, ...args], { stdio: 'ignore' });
  const aDone = new Promise<number | null>((resolve) => a.on('exit', (code) => resolve(code)));
  // Wait until A trains (holds the lock and has logged a row), then freeze it: it is alive, not finished.
  const losses = path.join(runDir, 'losses.csv');
  for (let i = 0; !(fs.existsSync(losses) && fs.readFileSync(losses, 'utf8').includes('\n0,0,')); i++) {
    assert.ok(i < 3000, 'A never started training');
    await new Promise((r) => setTimeout(r, 20));
  }
  a.kill('SIGSTOP');
  const b = await launch(args);
  a.kill('SIGCONT');
  assert.equal(b.code, 1);
  assertShortError(b.stderr);
  assert.match(
    b.stderr,
    new RegExp(`is in use by another mcr2 process \\(pid ${a.pid}, since .*\\); wait for it to finish, or give this run another --tail`),
  );
  assert.equal(await aDone, 0);
  const { compareFolders } = await import('./fault_harness.js');
  assert.deepEqual(compareFolders(await referenceSup(), runDir), [], 'the refused process changed nothing');
  // A owner killed with SIGKILL leaves its .lock; the next process sees its pid is gone and goes on.
  const dir2 = tmp('mcr2-lock-');
  const k = await launch([...SUP, '--save_dir', dir2], { killAt: 'append:1:1:done' });
  assert.equal(k.signal, 'SIGKILL');
  assert.ok(fs.existsSync(path.join(dir2, SUP_NAME, '.lock')), 'the killed process left its lock');
  const next = await launch([...SUP, '--save_dir', dir2]);
  assert.equal(next.code, 0, next.stderr);
  assert.ok(!fs.existsSync(path.join(dir2, SUP_NAME, '.lock')), 'released at the end');
  assert.deepEqual(compareFolders(await referenceSup(), path.join(dir2, SUP_NAME)), []);
});

test('the run lock: a live owner is refused, a dead pid or a reused pid (another start time) is taken over', async () => {
  const { lockRunFolder, LOCK_FILE } = await import('../lib/runs/run_lock.js');
  const dir = tmp('mcr2-lk-');
  const release = lockRunFolder(dir);
  assert.throws(() => lockRunFolder(dir), /is in use by another mcr2 process \(pid \d+/);
  release();
  assert.ok(!fs.existsSync(path.join(dir, LOCK_FILE)));
  const host = os.hostname();
  const write = (info: object) => fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ host, since: 'then', ...info }));
  write({ pid: 2 ** 22 + 12345, start: null }); // above pid_max: no such process
  lockRunFolder(dir)();
  write({ pid: process.pid, start: '1' }); // this pid, but a process that started at another time
  lockRunFolder(dir)();
  fs.writeFileSync(path.join(dir, LOCK_FILE), 'garbage'); // unreadable: taken over
  lockRunFolder(dir)();
  write({ pid: 1, host: 'elsewhere', start: null });
  assert.throws(() => lockRunFolder(dir), /is locked by process 1 on elsewhere .*remove .*\.lock/);
});

test('a loss that becomes NaN stops training, says where and what to change, and keeps the last good checkpoint', async () => {
  // Injected at epoch 1, step 2 (MCR2_FAULT_NAN_AT): epoch 0's checkpoint is the last good one.
  const dir = tmp('mcr2-nan-');
  const r = await launch([...SUP, '--save_dir', dir], { env: { MCR2_FAULT_NAN_AT: '1:2' } });
  assert.equal(r.code, 1);
  assertShortError(r.stderr);
  const ck = path.join(dir, SUP_NAME, 'checkpoints', 'model-epoch0.safetensors');
  assert.match(
    r.stderr,
    /the loss became NaN at epoch 1, step 2; training stopped and the last good checkpoint is .*model-epoch0\.safetensors \(epoch 0\)/,
  );
  assert.match(r.stderr, /Lower --lr or raise --eps \(now --lr 0\.05, --eps 0\.5\)/);
  assertLoads(ck);
  assert.deepEqual(fs.readdirSync(path.dirname(ck)).sort(), ['model-epoch0.safetensors', 'optimizer-epoch0.safetensors']);
  // A real divergence: --lr 1e30 breaks the features at the second step, before any checkpoint.
  const big = await launch([...SUP.map((a) => (a === '0.05' ? '1e30' : a)), '--save_dir', dir]);
  assert.equal(big.code, 1);
  assertShortError(big.stderr);
  assert.match(
    big.stderr,
    /the loss became NaN at epoch 0, step \d+; training stopped and no epoch had finished, so there is no checkpoint/,
  );
});

test('recover(): what a kill leaves (a torn last row, temporary files, an older optimizer state, rows past the last complete epoch) is cleaned', async () => {
  const { RunFolder, LOSS_HEADER } = await import('../lib/runs/run_folder.js');
  const run = new RunFolder(path.join(tmp('mcr2-rec-'), 'run'));
  run.create({ arch: 'cnn-small', fd: 16 });
  const row = (e: number, s: number) => `\n${e},${s},-1.5,3.25,1.75,3.5,2`;
  fs.appendFileSync(run.lossesFile, row(0, 0) + row(0, 1) + row(1, 0) + row(1, 1) + row(2, 0) + '\n2,1,-1.');
  for (const f of ['model-epoch0', 'optimizer-epoch0', 'model-epoch1', 'optimizer-epoch1', 'model-epoch2'])
    fs.writeFileSync(path.join(run.checkpointDir, `${f}.safetensors`), 'x');
  fs.writeFileSync(path.join(run.checkpointDir, '.model-epoch2.safetensors.4242.1700000000000.tmp'), 'half');
  fs.writeFileSync(path.join(run.dir, '.losses.csv.4242.1700000000000.tmp'), 'half');
  assert.equal(run.recover(), 1);
  assert.equal(fs.readFileSync(run.lossesFile, 'utf8'), LOSS_HEADER + row(0, 0) + row(0, 1) + row(1, 0) + row(1, 1));
  assert.deepEqual(fs.readdirSync(run.checkpointDir).sort(), [
    'model-epoch0.safetensors',
    'model-epoch1.safetensors',
    'model-epoch2.safetensors',
    'optimizer-epoch1.safetensors',
  ]);
  assert.ok(!fs.readdirSync(run.dir).some((f) => f.endsWith('.tmp')));
  // A torn row in the middle is not a kill's doing: an error naming the line.
  fs.writeFileSync(run.lossesFile, LOSS_HEADER + row(0, 0) + '\n0,1,-1.' + row(0, 2));
  assert.throws(() => run.recover(), /losses\.csv: line 3 is malformed: '0,1,-1\.'/);
  // losses.csv gone (a folder from another tool): started afresh.
  fs.rmSync(run.lossesFile);
  fs.rmSync(path.join(run.checkpointDir, 'optimizer-epoch1.safetensors'));
  assert.equal(run.recover(), -1);
  assert.equal(fs.readFileSync(run.lossesFile, 'utf8'), LOSS_HEADER);
});
