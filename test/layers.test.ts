// The folders of lib/ import one another in one direction only: no folder circle (train ↔ plot,
// evaluate ↔ runs, ...). The test reads every import of lib/ as text (static, re-exports and dynamic
// import()), so a new circle fails here with the files that close it; docs/layout.md draws the layers.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './helpers.js';

const LIB = path.join(ROOT, 'lib');
const IMPORT = /(?:^|[^\w.])(?:import|export)\s[^;]*?\sfrom\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/gs;

/** lib/'s first-level folder of a file ('(root)' for lib/index.ts). */
const folderOf = (file: string) => {
  const parts = path.relative(LIB, file).split(path.sep);
  return parts.length > 1 ? parts[0] : '(root)';
};

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** folder → folder → the imports (file → target) that make that edge. */
export function folderGraph(): Map<string, Map<string, string[]>> {
  const g = new Map<string, Map<string, string[]>>();
  for (const file of sources(LIB)) {
    const text = fs.readFileSync(file, 'utf8').replace(/^\s*\/\/.*$/gm, '');
    for (const m of text.matchAll(IMPORT)) {
      const target = path.resolve(path.dirname(file), m[1] ?? m[2]);
      const [a, b] = [folderOf(file), folderOf(target)];
      if (a === b) continue;
      if (!g.has(a)) g.set(a, new Map());
      const edge = g.get(a)!;
      if (!edge.has(b)) edge.set(b, []);
      edge.get(b)!.push(`${path.relative(LIB, file)} → ${path.relative(LIB, target)}`);
    }
  }
  return g;
}

/** Every elementary circle of folders, each once (starting at its smallest name). */
function circles(g: Map<string, Map<string, string[]>>): string[][] {
  const out: string[][] = [];
  const walk = (start: string, at: string, trail: string[]) => {
    for (const next of g.get(at)?.keys() ?? []) {
      if (next === start) out.push([...trail, start]);
      else if (next > start && !trail.includes(next)) walk(start, next, [...trail, next]);
    }
  };
  for (const start of [...g.keys()].sort()) walk(start, start, [start]);
  return out;
}

test('lib/ folders import in one direction: no folder circle', () => {
  const g = folderGraph();
  assert.ok(g.size >= 8, `read the imports of ${g.size} folders`);
  const found = circles(g);
  const why = found.map((c) =>
    [
      c.join(' → '),
      ...c.slice(0, -1).map(
        (a, i) =>
          `    ${a} → ${c[i + 1]}: ${g
            .get(a)!
            .get(c[i + 1])!
            .slice(0, 3)
            .join('; ')}`,
      ),
    ].join('\n'),
  );
  assert.deepEqual(why, [], `folder circles:\n${why.join('\n')}`);
});

test('the core folders do not reach up into runs/, train/, notebook/ or cli/', () => {
  const g = folderGraph();
  const core = ['backend', 'data', 'evaluate', 'features', 'io', 'loss', 'math', 'models', 'plot', 'redunet'];
  const upper = ['runs', 'train', 'notebook', 'cli', 'namespaces', '(root)'];
  const bad = core.flatMap((a) => upper.flatMap((b) => g.get(a)?.get(b) ?? []));
  assert.deepEqual(bad, []);
});
