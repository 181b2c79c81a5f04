// torch.save files read and written by lib/io/torch.ts: the zip and legacy formats torch itself
// wrote (test/fixtures/torch, scripts/fixtures/make_torch_checkpoints.py), every storage type,
// strided and shared views; what we write read back; hostile checkpoints refused by name.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { encodeTorchCheckpoint, parseTorchCheckpoint, readTorchCheckpoint, type TorchTensor } from '../lib/io/torch.js';
import { pickle, PickleDict, PickleTuple, PyCall, PyGlobal, PyPersistent } from '../lib/io/pickle.js';
import { encodeZip, zipEntries } from '../lib/io/zip.js';
import { fixture } from './helpers.js';

type Desc = Record<string, { dtype: string; shape: number[]; data: Array<number | boolean> }>;
const expected = JSON.parse(fs.readFileSync(fixture('torch/tensors.json'), 'utf8')) as Desc;

function values(t: TorchTensor): Array<number | boolean> {
  if (t.dtype === 'bool') return Array.from(t.data as Uint8Array, (x) => x === 1);
  return Array.from(t.data as ArrayLike<number | bigint>, Number);
}

test("torch.save's zip and legacy formats: every storage type, a strided view, two views of one storage, a scalar, an empty tensor", () => {
  for (const f of ['tensors_zip.pt', 'tensors_legacy.pt']) {
    const sd = readTorchCheckpoint(fixture(`torch/${f}`));
    assert.deepEqual([...sd.keys()], Object.keys(expected), f);
    for (const [name, e] of Object.entries(expected)) {
      const t = sd.get(name)!;
      assert.equal(t.dtype, e.dtype, `${f} ${name}`);
      assert.deepEqual(t.shape, e.shape, `${f} ${name}`);
      assert.deepEqual(values(t), e.data, `${f} ${name}`);
    }
  }
});

test('what encodeTorchCheckpoint writes is the zip torch writes: archive/data.pkl, data/<key> aligned to 64 bytes, version; read back exactly', () => {
  const sd = readTorchCheckpoint(fixture('torch/tensors_zip.pt'));
  const mine = [...sd].filter(([, t]) => t.dtype !== 'float16' && t.dtype !== 'bfloat16');
  const bytes = encodeTorchCheckpoint(mine);
  const entries = zipEntries(bytes, 'x.pt');
  assert.deepEqual(
    entries.map((e) => e.name),
    ['archive/data.pkl', ...mine.map((_, i) => `archive/data/${i}`), 'archive/version'],
  );
  for (const e of entries) {
    const start =
      e.offset + 30 + (bytes[e.offset + 26] | (bytes[e.offset + 27] << 8)) + (bytes[e.offset + 28] | (bytes[e.offset + 29] << 8));
    if (e.name.startsWith('archive/data/')) assert.equal(start % 64, 0, `${e.name} starts at ${start}`);
  }
  const back = parseTorchCheckpoint(bytes, 'x.pt');
  for (const [name, t] of mine) {
    assert.deepEqual(back.get(name)?.shape, t.shape);
    assert.deepEqual(values(back.get(name)!), values(t), name);
  }
  assert.throws(
    () => encodeTorchCheckpoint([['bad', { dtype: 'float32', shape: [2, 2], data: new Float32Array(3) }]]),
    /bad has 3 values for shape \[2,2\]/,
  );
});

test('hostile and foreign checkpoints: an error naming the file and the reason', () => {
  const zipOf = (pkl: Uint8Array, data: Array<[string, Uint8Array]> = []) =>
    encodeZip([{ name: 'archive/data.pkl', data: pkl }, ...data.map(([k, d]) => ({ name: `archive/data/${k}`, data: d }))]);
  const tensor = (key: string, shape: number[], offset = 0, stride?: number[]) =>
    new PyCall(
      new PyGlobal('torch._utils', '_rebuild_tensor_v2'),
      new PickleTuple([
        new PyPersistent(new PickleTuple(['storage', new PyGlobal('torch', 'FloatStorage'), key, 'cpu', 4])),
        offset,
        new PickleTuple(shape),
        new PickleTuple(stride ?? shape.map((_, i) => shape.slice(i + 1).reduce((a, d) => a * d, 1))),
        false,
        new PyCall(new PyGlobal('collections', 'OrderedDict'), new PickleTuple([])),
      ]),
    );
  const sdOf = (...entries: Array<[string, unknown]>) => pickle(new PickleDict(entries as never));
  const f16 = new Uint8Array(16);
  const cases: Array<[string, Uint8Array, RegExp]> = [
    [
      'a whole pickled model',
      zipOf(pickle(new PyCall(new PyGlobal('__main__', 'Net'), new PickleTuple([])))),
      /x\.pt: archive\/data\.pkl: refusing global '__main__\.Net'/,
    ],
    ['a storage missing from the archive', zipOf(sdOf(['w', tensor('0', [2, 2])])), /storage '0' has no archive\/data\/0 in the archive/],
    [
      'a storage shorter than its numel',
      zipOf(sdOf(['w', tensor('0', [2, 2])]), [['0', new Uint8Array(8)]]),
      /storage '0' holds 8 bytes; 4 float32 elements need 16/,
    ],
    ['a view past its storage', zipOf(sdOf(['w', tensor('0', [2, 2], 1)]), [['0', f16]]), /reaches past its storage of 4 elements/],
    [
      'a broadcast view of 2³¹ elements',
      zipOf(sdOf(['w', tensor('0', [2 ** 31], 0, [0])]), [['0', f16]]),
      /size \(2147483648\), stride \(0\), offset 0 reaches past its storage/,
    ],
    ['not a state_dict', zipOf(sdOf(['epoch', 3])), /not a state_dict: entry 'epoch' is an int/],
    ['no data.pkl', encodeZip([{ name: 'a.npy', data: new Uint8Array(3) }]), /without <archive>\/data\.pkl: not a torch\.save checkpoint/],
    ['a plain pickle', pickle([1, 2]), /a pickle, but not a torch\.save checkpoint/],
    ['text', Buffer.from('hello world'), /not a torch\.save checkpoint \(neither a zip archive nor a pickle\)/],
  ];
  for (const [what, bytes, re] of cases)
    assert.throws(
      () => parseTorchCheckpoint(bytes, 'x.pt'),
      (e: Error) => e.message.startsWith('x.pt: ') && re.test(e.message),
      what,
    );
  // A {'state_dict': ..., 'epoch': ...} wrapper (common in training scripts) is unwrapped.
  const wrapped = zipOf(
    pickle(
      new PickleDict([
        ['epoch', 3],
        ['state_dict', new PickleDict([['w', tensor('0', [4])]])],
      ] as never),
    ),
    [['0', f16]],
  );
  assert.deepEqual([...parseTorchCheckpoint(wrapped, 'x.pt').keys()], ['w']);
});
