// No installed package with a known advisory (`npm audit` cannot reach its endpoint here: these
// are checked by package and version, docs/dependencies.md says where each range comes from), and
// danfojs-node still loads and works with its Excel and URL readers replaced by the stand-ins of
// stand-ins/ (they throw saying why). The scan reads every package.json under node_modules/.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './helpers.js';

/** Each package name, the version ranges with a known advisory ([lowest affected, first fixed)), and the advisory. */
const ADVISORIES: ReadonlyArray<[string, Array<[string, string]>, string]> = [
  ['xlsx', [['0.0.0', '0.20.2']], 'CVE-2023-30533 (< 0.19.3), CVE-2024-22363 (< 0.20.2)'],
  ['request', [['0.0.0', '999.0.0']], 'CVE-2023-28155, no fixed release (deprecated)'],
  [
    'form-data',
    [
      ['0.0.0', '2.5.4'],
      ['3.0.0', '3.0.4'],
      ['4.0.0', '4.0.4'],
    ],
    'CVE-2025-7783',
  ],
  ['tough-cookie', [['0.0.0', '4.1.3']], 'CVE-2023-26136'],
  ['qs', [['0.0.0', '6.14.1']], 'CVE-2022-24999, CVE-2025-15284'],
  ['mathjs', [['0.0.0', '15.2.0']], 'CVE-2026-40897, CVE-2026-41139 and earlier expression-parser advisories'],
  [
    'node-fetch',
    [
      ['0.0.0', '2.6.7'],
      ['3.0.0', '3.1.1'],
    ],
    'CVE-2022-0235',
  ],
  [
    'picomatch',
    [
      ['0.0.0', '2.3.2'],
      ['3.0.0', '3.0.2'],
      ['4.0.0', '4.0.4'],
    ],
    'CVE-2026-33671',
  ],
  [
    'brace-expansion',
    [
      ['1.0.0', '1.1.12'],
      ['2.0.0', '2.0.2'],
    ],
    'CVE-2025-5889',
  ],
  [
    'semver',
    [
      ['0.0.0', '5.7.2'],
      ['6.0.0', '6.3.1'],
      ['7.0.0', '7.5.2'],
    ],
    'CVE-2022-25883',
  ],
  [
    'rollup',
    [
      ['0.0.0', '2.79.2'],
      ['3.0.0', '3.29.5'],
      ['4.0.0', '4.22.4'],
    ],
    'CVE-2024-47068',
  ],
  ['@babel/runtime', [['0.0.0', '7.26.10']], 'CVE-2025-27789'],
  ['esbuild', [['0.0.0', '0.25.0']], 'GHSA-67mh-4wv8-2f99'],
  ['playwright-core', [['0.0.0', '1.55.1']], 'CVE-2025-59288'],
  ['jpeg-js', [['0.0.0', '0.4.4']], 'CVE-2022-25851'],
  ['ajv', [['0.0.0', '6.12.3']], 'CVE-2020-15366'],
  ['minimatch', [['0.0.0', '3.0.5']], 'CVE-2022-3517'],
  ['papaparse', [['0.0.0', '5.2.0']], 'CVE-2020-36649'],
  ['plotly.js-dist', [['0.0.0', '2.25.2']], 'CVE-2023-46308'],
];

const parse = (v: string) => v.split(/[.+-]/).slice(0, 3).map(Number);
function below(v: string, w: string): boolean {
  const [a, b] = [parse(v), parse(w)];
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
}

/** Every installed package (node_modules/**, scoped and nested), with its version and folder. */
function installed(dir: string, out: Array<{ name: string; version: string; dir: string }> = []) {
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir)) {
    if (e.startsWith('.')) continue;
    const d = path.join(dir, e);
    if (e.startsWith('@')) {
      installed(d, out);
      continue;
    }
    const pj = path.join(d, 'package.json');
    if (fs.existsSync(pj)) {
      const j = JSON.parse(fs.readFileSync(pj, 'utf8')) as { name?: string; version?: string };
      out.push({
        name: path.relative(path.join(ROOT, 'node_modules'), d).split(`node_modules${path.sep}`).pop()!,
        version: j.version ?? '',
        dir: d,
      });
      if (!fs.lstatSync(d).isSymbolicLink()) installed(path.join(d, 'node_modules'), out);
    }
  }
  return out;
}

