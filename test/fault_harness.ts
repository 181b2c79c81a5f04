// The kill -9 harness shared by test/faults.test.ts (CI-sized) and scripts/faults.ts (long runs):
// run a training command once whole (tracing its fault points, lib/io/faults.ts), then again in a
// fresh folder, killing it again and again at seeded points (named points and random moments),
// each time starting the same command anew, and compare the finished folder with the whole run's.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RandomState } from '../lib/math/random.js';
import { ROOT } from './helpers.js';

export const CLI = path.join(ROOT, 'dist', 'lib', 'cli', 'main.js');
/** The same CLI with the faults of MCR2_FAULT_* injected (test/fault_cli.ts): what launch() runs. */
export const FAULT_CLI = path.join(ROOT, 'dist', 'test', 'fault_cli.js');

/** The CI-sized commands: train-sup, 3 epochs of 4 steps; train-selfsup, 2 epochs of 4 steps. */
export const SUP = ['train-sup', '--subset', '200', '--bs', '50', '--arch', 'cnn-small', '--data', 'mnist', '--fd', '16', '--epo', '3'];
SUP.push('--workers', '0', '--transform', 'test', '--lr', '0.05', '--milestones', '2');
export const SUP_NAME = 'sup_cnn-small+16_mnist_epo3_bs50_lr0.05_mom0.9_wd0.0005_gam11.0_gam21.0_eps0.5_lcr0.0';
export const SELFSUP = ['train-selfsup', '--arch', 'cnn-small', '--data', 'mnist', '--fd', '16', '--transform', 'mnist', '--bs', '20'];
SELFSUP.push('--aug', '4', '--subset', '20', '--epo', '2', '--lr', '0.01', '--workers', '0');
export const SELFSUP_NAME = 'selfsup_cnn-small+16_mnist_epo2_bs20_aug4+mnist_lr0.01_mom0.9_wd0.0005_gam11.0_gam210.0_eps2.0';

export interface Launch {
  code: number | null;
  signal: NodeJS.Signals | null;
  ms: number;
  stdout: string;
  stderr: string;
  /** Killed by the delayMs timer (not at its fault point). */
  timedOut: boolean;
}

/** Runs the CLI; kills it with SIGKILL at a named fault point (killAt) and/or after delayMs. */
export function launch(args: string[], opts: { killAt?: string; delayMs?: number; env?: Record<string, string> } = {}): Promise<Launch> {
  const env: Record<string, string | undefined> = { ...process.env, ...opts.env };
  delete env.MCR2_FAULT_KILL_AT;
  if (opts.killAt !== undefined) env.MCR2_FAULT_KILL_AT = opts.killAt;
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FAULT_CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    let timedOut = false;
    const timer =
      opts.delayMs !== undefined
        ? setTimeout(() => {
            timedOut = child.exitCode === null && child.signalCode === null;
            child.kill('SIGKILL');
          }, opts.delayMs)
        : undefined;
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, ms: Date.now() - t0, stdout, stderr, timedOut });
    });
  });
}

/** Every file under dir (relative path → bytes), folders included as entries ending in '/'. */
export function snapshot(dir: string): Map<string, Buffer | null> {
  const out = new Map<string, Buffer | null>();
  const walk = (d: string, rel: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        out.set(`${r}/`, null);
        walk(path.join(d, e.name), r);
      } else out.set(r, fs.readFileSync(path.join(d, e.name)));
    }
  };
  walk(dir, '');
  return out;
}

/** Equal bytes; params.json may differ only in save_dir (the two runs live in different folders). */
function sameFile(name: string, a: Buffer, b: Buffer): boolean {
  if (a.equals(b)) return true;
  if (path.basename(name) !== 'params.json') return false;
  const strip = (x: Buffer) => JSON.stringify({ ...JSON.parse(x.toString('utf8')), save_dir: null });
  return strip(a) === strip(b);
}

/** Differences between two run folders, in words (empty: identical, bit for bit). */
export function compareFolders(a: string, b: string): string[] {
  const sa = snapshot(a);
  const sb = snapshot(b);
  const diffs: string[] = [];
  for (const [k, v] of sa) {
    if (!sb.has(k)) diffs.push(`${k} only in the uninterrupted run`);
    else if (v !== null && !sameFile(k, v, sb.get(k)!)) diffs.push(`${k} differs`);
  }
  for (const k of sb.keys()) if (!sa.has(k)) diffs.push(`${k} only in the interrupted run`);
  return diffs;
}

/** Rows (epoch, step) of a losses.csv, checked for order: none lost, none repeated. */
export function lossRowKeys(file: string): string[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .slice(1)
    .map((l) => l.split(',').slice(0, 2).join(','));
}

