// Measuring training on corrupted labels (lib/evaluate/noisy_labels.ts): the fit of the training
// labels and the memorisation of the wrong ones, and nearest subspace held out, which an in-sample fit
// cannot replace at small sizes (random labels of random features are fitted perfectly in-sample).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { heldOutNearestSubspace, judgeNoisyLabels, labelFit } from '../lib/evaluate/noisy_labels.js';
import { NearestSubspace } from '../lib/evaluate/nearsub.js';
import { accuracy } from '../lib/evaluate/metrics.js';
import { randomUnitFeatures, subspaceMixture } from '../lib/data/synthetic.js';
import { RandomState } from '../lib/math/random.js';
import { createNetwork } from '../lib/models/network.js';
import type { ImageDataset } from '../lib/data/dataset.js';
import { initBackendFor } from './helpers.js';

test('labelFit: the fit of the training labels, the wrong labels memorised and corrected', () => {
  const clean = [0, 1, 2, 3, 0, 1, 2, 3];
  const noisy = [0, 1, 2, 3, 1, 2, 3, 3]; // images 4, 5, 6 corrupted (7 drew its own label)
  const pred = [0, 1, 0, 3, 1, 1, 0, 3]; // 4 memorised, 5 corrected, 6 neither; 2 a plain mistake
  assert.deepEqual(labelFit(pred, noisy, clean), { fit: 5 / 8, memorised: 1 / 3, corrected: 1 / 3, corrupted: 3 });
  assert.ok(Number.isNaN(labelFit([0], [0], [0]).memorised), 'nothing corrupted: memorised is undefined');
  assert.throws(() => labelFit([0, 1], [0], [0, 1]), /2 predictions, 1 training labels and 2 true labels/);
});

test('heldOutNearestSubspace: chance on random labels of random features (where the in-sample fit is perfect), near 1 on separate subspaces', () => {
  const n = 1000;
  const noise = { features: randomUnitFeatures(n, 128, 0), labels: new RandomState(1).randint(0, 10, n), n, dim: 128 };
  assert.equal(new NearestSubspace({ nComp: 30 }).fit(noise).score(noise), 1);
  const held = accuracy(heldOutNearestSubspace(noise, { nearsub: { nComp: 30 } }), noise.labels);
  assert.ok(held > 0.05 && held < 0.15, `held out ${held}`);
  const mix = subspaceMixture({ classes: 5, dim: 32, subspaceDim: 3, perClass: 100, noise: 0.05, seed: 2 });
  const sep = accuracy(heldOutNearestSubspace(mix, { nearsub: { nComp: 3 } }), mix.labels);
  assert.ok(sep > 0.95, `separate subspaces ${sep}`);
  assert.throws(() => heldOutNearestSubspace(noise, { folds: 1 }), /folds must be an integer in \[2, 1000\]/);
});

test('judgeNoisyLabels: a feature network by held-out nearest subspace, a cross-entropy network by its logits and its penultimate features (one pass)', async () => {
  await initBackendFor('wasm');
  const r = new RandomState(3);
  const n = 60;
  const images = Uint8Array.from(r.randint(0, 256, n * 28 * 28));
  const labels = Int32Array.from({ length: n }, (_, i) => i % 3);
  const ds: ImageDataset = {
    name: 'random',
    split: 'train',
    n,
    height: 28,
    width: 28,
    channels: 1,
    images,
    labels,
    numClasses: 3,
    classes: ['a', 'b', 'c'],
    source: 'memory',
  };
  const noisy = labels.map((y, i) => (i % 5 === 0 ? (y + 1) % 3 : y));
  for (const logits of [undefined, 3]) {
    const model = createNetwork('cnn-small', 16, { seed: 0, inputShape: [28, 28, 1], logits });
    try {
      const j = await judgeNoisyLabels(model, { train: ds, trainLabels: noisy, test: ds }, { nearsub: { nComp: 4 }, k: 3 });
      assert.equal(j.fit.corrupted, 12);
      for (const v of [j.fit.fit, j.fit.memorised, j.test.nearsub, j.test.svm!, j.test.knn!]) assert.ok(v >= 0 && v <= 1, `${v}`);
      if (logits) {
        assert.ok(j.test.ce !== undefined && j.featureFit === undefined, 'CE: its logits, no held-out fit unless asked');
      } else {
        assert.ok(j.test.ce === undefined && j.featureFit === j.fit, 'MCR²: its classifier is the held-out nearest subspace');
      }
    } finally {
      model.dispose();
    }
  }
  const model = createNetwork('cnn-small', 16, { inputShape: [28, 28, 1] });
  await assert.rejects(judgeNoisyLabels(model, { train: ds, trainLabels: noisy.slice(1), test: ds }), /59 training labels for 60 images/);
  model.dispose();
});
