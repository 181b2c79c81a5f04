// Debian's python3 with torch, for the tests that check our files in PyTorch itself: found once,
// or a one-line reason to skip.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { ROOT } from './helpers.js';

let found: { python: string } | { skip: string } | undefined;

/** The python3 that imports torch (MCR2_PYTHON, else /usr/bin/python3), or why there is none. */
export function torchPython(): { python: string } | { skip: string } {
  if (found) return found;
  const python = process.env.MCR2_PYTHON ?? '/usr/bin/python3';
  const r = spawnSync(python, ['-c', 'import torch, numpy; print(torch.__version__)'], { encoding: 'utf8' });
  found =
    r.status === 0 ? { python } : { skip: `python3-torch not available (${python} cannot import torch; apt-get install python3-torch)` };
  return found;
}

/** Runs scripts/fixtures/torch_check.py with args; its stdout parsed as JSON (throws with its stderr). */
export function torchCheck(python: string, args: string[]): unknown {
  const r = spawnSync(python, [path.join(ROOT, 'scripts', 'fixtures', 'torch_check.py'), ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0) throw new Error(`torch_check.py ${args.join(' ')} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout);
}