test('no installed package is in a range with a known advisory; no xlsx < 0.19.3 anywhere', () => {
  const pkgs = installed(path.join(ROOT, 'node_modules'));
  assert.ok(pkgs.length > 100, `${pkgs.length} packages found`);
  const bad: string[] = [];
  for (const p of pkgs) {
    const real = fs.realpathSync(p.dir);
    // The stand-ins (stand-ins/ in this repository) take the place of xlsx and request.
    if (real.startsWith(path.join(ROOT, 'stand-ins') + path.sep)) continue;
    for (const [name, ranges, why] of ADVISORIES)
      if (p.name === name && ranges.some(([lo, hi]) => !below(p.version, lo) && below(p.version, hi)))
        bad.push(`${path.relative(ROOT, p.dir)} ${p.version}: ${why}`);
  }
  assert.deepEqual(bad, []);
  // What danfojs-node resolves for xlsx and request is the stand-in.
  const danfoDir = path.dirname(require.resolve('danfojs-node/package.json', { paths: [ROOT] }));
  for (const [dep, standIn] of [
    ['xlsx', 'mcr2-no-xlsx'],
    ['request', 'mcr2-no-request'],
  ]) {
    const pj = require.resolve(`${dep}/package.json`, { paths: [danfoDir] });
    assert.equal(JSON.parse(fs.readFileSync(pj, 'utf8')).name, standIn, `${dep} resolves to ${pj}`);
  }
  // The lockfile agrees (npm ci installs from it): no xlsx, request or mathjs 9 from the registry.
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string; resolved?: string; link?: boolean }>;
  };
  for (const [where, p] of Object.entries(lock.packages)) {
    const name = where.split('node_modules/').pop()!;
    if (name === 'xlsx' || name === 'request')
      assert.ok(p.link && p.resolved?.startsWith('stand-ins/'), `${where} in package-lock.json: ${JSON.stringify(p)}`);
    if (name === 'mathjs') assert.ok(!below(p.version ?? '0', '15.2.0'), `${where} ${p.version}`);
  }
});

test('danfojs-node loads and computes; Excel and URLs fail saying why', async () => {
  const dfd = require('danfojs-node') as typeof import('danfojs-node');
  const df = new dfd.DataFrame({ a: [1, 2, 3, 4], b: [2, 4, 6, 9] });
  // mathjs (15.2.0 by the override) behind std, median, variance (n - 1, as pandas).
  assert.equal(df.column('a').median(), 2.5);
  assert.ok(Math.abs(df.column('b').std() - Math.sqrt(26.75 / 3)) < 1e-12, `${df.column('b').std()}`);
  assert.ok(Math.abs(df.column('a').var() - 5 / 3) < 1e-12);
  // readExcel calls xlsx inside an fs callback (danfojs' code), where a throw is uncaught (tslab's
  // kernel logs it): the stand-in as danfojs resolves it, then toExcel, which calls it directly.
  const danfoDir = path.dirname(require.resolve('danfojs-node/package.json', { paths: [ROOT] }));
  const xlsx = require(require.resolve('xlsx', { paths: [danfoDir] })) as Record<string, (...a: unknown[]) => unknown> & {
    utils: Record<string, () => unknown>;
  };
  for (const call of [
    () => xlsx.readFile('a.xlsx'),
    () => xlsx.read(new Uint8Array(4)),
    () => xlsx.utils.sheet_to_json(),
    () => xlsx.writeFile(),
  ])
    assert.throws(call, /^Error: Excel files are not supported in mcr2 .*CVE-2023-30533.*use readCSV$/);
  assert.throws(() => dfd.toExcel(df, { filePath: '/tmp/x.xlsx' }), /Excel files are not supported in mcr2/);
  await assert.rejects(async () => dfd.readCSV('http://127.0.0.1:9/x.csv'), /reading a URL is not supported in mcr2/);
  // A local CSV reads as ever.
  const csv = path.join(ROOT, 'test', 'fixtures', 'frames.csv');
  fs.writeFileSync(csv, 'x,y\n1,2\n3,4\n');
  try {
    const read = await dfd.readCSV(csv);
    assert.deepEqual(read.values, [
      [1, 2],
      [3, 4],
    ]);
  } finally {
    fs.rmSync(csv);
  }
});

test('package.json: ml-kmeans and ml-svm are dev-only (scripts/bench_eval.ts), the stand-ins are declared', () => {
  const pj = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  for (const k of ['ml-kmeans', 'ml-svm']) {
    assert.ok(pj.devDependencies[k], `${k} in devDependencies`);
    assert.equal(pj.dependencies[k], undefined, `${k} is not a runtime dependency`);
  }
  assert.equal(pj.dependencies.xlsx, 'file:stand-ins/xlsx');
  assert.equal(pj.dependencies.request, 'file:stand-ins/request');
  assert.deepEqual(pj.overrides.xlsx, '$xlsx');
  assert.deepEqual(pj.overrides.request, '$request');
  // Nothing in lib/ imports them.
  const libFiles = (dir: string): string[] =>
    fs
      .readdirSync(dir, { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? libFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
  for (const f of libFiles(path.join(ROOT, 'lib')))
    assert.doesNotMatch(fs.readFileSync(f, 'utf8'), /from 'ml-(kmeans|svm)'|require\('ml-/, f);
});
