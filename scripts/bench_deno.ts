// Node against Deno on the same training: the library's supervised loop (wasm backend, worker
// threads) for one epoch of MNIST images, in a fresh process of each runtime, wall and CPU time.
//   node dist/scripts/bench_deno.js [--subset N] [--bs N] [--reps N]
// Deno is the binary of the npm package `deno` (a devDependency); it runs the same built
// JavaScript (dist/, CommonJS).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { packageRoot } from '../lib/io/paths.js';
import { denoBinary } from './run-notebooks.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

/** The child: one epoch, then its wall and CPU seconds as one JSON line. */
const CHILD = (root: string, saveDir: string, subset: number, bs: number) => `
const mcr2 = require(${JSON.stringify(path.join(root, 'dist', 'lib', 'index.js'))});
(async () => {
  const t = Date.now(), c = process.cpuUsage();
  const r = await mcr2.trainSupervised({ arch: 'cnn-small', data: 'mnist', subset: ${subset}, batchSize: ${bs}, epochs: 1, lr: 0.05, transform: 'test', saveDir: ${JSON.stringify(saveDir)} }, { log: () => {}, progress: false });
  const u = process.cpuUsage(c);
  console.log(JSON.stringify({ wall: (Date.now() - t) / 1000, cpu: (u.user + u.system) / 1e6, rate: r.imagesPerSecond, backend: r.backend.name }));
  r.model.dispose();
  process.exit(0);
})();`;

function main(): number {
  const root = packageRoot();
  const deno = denoBinary(root);
  if (deno === undefined) {
    console.error('the npm package deno is not installed (npm install)');
    return 1;
  }
  const subset = arg('--subset', 2000);
  const bs = arg('--bs', 200);
  const reps = arg('--reps', 2);
  const out: Record<string, unknown[]> = { node: [], deno: [] };
  for (let r = 0; r < reps; r++)
    for (const rt of ['node', 'deno'] as const) {
      // Inside the package (scratch/ is git-ignored): Deno finds package.json's "type": "commonjs"
      // from the main module's folder, and its worker threads need it (from /tmp they are read as
      // ES modules and fail at `exports`).
      fs.mkdirSync(path.join(root, 'scratch'), { recursive: true });
      const dir = fs.mkdtempSync(path.join(root, 'scratch', 'bench-deno-'));
      const file = path.join(dir, 'child.cjs');
      fs.writeFileSync(file, CHILD(root, path.join(dir, 'runs'), subset, bs));
      const cmd = rt === 'node' ? [process.execPath, [file]] : [deno, ['run', '-A', file]];
      const p = spawnSync(cmd[0] as string, cmd[1] as string[], { encoding: 'utf8', cwd: root });
      fs.rmSync(dir, { recursive: true, force: true });
      if (p.status !== 0) {
        console.error(`${rt}: ${p.stderr}`);
        return 1;
      }
      out[rt].push(JSON.parse(p.stdout.trim().split('\n').pop()!));
    }
  console.log(JSON.stringify({ subset, bs, epochs: 1, cores: os.availableParallelism(), ...out }, null, 1));
  return 0;
}

if (require.main === module) process.exit(main());
