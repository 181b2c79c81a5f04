// The committed notebooks/05_cifar10_resnet18.ipynb (cpu-profile outputs): a ResNet-18 trained on real
// CIFAR-10 images whose ΔR rose over training, every figure shown as a PNG, the accuracy table
// against raw pixels, its wall time, and no machine-specific path.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './helpers.js';

interface Output {
  output_type: string;
  text?: string[] | string;
  data?: Record<string, string[] | string>;
}

const joined = (v: string[] | string | undefined) => (Array.isArray(v) ? v.join('') : (v ?? ''));

test('05_cifar10_resnet18: committed cpu outputs train on CIFAR-10 end to end, ΔR rising, figures and table', () => {
  const nb = JSON.parse(fs.readFileSync(path.join(ROOT, 'notebooks', '05_cifar10_resnet18.ipynb'), 'utf8'));
  const outputs = nb.cells.flatMap((c: { outputs?: Output[] }) => c.outputs ?? []) as Output[];
  assert.ok(!outputs.some((o) => o.output_type === 'error'), 'no error outputs');
  const text = outputs.map((o) => joined(o.text) + joined(o.data?.['text/plain'])).join('\n');
  assert.match(text, /profile: cpu/);
  assert.doesNotMatch(text, /\/work\/|\/tmp\/|\/home\//, 'machine-specific path in the outputs');
  assert.match(text, /data: cifar10 train, 1000 images 32x32x3 from \$MCR2_DATA_DIR\//);
  assert.match(text, /epoch 3\/3 /);
  const dr = text.match(/30 steps: ΔR (-?[\d.]+) → (-?[\d.]+)/);
  assert.ok(dr, 'the ΔR line');
  assert.ok(Number(dr[2]) > Number(dr[1]) + 5, `ΔR ${dr[1]} → ${dr[2]}`);
  const pngs = outputs.filter((o) => o.data?.['image/png'] !== undefined).length;
  assert.equal(pngs, 6, 'six figures as PNG');
  const table = outputs.map((o) => joined(o.data?.['text/html'])).find((h) => h.includes('<caption>CIFAR-10 test accuracy'));
  assert.ok(table, 'accuracy table');
  const accs = [...table.matchAll(/<td>(0\.\d+)<\/td>/g)].map((m) => Number(m[1]));
  assert.equal(accs.length, 4, `kNN, nearest subspace, SVM on features and kNN on pixels: ${accs}`);
  for (const a of accs) assert.ok(a > 0.15 && a < 1, `accuracy ${a} above chance (0.1)`);
  assert.match(text, /this run: \d+\.\d min on \d+ cores \(cpu profile\)/);
});
