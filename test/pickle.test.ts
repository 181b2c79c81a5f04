// The restricted unpickler (lib/io/pickle.ts) against Python's own pickles (protocols 2–4, made by
// scripts/fixtures/make_pickles.py), the pickles it must refuse, and hand-made hostile opcodes.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import {
  NdArray,
  NUMPY_GLOBALS,
  ORDERED_DICT_GLOBALS,
  PickleDict,
  PickleTuple,
  PyCall,
  PyDict,
  PyGlobal,
  PyPersistent,
  PyTuple,
  pickle,
  type PyValue,
  unpickle,
} from '../lib/io/pickle.js';
import { fixture } from './helpers.js';

const GLOBALS = { ...NUMPY_GLOBALS, ...ORDERED_DICT_GLOBALS };
const FILE = '/data/x.pkl';

/** The JSON description scripts/fixtures/make_pickles.py gives a value. */
function describe(v: PyValue): unknown {
  if (v === null || typeof v === 'boolean') return v;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return { int: v.toString() };
  if (typeof v === 'string') return { str: v };
  if (v instanceof Uint8Array) return { bytes: Buffer.from(v).toString('hex') };
  if (Array.isArray(v)) return { list: v.map(describe) };
  if (v instanceof PyTuple) return { tuple: v.items.map(describe) };
  if (v instanceof PyDict) return { [v.ordered ? 'odict' : 'dict']: v.entries().map(([k, x]) => [describe(k), describe(x)]) };
  if (v instanceof NdArray) {
    const data = Array.from(v.data as ArrayLike<number | bigint>, (x) => {
      if (v.dtype === 'bool') return x === 1;
      if (typeof x === 'bigint') return Math.abs(Number(x)) <= 2 ** 53 ? Number(x) : { int: x.toString() };
      return x;
    });
    return { ndarray: { dtype: v.dtype, shape: v.shape, data } };
  }
  throw new Error(`no description for ${String(v)}`);
}

const fx = JSON.parse(fs.readFileSync(fixture('pickles.json'), 'utf8')) as {
  cases: Array<{ name: string; b64: string; value: unknown }>;
  refused: Array<{ name: string; b64: string; error: string }>;
};

test("Python's pickles (protocols 2, 3, 4: scalars, bytes and str keys, numpy arrays, OrderedDicts, shared and nested values) read as Python reads them", () => {
  assert.ok(fx.cases.length >= 18);
  for (const c of fx.cases) {
    const bytes = Buffer.from(c.b64, 'base64');
    const { value, end } = unpickle(bytes, { file: FILE, globals: GLOBALS });
    assert.deepEqual(describe(value), c.value, c.name);
    assert.equal(end, bytes.length, `${c.name}: ends at its STOP`);
  }
});

test('pickles that would run code or make other objects are refused, naming the file and what was refused', () => {
  for (const c of fx.refused) {
    assert.throws(
      () => unpickle(Buffer.from(c.b64, 'base64'), { file: FILE, globals: GLOBALS }),
      (e: Error) => e.message.startsWith(`${FILE}: `) && new RegExp(c.error).test(e.message),
      c.name,
    );
  }
  // Without numpy in the table, a numpy array is refused too.
  const arrays = fx.cases.find((c) => c.name === 'cifar-like, protocol 3')!;
  assert.throws(
    () => unpickle(Buffer.from(arrays.b64, 'base64'), { file: FILE }),
    /refusing global 'numpy\.core\.multiarray\._reconstruct'/,
  );
});

const P2 = [0x80, 2];
const pk = (...parts: Array<number[] | string>) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