export interface ChainResult {
  /** Launches ended by SIGKILL (the kill points actually hit). */
  kills: number;
  namedKills: number;
  timedKills: number;
  launches: number;
  /** Distinct fault labels of an uninterrupted run. */
  labels: number;
  diffs: string[];
  reference: string;
  interrupted: string;
  /** Each launch, for a failure message: how it ended. */
  log: string[];
}

/**
 * One command, many kills: `args` must include no --save_dir (it is added). Kills `named` times at
 * distinct seeded fault points (in run order) and `timed` times at seeded random moments, in a
 * seeded interleaving, then lets the command finish and compares with an uninterrupted run.
 */
export async function killChain(
  args: string[],
  runName: string,
  opts: { named: number; timed: number; seed: number; reference?: string },
): Promise<ChainResult> {
  const rng = new RandomState(opts.seed);
  let refDir = opts.reference;
  let labels: string[];
  let refMs: number;
  const traceDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-ref-'));
  const trace = path.join(traceDir, 'trace.txt');
  {
    const r = await launch([...args, '--save_dir', traceDir], { env: { MCR2_FAULT_TRACE: trace } });
    if (r.code !== 0) throw new Error(`the uninterrupted run failed: ${r.stderr}`);
    refMs = r.ms;
    labels = fs.readFileSync(trace, 'utf8').trim().split('\n');
    refDir ??= path.join(traceDir, runName);
  }
  const unique = [...new Set(labels)];
  // Named points: a seeded sample, in the order the run reaches them (each restart redoes the
  // unfinished epoch, so the next point is always reached again).
  const picks = [...rng.choice(unique.length, Math.min(opts.named, unique.length), false)].sort((x, y) => x - y).map((i) => unique[i]);
  const kinds: Array<'named' | 'timed'> = [
    ...Array.from({ length: opts.timed }, () => 'timed' as const),
    ...picks.map(() => 'named' as const),
  ];
  // Seeded interleaving of the timed kills among the named ones, a named one last: every launch of
  // the plan then has a fault point ahead of it and is sure to be killed.
  const order = rng.permutation(kinds.length - 1);
  const plan = [...[...order].map((i) => kinds[i]), kinds[kinds.length - 1]];
  const cut = fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-cut-'));
  const cmd = [...args, '--save_dir', cut];
  const res: ChainResult = {
    kills: 0,
    namedKills: 0,
    timedKills: 0,
    launches: 0,
    labels: unique.length,
    diffs: [],
    reference: refDir,
    interrupted: path.join(cut, runName),
    log: [],
  };
  let next = 0;
  const target = picks.length + opts.timed;
  const launchTrace = path.join(traceDir, 'launch.txt');
  // Each launch may die at any named point not yet hit (the first it reaches; a point that recovery
  // has already passed, e.g. removing the optimizer state the resumed run has just dropped, is
  // skipped), and a timed launch also at its moment.
  for (let i = 0; res.kills < target && i < 3 * target + 10 && next < picks.length; i++) {
    const kind = i < plan.length ? plan[i] : 'timed';
    const killAt = picks.slice(next).join('|');
    const delayMs = kind === 'timed' ? Math.floor(rng.nextDouble() * refMs) : undefined;
    fs.rmSync(launchTrace, { force: true });
    const r = await launch(cmd, { killAt, delayMs, env: { MCR2_FAULT_TRACE: launchTrace } });
    res.launches++;
    const reached = fs.existsSync(launchTrace) ? fs.readFileSync(launchTrace, 'utf8').trim().split('\n') : [];
    const at = reached[reached.length - 1] ?? '(start)';
    res.log.push(`${kind} ${delayMs ?? '-'}ms -> ${r.signal ?? r.code} after ${r.ms}ms at ${at}${r.code ? `: ${r.stderr.trim()}` : ''}`);
    if (r.code !== null && r.code !== 0) throw new Error(`launch ${res.launches} failed (exit ${r.code}):\n${res.log.join('\n')}`);
    if (r.signal !== 'SIGKILL') break; // finished: the points left were passed by recovery
    res.kills++;
    if (r.timedOut) res.timedKills++;
    else {
      res.namedKills++;
      next = picks.indexOf(at, next) + 1;
    }
  }
  const last = await launch(cmd);
  res.launches++;
  res.log.push(`final -> ${last.signal ?? last.code}`);
  if (last.code !== 0) throw new Error(`the last launch failed: ${last.stderr}\n${res.log.join('\n')}`);
  res.diffs = compareFolders(refDir, res.interrupted);
  return res;
}
