// The committed ReduNet notebooks (cpu-profile outputs) show what their prose says: 08's features of
// the test sets classified as well as the inputs and ΔR rising over the layers; 09's and 10's networks
// commuting with shifts to rounding.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { committedNotebook } from './committed_notebook.js';

/** The rows of an HTML table of the notebook kit: the cells of each body row (the index column left out). */
function rowsOf(html: string): string[][] {
  return [...html.matchAll(/<tr><th>\d+<\/th>(.*?)<\/tr>/g)].map((m) => [...m[1].matchAll(/<td>([^<]*)<\/td>/g)].map((c) => c[1]));
}

test('08_redunet_gaussians: the paper-size runs classify the test sets on Z, and ΔR rises', () => {
  const nb = committedNotebook('08_redunet_gaussians.ipynb');
  assert.ok(!nb.outputs.some((o) => o.output_type === 'error'), 'no error outputs');
  assert.match(nb.text, /profiles \(this run: cpu\)/);
  assert.match(nb.text, /2000 layers constructed from 1000 points/);
  for (const space of ['R²', 'R³']) {
    const acc = nb.table(`${space}: accuracies`);
    assert.ok(acc, `${space} accuracy table`);
    const zTest = rowsOf(acc).find((r) => r[0] === 'Z' && r[1] === 'test');
    assert.ok(zTest, `${space}: a Z / test row`);
    for (const v of zTest.slice(2)) assert.ok(Number(v) >= 0.99, `${space}: Z test accuracy ${v}`);
    const loss = nb.table(`${space}: after some layers`);
    assert.ok(loss, `${space} loss table`);
    const dR = rowsOf(loss).map((r) => Number(r[1]));
    assert.ok(dR.length >= 3 && dR.every((v, i) => i === 0 || v >= dR[i - 1]), `${space}: ΔR after layers ${dR}`);
  }
});

test('09_redunet_rotation_mnist: features of shifted signals are the shifted features, to rounding', () => {
  const nb = committedNotebook('09_redunet_rotation_mnist.ipynb');
  assert.ok(!nb.outputs.some((o) => o.output_type === 'error'), 'no error outputs');
  assert.match(nb.text, /profiles \(this run: cpu\)/);
  const m = nb.text.match(/largest \|Z\(shift x\) − shift Z\(x\)\| = ([\d.e+-]+)/);
  assert.ok(m, 'the invariance line');
  assert.ok(Number(m[1]) < 1e-12, `largest difference ${m[1]}`);
  assert.match(nb.text, /40 layers constructed from 100 signals/);
  const acc = nb.table('accuracies, fitted on the training set');
  assert.ok(acc, 'accuracy table');
  const zTrain = rowsOf(acc).find((r) => r[0] === 'Z' && r[1] === 'train');
  assert.ok(zTrain && Number(zTrain[2]) === 1, `Z train LinearSVC ${zTrain?.[2]}`);
});

test('10_redunet_translation_mnist: features of translated images are the translated features, to rounding', () => {
  const nb = committedNotebook('10_redunet_translation_mnist.ipynb');
  assert.ok(!nb.outputs.some((o) => o.output_type === 'error'), 'no error outputs');
  assert.match(nb.text, /profiles \(this run: cpu\)/);
  const m = nb.text.match(/largest \|Z\(shift x\) − shift Z\(x\)\| = ([\d.e+-]+)/);
  assert.ok(m, 'the invariance line');
  assert.ok(Number(m[1]) < 1e-12, `largest difference ${m[1]}`);
  assert.match(nb.text, /25 layers constructed from 100 images/);
});
