// The public surface as a list (test/fixtures/public_api.txt): every name `import * as mcr2 from
// 'mcr2'` gives, at the top level and in each namespace, types marked. A change to the surface is
// then a visible diff of that file: `MCR2_UPDATE_API=1 node --test dist/test/public_api.test.js`
// rewrites it. The list is read from the export clauses of lib/index.ts and lib/namespaces/ and
// checked against what the built module really exports, so it cannot drift from the code.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as mcr2 from '../lib/index.js';
import { ROOT } from './helpers.js';

const SNAPSHOT = path.join(ROOT, 'test', 'fixtures', 'public_api.txt');

interface Surface {
  /** 'name' or 'type Name', per namespace ('' for the top level). */
  names: Map<string, string[]>;
  /** `export *` clauses: an uncurated re-export. */
  wildcards: string[];
}

/** The export clauses of a module file: names (types marked), namespaces, wildcards. */
function exportsOf(file: string): { names: string[]; namespaces: Array<[string, string]>; wildcards: string[] } {
  const text = fs.readFileSync(file, 'utf8').replace(/^\s*\/\/.*$/gm, '');
  const names: string[] = [];
  const namespaces: Array<[string, string]> = [];
  const wildcards: string[] = [];
  for (const m of text.matchAll(/export\s+(type\s+)?(\*\s+as\s+(\w+)|\*|\{([^}]*)\})(?:\s+from\s+['"]([^'"]+)['"])?/g)) {
    const [, allTypes, , ns, list, from] = m;
    if (ns !== undefined) namespaces.push([ns, path.resolve(path.dirname(file), from.replace(/\.js$/, '.ts'))]);
    else if (list === undefined) wildcards.push(`${path.relative(ROOT, file)}: export * from '${from}'`);
    else
      for (const item of list.split(',').map((s) => s.trim())) {
        if (item === '') continue;
        const isType = allTypes !== undefined || item.startsWith('type ');
        const name = item
          .replace(/^type\s+/, '')
          .split(/\s+as\s+/)
          .pop()!;
        names.push(isType ? `type ${name}` : name);
      }
  }
  return { names, namespaces, wildcards };
}

function surface(): Surface {
  const top = exportsOf(path.join(ROOT, 'lib', 'index.ts'));
  const names = new Map<string, string[]>([['', top.names]]);
  const wildcards = [...top.wildcards];
  for (const [ns, file] of top.namespaces) {
    const e = exportsOf(file);
    names.set(ns, e.names);
    wildcards.push(...e.wildcards);
  }
  return { names, wildcards };
}

const listing = (s: Surface) =>
  [...s.names]
    .flatMap(([ns, names]) => [...names].sort().map((n) => (ns === '' ? n : n.replace(/^(type )?/, `$1${ns}.`))))
    .concat([...s.names.keys()].filter((ns) => ns !== '').map((ns) => `namespace ${ns}`))
    .sort();

test('every namespace lists its names (no export *), and the list is what the module exports', () => {
  const s = surface();
  assert.deepEqual(s.wildcards, [], 'curate these re-exports');
  const runtime = mcr2 as unknown as Record<string, unknown>;
  for (const [ns, names] of s.names) {
    const values = names.filter((n) => !n.startsWith('type ')).sort();
    const have = ns === '' ? Object.keys(runtime).filter((k) => !s.names.has(k)) : Object.keys(runtime[ns] as object);
    assert.deepEqual([...have].sort(), values, `the values of ${ns || 'the top level'}`);
  }
});

test('the public names are test/fixtures/public_api.txt (a surface change is a diff of it)', () => {
  const now = `${listing(surface()).join('\n')}\n`;
  if (process.env.MCR2_UPDATE_API === '1') fs.writeFileSync(SNAPSHOT, now);
  const before = fs.existsSync(SNAPSHOT) ? fs.readFileSync(SNAPSHOT, 'utf8') : '';
  const [a, b] = [before.split('\n'), now.split('\n')];
  const added = b.filter((n) => n !== '' && !a.includes(n));
  const removed = a.filter((n) => n !== '' && !b.includes(n));
  assert.deepEqual({ added, removed }, { added: [], removed: [] }, 'run with MCR2_UPDATE_API=1 to accept, and commit the file');
});

test('internals stay behind their module paths', () => {
  const all = listing(surface()).join('\n');
  for (const internal of [
    'plot.closeRenderer',
    'plot.plotlyBundle',
    'plot.movingAverage',
    'plot.figureCellHtml',
    'train.LOSS_HEADER',
    'train.parseLossesCsv',
    'train.defaultWorkers',
    'io.notebookFiguresDir',
    'evaluate.linearSumAssignment',
    'findChromium',
  ])
    assert.ok(!all.split('\n').some((n) => n.endsWith(internal)), internal);
});