test('hand-made hostile opcodes: a named error, at once', () => {
  const cases: Array<[string, Buffer, RegExp]> = [
    ['INST', pk(P2, 'i__main__\nX\n', [0x2e]), /refusing opcode INST \(0x69\): it creates an instance/],
    ['OBJ', pk(P2, [0x28, 0x6f, 0x2e]), /refusing opcode OBJ/],
    ['NEWOBJ', pk(P2, [0x29, 0x29, 0x81, 0x2e]), /refusing opcode NEWOBJ/],
    ['NEWOBJ_EX', pk(P2, [0x92, 0x2e]), /refusing opcode NEWOBJ_EX/],
    ['EXT1', pk(P2, [0x82, 1, 0x2e]), /refusing opcode EXT1 \(0x82\): it looks a callable up/],
    ['text INT', pk(P2, 'I1\n.'), /opcode INT \(0x49\) is not one this reader takes/],
    ['unknown opcode', pk(P2, [0xff]), /unknown opcode \(0xff\)/],
    ['STACK_GLOBAL os.system', pk([0x80, 4], [0x8c, 2], 'os', [0x8c, 6], 'system', [0x93, 0x2e]), /refusing global 'os\.system'/],
    ['REDUCE of a str', pk(P2, [0x8c, 1], 'a', [0x29, 0x52, 0x2e]), /REDUCE of a str/],
    ['calling numpy.ndarray', pk(P2, 'cnumpy\nndarray\n', [0x29, 0x52, 0x2e]), /refusing to call 'numpy\.ndarray'/],
    ['BUILD on a dict', pk(P2, [0x7d, 0x7d, 0x62, 0x2e]), /refusing BUILD on a dict/],
    ['BUILD on a list', pk(P2, [0x5d, 0x4e, 0x62, 0x2e]), /refusing BUILD on a list/],
    ['persistent id', pk(P2, [0x4b, 1, 0x51, 0x2e]), /a persistent id \(BINPERSID\)/],
    [
      'BINUNICODE of 4 GB',
      pk(P2, [0x58, 0xff, 0xff, 0xff, 0xff], 'abc'),
      /truncated: BINUNICODE \(0x58\) needs 4294967295 more bytes, 3 are left/,
    ],
    ['BINBYTES8 of 2⁶³', pk([0x80, 4], [0x8e, 0, 0, 0, 0, 0, 0, 0, 0x80], 'abc'), /a length of 92233720368547\d+ bytes in a file of 14/],
    ['BINSTRING negative', pk(P2, [0x54, 0xff, 0xff, 0xff, 0xff, 0x2e]), /negative length/],
    ['LONG4 of 1 GB', pk(P2, [0x8b, 0, 0, 0, 0x40], 'x'), /LONG4: an integer of 1073741824 bytes/],
    ['memo miss', pk(P2, [0x68, 5, 0x2e]), /memo entry 5 was never stored/],
    ['empty stack', pk(P2, [0x61, 0x2e]), /APPEND \(0x61\) on an empty stack/],
    ['SETITEMS without MARK', pk(P2, [0x7d, 0x75, 0x2e]), /SETITEMS \(0x75\) without a MARK/],
    ['list dict key', pk(P2, [0x7d, 0x5d, 0x4b, 1, 0x73, 0x2e]), /a dict key of type list/],
    ['truncated', pk(P2, [0x5d, 0x28, 0x4b]), /truncated/],
    ['no STOP', pk(P2, [0x5d]), /ends before its STOP/],
    ['GLOBAL without newline', pk(P2, 'c', 'a'.repeat(1000)), /no newline within 256 bytes/],
    [
      'ndarray of lying shape',
      pk(
        P2,
        'cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\n',
        [0x4b, 0, 0x85, 0x43, 1],
        'b',
        [0x87, 0x52],
        [0x28, 0x4b, 1],
        [0x4a, 0xff, 0xff, 0xff, 0x7f, 0x4a, 0xff, 0xff, 0xff, 0x7f, 0x86],
        'cnumpy\ndtype\n',
        [0x8c, 2],
        'u1',
        [0x89, 0x88, 0x87, 0x52],
        [0x89, 0x43, 4],
        'abcd',
        [0x74, 0x62, 0x2e],
      ),
      /shape \(2147483647,2147483647\) and dtype u1 needs 4611686014132420600 bytes, its data has 4/,
    ],
  ];
  for (const [what, bytes, re] of cases) {
    const t0 = performance.now();
    assert.throws(
      () => unpickle(bytes, { file: FILE, globals: GLOBALS }),
      (e: Error) => e.message.startsWith(`${FILE}: `) && re.test(e.message),
      what,
    );
    assert.ok(performance.now() - t0 < 100, what);
  }
});

test('deep nesting and many objects stay bounded: 10⁵ nested lists read, an object cap stops a flood', () => {
  const depth = 100000;
  const deep = Buffer.concat([Buffer.from(P2), Buffer.alloc(depth, 0x5d), Buffer.alloc(depth - 1, 0x61), Buffer.from([0x2e])]);
  let v = unpickle(deep, { file: FILE }).value;
  let d = 0;
  while (Array.isArray(v) && v.length > 0) {
    v = v[0];
    d++;
  }
  assert.equal(d, depth - 1);
  const flood = Buffer.concat([Buffer.from(P2), Buffer.alloc(5000, 0x5d)]);
  assert.throws(() => unpickle(flood, { file: FILE, maxObjects: 1000 }), /more than 1000 objects/);
  const marks = Buffer.concat([Buffer.from(P2), Buffer.alloc(200000, 0x28), Buffer.from([0x2e])]);
  assert.throws(() => unpickle(marks, { file: FILE }), /STOP with nothing to return/);
});

test('the pickler writes protocol 2 that the unpickler reads back (ints of every width, floats, str, tuples, lists, OrderedDicts, calls, persistent ids)', () => {
  const ints = [0, 1, 255, 256, 65535, 65536, -1, -256, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2 ** 53 - 1, -(2 ** 40)];
  const tree = new PickleDict([
    ['ints', ints],
    ['big', 2n ** 70n],
    ['floats', new PickleTuple([1.5, -0.25, 1e300])],
    ['text', 'ünï'],
    ['tuples', [new PickleTuple([]), new PickleTuple([1]), new PickleTuple([1, 2, 3]), new PickleTuple([1, 2, 3, 4])]],
    ['many', Array.from({ length: 2500 }, (_, i) => i)],
    ['call', new PyCall(new PyGlobal('collections', 'OrderedDict'), new PyTuple([]))],
    ['pid', new PyPersistent(new PickleTuple(['storage', 'k']))],
    ['flags', [true, false, null]],
  ]);
  const bytes = pickle(tree);
  assert.deepEqual([...bytes.subarray(0, 2)], [0x80, 2]);
  const seen: PyValue[] = [];
  const { value } = unpickle(bytes, {
    file: FILE,
    globals: ORDERED_DICT_GLOBALS,
    persistentLoad: (pid) => {
      seen.push(pid);
      return 'loaded';
    },
  });
  const d = value as PyDict;
  assert.ok(d instanceof PyDict && d.ordered);
  assert.deepEqual(d.get('ints'), ints);
  assert.equal(d.get('big'), 2n ** 70n);
  assert.deepEqual((d.get('floats') as PyTuple).items, [1.5, -0.25, 1e300]);
  assert.equal(d.get('text'), 'ünï');
  assert.deepEqual(
    (d.get('tuples') as PyTuple[]).map((t) => t.items),
    [[], [1], [1, 2, 3], [1, 2, 3, 4]],
  );
  assert.equal((d.get('many') as number[]).length, 2500);
  assert.ok(d.get('call') instanceof PyDict);
  assert.equal(d.get('pid'), 'loaded');
  assert.deepEqual((seen[0] as PyTuple).items, ['storage', 'k']);
  assert.deepEqual(d.get('flags'), [true, false, null]);
});
