// Every notebook's `paper` profile is what it says it is: the official README's command (a preset of
// lib/train/presets.ts, itself checked against the command line in test/presets.test.ts) or the
// MNIST reference protocol, with nothing changed but what the notebook adds (its own keys, the whole
// dataset, the code's hard-coded milestones).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { SELFSUP_PRESETS, SUPERVISED_PRESETS } from '../lib/train/presets.js';
import { SUPERVISED_PROFILES } from '../lib/train/profiles.js';
import { resolveSelfSup } from '../lib/train/selfsup.js';
import { resolveSupervised } from '../lib/train/supervised.js';
import { ROOT } from './helpers.js';

/** The `paper: {...}` line of a notebook's code, if it has one. */
function paperLine(name: string): string | undefined {
  const nb = JSON.parse(fs.readFileSync(path.join(ROOT, 'notebooks', name), 'utf8')) as {
    cells: Array<{ cell_type: string; source: string[] | string }>;
  };
  const code = nb.cells
    .filter((c) => c.cell_type === 'code')
    .map((c) => (Array.isArray(c.source) ? c.source.join('') : c.source))
    .join('\n');
  return code.split('\n').find((l) => /^\s*paper: \{/.test(l));
}

/** The `key: value` overrides after the spread in a paper line (values as written). */
function overrides(line: string): Record<string, string> {
  const body = line.replace(/^\s*paper: \{\s*(run: \{\s*)?/, '').replace(/\s*\}\s*,?\s*$/, '');
  const out: Record<string, string> = {};
  for (const m of body.matchAll(/(\w+): (\[[^\]]*\]|[^,{}]+)/g)) out[m[1]] = m[2].trim();
  return out;
}

// What a notebook may add to a preset: its own sizes of evaluation, never a training option but
// the dataset size (all of it) and the milestones the official code hard-codes.
const NOTEBOOK_KEYS = new Set(['testSubset', 'nComp', 'enscRows', 'ratios', 'early', 'finalTest', 'judgeEvery']);

test('each paper profile spreads the official command it names, changing no training option', () => {
  const cases: Array<[string, 'sup' | 'selfsup', string]> = [
    ['04_selfsup_clustering.ipynb', 'selfsup', 'cifar10Ctrl'],
    ['05_cifar10_supervised.ipynb', 'sup', 'cifar10Sup'],
    ['06_cifar10_label_corruption.ipynb', 'sup', 'cifar10Sup'],
    ['07_cifar10_selfsup_clustering.ipynb', 'selfsup', 'cifar10Ctrl'],
  ];
  for (const [name, kind, preset] of cases) {
    const line = paperLine(name);
    assert.ok(line, `${name}: a paper profile`);
    const presets = kind === 'sup' ? 'SUPERVISED_PRESETS' : 'SELFSUP_PRESETS';
    assert.ok(line.includes(`...mcr2.train.${presets}.${preset}`), `${name} spreads ${presets}.${preset}: ${line.trim()}`);
    const resolved = (kind === 'sup'
      ? resolveSupervised(SUPERVISED_PRESETS[preset as keyof typeof SUPERVISED_PRESETS])
      : resolveSelfSup(SELFSUP_PRESETS[preset as keyof typeof SELFSUP_PRESETS])) as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(overrides(line.split(`${preset},`)[1] ?? ''))) {
      if (NOTEBOOK_KEYS.has(k)) continue;
      if (k === 'subset') assert.equal(v, '0', `${name}: subset ${v}`);
      else if (k === 'milestones') assert.equal(v, JSON.stringify(resolved.milestones).replaceAll(',', ', '), `${name}: milestones ${v}`);
      else assert.fail(`${name}: its paper profile changes ${k} (${v}) from the official command`);
    }
  }
});

test('the MNIST paper profiles are the reference protocol', () => {
  const protocol = resolveSupervised(SUPERVISED_PRESETS.mnistProtocol);
  // Notebook 01 takes lib/train/profiles.ts's; notebook 03 spreads the preset.
  const p = SUPERVISED_PROFILES.paper;
  assert.deepEqual(
    [p.subset, p.epochs, p.batchSize, p.lr, p.milestones],
    [protocol.subset, protocol.epochs, protocol.batchSize, protocol.lr, protocol.milestones],
  );
  const line = paperLine('03_label_corruption.ipynb');
  assert.ok(line, '03: a paper profile');
  assert.ok(
    line.includes('...mcr2.train.SUPERVISED_PRESETS.mnistProtocol') ||
      /subset: 0, epochs: 8, batchSize: 1000, lr: 0.05, milestones: \[6\]/.test(line),
    line,
  );
});
