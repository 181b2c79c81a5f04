// Our networks' state_dicts against PyTorch's (lib/models/torch_state.ts): for every --arch the
// names, order and shapes of the official state_dict (test/fixtures/torch_arch_names.json, from the
// official architectures in scripts/fixtures/official_nets.py); an official checkpoint (resnet18stl,
// saved by torch) giving PyTorch's features; our weights through PyTorch's layout and back unchanged.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { readTorchCheckpoint, encodeTorchCheckpoint, parseTorchCheckpoint } from '../lib/io/torch.js';
import { ARCH_NAMES, createModel } from '../lib/models/index.js';
import { fromTorchStateDict, loadTorchStateDict, torchStateDictLayout, toTorchStateDict } from '../lib/models/torch_state.js';
import { fixture, initBackendFor, tf } from './helpers.js';
import { officialInputs, randomizeBatchNorm } from './torch_helpers.js';

const NAMES = JSON.parse(fs.readFileSync(fixture('torch_arch_names.json'), 'utf8')) as Record<string, Array<[string, number[]]>>;

test("every --arch: the official state_dict's names, order and shapes (fd 128, DataParallel's module. prefix)", async () => {
  await initBackendFor('wasm');
  // Every official architecture (the fixture: names torch gives them); cnn3 and the narrow ResNet-18s
  // are this project's CPU networks, with no official counterpart to compare.
  const ours = new Set(['cnn3', 'resnet18w8']);
  assert.deepEqual(Object.keys(NAMES).sort(), ARCH_NAMES.filter((a) => !ours.has(a)).sort());
  for (const arch of Object.keys(NAMES)) {
    const m = createModel(arch, 128);
    assert.deepEqual(torchStateDictLayout(m), NAMES[arch], arch);
    assert.deepEqual(torchStateDictLayout(m, '').slice(0, 1), [[NAMES[arch][0][0].slice('module.'.length), NAMES[arch][0][1]]]);
    m.dispose();
  }
});

test("an official checkpoint saved by torch (resnet18stl, fd 4) gives PyTorch's eval-mode features", async () => {
  await initBackendFor('wasm');
  const want = JSON.parse(fs.readFileSync(fixture('torch/resnet18stl_fd4.json'), 'utf8')) as { n: number; features: number[][] };
  const m = createModel('resnet18stl', 4, { seed: 9 });
  loadTorchStateDict(m, readTorchCheckpoint(fixture('torch/resnet18stl_fd4.pt')));
  m.eval();
  const x = officialInputs(want.n, [96, 96, 3]);
  const y = tf.tidy(() => m.forward(x).arraySync());
  let diff = 0;
  for (let i = 0; i < want.n; i++) for (let j = 0; j < 4; j++) diff = Math.max(diff, Math.abs(y[i][j] - want.features[i][j]));
  assert.ok(diff < 1e-5, `max |ours - PyTorch| = ${diff}`);
  x.dispose();
  m.dispose();
});

test('our weights into PyTorch layout and back are unchanged (conv, grouped conv, a Linear after an HWC flatten); features equal', async () => {
  await initBackendFor('wasm');
  for (const [arch, fd] of [
    ['cnn-small', 16],
    ['resnext29_32x4d', 8],
    ['resnet18stl', 8],
  ] as const) {
    const a = createModel(arch, fd, { seed: 3 });
    randomizeBatchNorm(a, 5);
    const sd = parseTorchCheckpoint(encodeTorchCheckpoint(toTorchStateDict(a, { numBatchesTracked: 12 })), 'x.pt');
    assert.equal(sd.get([...sd.keys()].find((k) => k.endsWith('num_batches_tracked'))!)?.data[0], 12n);
    const b = createModel(arch, fd, { seed: 4 });
    loadTorchStateDict(b, sd);
    const bs = new Map(b.stateDict());
    for (const [n, v] of a.stateDict()) assert.deepEqual(bs.get(n)!.dataSync(), v.dataSync(), `${arch} ${n}`);
    a.eval();
    b.eval();
    const x = officialInputs(2, a.inputShape);
    assert.deepEqual(
      tf.tidy(() => a.forward(x).arraySync()),
      tf.tidy(() => b.forward(x).arraySync()),
      arch,
    );
    x.dispose();
    a.dispose();
    b.dispose();
  }
  // cnn-small's reshape.0 reads a 7x7x64 map: PyTorch's column c·49 + h·7 + w is our row (h·7 + w)·64 + c.
  const m = createModel('cnn-small', 16, { seed: 1 });
  const w = new Map(m.stateDict()).get('reshape.0.weight')!.arraySync() as number[][];
  const t = toTorchStateDict(m).get('module.reshape.0.weight')!;
  assert.deepEqual(t.shape, [256, 3136]);
  assert.equal(t.data[5 * 3136 + (2 * 49 + 3 * 7 + 4)], Math.fround(w[(3 * 7 + 4) * 64 + 2][5]));
  m.dispose();
});

test('a checkpoint of another --arch or --fd, or with integer weights: a named error', async () => {
  await initBackendFor('wasm');
  const sd = readTorchCheckpoint(fixture('torch/resnet18stl_fd4.pt'));
  const other = createModel('resnet18stl', 8);
  assert.throws(
    () => fromTorchStateDict(other, sd, { where: 'c.pt' }),
    /c\.pt: layer4\.0\.conv1\.weight has shape \[4, 64, 3, 3\] but the model expects \[8, 64, 3, 3\] \(PyTorch order/,
  );
  other.dispose();
  const small = createModel('cnn-small', 4);
  assert.throws(
    () => fromTorchStateDict(small, sd, { where: 'c.pt' }),
    /c\.pt: missing 19 tensors for this model \(features\.0\.weight, .*another --arch or --fd/,
  );
  small.dispose();
  const r10 = createModel('resnet10mnist', 4);
  assert.throws(() => fromTorchStateDict(r10, sd, { where: 'c.pt' }), /c\.pt: unexpected tensors layer1\.1\.conv1\.weight/);
  r10.dispose();
  const m = createModel('resnet18stl', 4);
  const ints = new Map(sd);
  ints.set('module.conv1.weight', { dtype: 'int64', shape: [32, 3, 5, 5], data: new BigInt64Array(2400) });
  assert.throws(() => fromTorchStateDict(m, ints, { where: 'c.pt' }), /conv1\.weight is int64; a weight must be floating point/);
  const extra = new Map(sd);
  extra.set('module.fc.weight', sd.get('module.conv1.weight')!);
  assert.throws(() => fromTorchStateDict(m, extra, { where: 'c.pt' }), /unexpected tensors fc\.weight/);
  const bare = new Map([...sd].map(([k, v]) => [k.slice('module.'.length), v]));
  assert.doesNotThrow(() => fromTorchStateDict(m, bare), 'without the module. prefix');
  m.dispose();
});
