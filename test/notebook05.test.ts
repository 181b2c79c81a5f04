// The committed notebooks/05_cifar10_resnet18.ipynb (cpu-profile outputs): a ResNet-18 trained on real
// CIFAR-10 images whose ΔR rose over training, every figure shown as a PNG, the accuracy table
// against raw pixels, its wall time, and no machine-specific path.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { committedNotebook } from './committed_notebook.js';

test('05_cifar10_resnet18: committed cpu outputs train on CIFAR-10 end to end, ΔR rising, figures and table', () => {
  const { outputs, text, table: tableOf } = committedNotebook('05_cifar10_resnet18.ipynb');
  assert.ok(!outputs.some((o) => o.output_type === 'error'), 'no error outputs');
  assert.match(text, /profile: cpu/);
  assert.doesNotMatch(text, /\/work\/|\/tmp\/|\/home\//, 'machine-specific path in the outputs');
  assert.match(text, /data: cifar10 train, 1000 images 32x32x3 from \$MCR2_DATA_DIR\//);
  assert.match(text, /epoch 3\/3 /);
  const dr = text.match(/30 steps: ΔR (-?[\d.]+) → (-?[\d.]+)/);
  assert.ok(dr, 'the ΔR line');
  assert.ok(Number(dr[2]) > Number(dr[1]) + 5, `ΔR ${dr[1]} → ${dr[2]}`);
  const pngs = outputs.filter((o) => o.data?.['image/png'] !== undefined).length;
  assert.equal(pngs, 6, 'six figures as PNG');
  const table = tableOf('CIFAR-10 test accuracy');
  assert.ok(table, 'accuracy table');
  const accs = [...table.matchAll(/<td>(0\.\d+)<\/td>/g)].map((m) => Number(m[1]));
  assert.equal(accs.length, 4, `kNN, nearest subspace, SVM on features and kNN on pixels: ${accs}`);
  for (const a of accs) assert.ok(a > 0.15 && a < 1, `accuracy ${a} above chance (0.1)`);
  assert.match(text, /this run: \d+\.\d min on \d+ cores \(cpu profile\)/);
});
