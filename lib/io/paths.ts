// Where the package lives, and the default folders inside it.
import * as fs from 'node:fs';
import * as path from 'node:path';

let root: string | undefined;

/** The folder holding this package's package.json (works from lib/ sources and dist/ builds). */
export function packageRoot(): string {
  if (root !== undefined) return root;
  let d = __dirname;
  for (;;) {
    const pj = path.join(d, 'package.json');
    if (fs.existsSync(pj) && JSON.parse(fs.readFileSync(pj, 'utf8')).name === 'mcr2') {
      root = d;
      return d;
    }
    const up = path.dirname(d);
    if (up === d) throw new Error(`cannot find the mcr2 package.json above ${__dirname}`);
    d = up;
  }
}

/**
 * Default --data_dir: $MCR2_DATA_DIR when set (a folder holding the datasets, e.g. a shared copy),
 * otherwise the package's datasets/ folder. It replaces the default as --data_dir would: only that
 * folder is searched, then (MNIST, Fashion-MNIST) the copies this machine ships with.
 */
export function defaultDataDir(): string {
  const env = process.env.MCR2_DATA_DIR;
  return env !== undefined && env.trim() !== '' ? path.resolve(env) : path.join(packageRoot(), 'datasets');
}

/** `child` relative to `dir` if it is `dir` or inside it. */
function inside(dir: string, child: string): string | undefined {
  const rel = path.relative(dir, child);
  return rel === '' ? '.' : rel.startsWith('..') || path.isAbsolute(rel) ? undefined : rel;
}

/**
 * A path as log lines print it, without the machine's own folders: under $MCR2_DATA_DIR as
 * `$MCR2_DATA_DIR/...`, under the current directory relative to it, under the package root
 * relative to that (notebooks run in notebooks/ and print `saved_models/...`), otherwise absolute.
 */
export function displayPath(p: string): string {
  const abs = path.resolve(p);
  const env = process.env.MCR2_DATA_DIR;
  if (env !== undefined && env.trim() !== '') {
    const r = inside(path.resolve(env), abs);
    if (r !== undefined) return r === '.' ? '$MCR2_DATA_DIR' : `$MCR2_DATA_DIR/${r}`;
  }
  return inside(process.cwd(), abs) ?? inside(packageRoot(), abs) ?? abs;
}

/** Default --save_dir: ./saved_models/ under the current directory, as the official scripts. */
export function defaultSaveDir(): string {
  return path.resolve('saved_models');
}

/**
 * The compiled JS of a worker script beside the calling module (dist/lib/...), also when the
 * caller runs from TypeScript sources (tsx): then the built copy under dist/ is used, if any.
 */
export function workerScript(callerDir: string, name: string): string | undefined {
  const here = path.join(callerDir, `${name}.js`);
  if (fs.existsSync(here)) return here;
  const rel = path.relative(packageRoot(), callerDir);
  const built = path.join(packageRoot(), 'dist', rel, `${name}.js`);
  return fs.existsSync(built) ? built : undefined;
}
