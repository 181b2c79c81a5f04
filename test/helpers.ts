// Shared test helpers: fixture paths and the backends this machine can run.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../lib/accel/backend.js';

/** The project root (the folder holding package.json), wherever the compiled test runs from. */
export const ROOT = (() => {
  let d = __dirname;
  while (!fs.existsSync(path.join(d, 'package.json'))) {
    const up = path.dirname(d);
    if (up === d) throw new Error(`package.json not found above ${__dirname}`);
    d = up;
  }
  return d;
})();

export function fixture(name: string): string {
  return path.join(ROOT, 'test', 'fixtures', name);
}

/** ../shared beside the project (CI and development machines), or undefined in a user's clone. */
export function sharedDir(): string | undefined {
  const d = path.join(ROOT, '..', 'shared');
  return fs.existsSync(d) ? d : undefined;
}

/** Backends to check numerics on: wasm and cpu always, tensorflow where tfjs-node is installed. */
export async function availableBackends(): Promise<string[]> {
  const out: string[] = [];
  for (const b of ['tensorflow', 'wasm', 'cpu']) {
    try {
      await initBackend(b);
      out.push(b);
    } catch {
      // not installed here
    }
  }
  await initBackend('wasm');
  return out;
}

export function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  let e = 0;
  for (let i = 0; i < b.length; i++) e = Math.max(e, Math.abs(a[i] - b[i]));
  return e / Math.max(scale, 1e-30);
}

export { tf };

/** Switches the active backend (tests compare several in one process). */
export async function initBackendFor(name: string): Promise<void> {
  await initBackend(name);
}
