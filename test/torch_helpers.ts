// What the PyTorch interop tests share: Debian's python3 with torch (found once, or a one-line
// reason to skip), scripts/fixtures/torch_check.py, and the inputs official_nets.py makes.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import type { FeatureNet } from '../lib/models/index.js';
import { ROOT, tf } from './helpers.js';

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

/** official_nets.inputs: deterministic images in [0, 1], made NCHW as in PyTorch, returned NHWC. */
export function officialInputs(n: number, [h, w, c]: [number, number, number]): tf.Tensor4D {
  const nchw = new Float32Array(n * c * h * w);
  for (let i = 0; i < nchw.length; i++) nchw[i] = ((i * 7919) % 257) / 256;
  return tf.tidy(() => tf.transpose(tf.tensor4d(nchw, [n, c, h, w]), [0, 2, 3, 1]));
}

/** Batch-norm statistics away from 0 and 1, so that inference-mode batch norm is exercised. */
export function randomizeBatchNorm(m: FeatureNet, seed: number): void {
  let s = seed;
  const next = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  for (const [n, v] of m.stateDict()) {
    if (!/(running_mean|running_var)$/.test(n)) continue;
    const vals = Float32Array.from({ length: v.size }, () => (n.endsWith('var') ? 0.5 + next() : 0.2 * next() - 0.1));
    v.assign(tf.tensor(vals, v.shape));
  }
}
