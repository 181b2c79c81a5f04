// The public surface (lib/index.ts): a short top level, one namespace per library folder, no
// internals at the top level.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as mcr2 from '../lib/index.js';
import { ROOT } from './helpers.js';

test('the top level is short: what a notebook needs first, then the namespaces', () => {
  const names = Object.keys(mcr2).sort();
  // One namespace per library folder, named as the folder (mcr2.data is lib/data/).
  const namespaces = fs
    .readdirSync(path.join(ROOT, 'lib', 'namespaces'))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.replace(/\.ts$/, ''))
    .sort();
  assert.deepEqual(namespaces, [
    'accel',
    'data',
    'evaluate',
    'features',
    'frames',
    'io',
    'loss',
    'math',
    'models',
    'options',
    'plot',
    'redunet',
    'runs',
    'train',
  ]);
  for (const ns of namespaces) {
    assert.equal(typeof (mcr2 as unknown as Record<string, unknown>)[ns], 'object', ns);
    assert.ok(fs.statSync(path.join(ROOT, 'lib', ns)).isDirectory(), `mcr2.${ns} has its folder lib/${ns}/`);
  }
  for (const name of ['tf', 'initBackend', 'loadDataset', 'MaximalCodingRateReduction', 'trainSupervised', 'KNN', 'EnSC', 'showFigure'])
    assert.ok(names.includes(name), name);
  // Besides the namespaces, a short top level: what a notebook needs first.
  const shortcuts = names.filter((n) => !namespaces.includes(n));
  assert.ok(shortcuts.length <= 19, `${shortcuts.length} top-level names besides the namespaces: ${shortcuts.join(', ')}`);
  // Internals stay behind their module paths.
  for (const internal of [
    'choleskyRemove',
    'csrMatVec',
    'findChromium',
    'pyFloat',
    'knnPredictParallel',
    'kmeansClusterParallel',
    'lassoLars',
  ])
    assert.ok(!names.includes(internal), internal);
  for (const ns of namespaces) {
    const members = Object.keys((mcr2 as unknown as Record<string, Record<string, unknown>>)[ns]);
    for (const internal of ['choleskyRemove', 'csrMatVec', 'findChromium', 'pyFloat', 'enscClusterParallel', 'encodeZip'])
      assert.ok(!members.includes(internal), `${ns}.${internal}`);
  }
  // The shortcuts are the namespace members themselves.
  assert.equal(mcr2.KNN, mcr2.evaluate.KNN);
  assert.equal(mcr2.subspaceMixture, mcr2.data.subspaceMixture);
  assert.equal(mcr2.evaluate.KNN_DEFAULTS.k, 5);
  assert.equal(mcr2.evaluate.ENSC_DEFAULTS.gamma, 300);
});
