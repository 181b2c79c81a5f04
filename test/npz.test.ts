import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodeNpy, encodeNpz, parseNpy, parseNpz, readNpy, readNpz, writeNpy, writeNpz } from '../lib/io/npz.js';
import { encodeZip } from '../lib/io/zip.js';
import { fixture } from './helpers.js';

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-npz-'));
}

test('npz: round trip of every dtype and shape through a file', () => {
  const arrays = {
    f4: { data: Float32Array.from([1.5, -2.25, 3e-8, 7, 8, 9]), shape: [2, 3] },
    f8: { data: Float64Array.from([Math.PI, -Math.E, 1e300]) },
    i4: { data: Int32Array.from([-2147483648, 0, 2147483647]) },
    u1: { data: Uint8Array.from([0, 7, 255]), shape: [3, 1] },
    scalar: { data: Float64Array.of(2.5), shape: [] },
    empty: { data: new Float32Array(0), shape: [0, 5] },
    cube: { data: Float32Array.from({ length: 24 }, (_, i) => i), shape: [2, 3, 4] },
    'naïve name': { data: Int32Array.of(1) },
  };
  const dir = tmpDir();
  const file = path.join(dir, 'a.npz');
  writeNpz(file, arrays);
  const back = readNpz(file);
  assert.deepEqual(Object.keys(back), Object.keys(arrays));
  for (const [k, v] of Object.entries(arrays)) {
    assert.deepEqual(back[k].shape, 'shape' in v ? v.shape : [v.data.length], k);
    assert.equal(back[k].data.constructor, v.data.constructor, k);
    assert.deepEqual([...back[k].data], [...v.data], k);
  }
  // The same arrays give the same bytes (fixed timestamps), and every header is 64-byte aligned.
  assert.deepEqual(encodeNpz(arrays), fs.readFileSync(file));
  const npy = encodeNpy({ data: Float32Array.of(1, 2, 3), shape: [3] });
  const headerLen = npy[8] | (npy[9] << 8);
  assert.equal((10 + headerLen) % 64, 0);
  assert.equal(npy.length, 10 + headerLen + 12);
  assert.match(
    Buffer.from(npy.subarray(10, 10 + headerLen)).toString('latin1'),
    /^\{'descr': '<f4', 'fortran_order': False, 'shape': \(3,\), \} *\n$/,
  );
  // Single .npy files too.
  writeNpy(path.join(dir, 'b.npy'), { data: Int32Array.of(4, 5, 6, 7), shape: [2, 2] });
  const b = readNpy(path.join(dir, 'b.npy'));
  assert.deepEqual([b.dtype, b.shape, [...b.data]], ['int32', [2, 2], [4, 5, 6, 7]]);
  fs.rmSync(dir, { recursive: true });
});

test('npz: reads numpy np.savez (stored, zip64 extras) and np.savez_compressed (deflate) archives', () => {
  const check = JSON.parse(fs.readFileSync(fixture('eval_parity.json'), 'utf8')).npz_check;
  const z = readNpz(fixture('eval_parity.npz'));
  assert.deepEqual([z.train_x.dtype, z.train_x.shape], ['float32', [2000, 128]]);
  assert.deepEqual([z.train_y.dtype, z.train_y.shape], ['int32', [2000]]); // int64 in the file
  assert.deepEqual([...z.train_x.data.subarray(0, 4)], check.train_x_row0);
  let ySum = 0;
  for (const v of z.train_y.data) ySum += v;
  assert.equal(ySum, check.train_y_sum);
  assert.deepEqual([...z.test_y.data.subarray(0, 10)], check.test_y_first);
  let s = 0;
  for (const v of z.test_x.data) s += v;
  assert.ok(Math.abs(s - check.test_x_sum) < 1e-9);

  const c = readNpz(fixture('npz_compressed.npz'));
  assert.deepEqual([c.f4.dtype, c.f4.shape, [...c.f4.data]], ['float32', [3, 4], Array.from({ length: 12 }, (_, i) => Math.fround(i / 3))]);
  assert.deepEqual([...c.f8.data], [Math.PI, -Math.E, 1e300]);
  assert.deepEqual([...c.i4.data], [-2147483648, 0, 2147483647]);
  assert.deepEqual([c.i8.dtype, c.i8.shape, [...c.i8.data]], ['int32', [2, 3], [-3, -2, -1, 0, 1, 2]]);
  assert.deepEqual([c.u1.dtype, [...c.u1.data]], ['uint8', [0, 7, 255]]);
  assert.deepEqual([c.scalar.shape, [...c.scalar.data]], [[], [2.5]]);
  assert.deepEqual([c.empty.shape, c.empty.data.length], [[0, 5], 0]);
  assert.deepEqual([c.cube.shape, c.cube.data[23]], [[2, 3, 4], 23]);
});

/** A .npy with a hand-written header (the data bytes are zeros). */
function rawNpy(dict: string, dataBytes: number): Uint8Array {
  const pad = 64 - ((10 + dict.length + 1) % 64);
  const header = `${dict + ' '.repeat(pad % 64)}\n`;
  const out = new Uint8Array(10 + header.length + dataBytes);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  return out;
}

test('npz: clear errors for bad files, naming the file and the problem', () => {
  const dir = tmpDir();
  const f = (name: string, bytes: Uint8Array | string): string => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, bytes);
    return p;
  };
  const text = f('notes.npz', 'just some text, not a zip archive at all');
  assert.throws(
    () => readNpz(text),
    (e: Error) => e.message.startsWith(text) && /not an \.npz file \(not a zip archive\)/.test(e.message),
  );
  assert.throws(() => readNpz(path.join(dir, 'missing.npz')), /missing\.npz: cannot read \(ENOENT\)/);
  const good = encodeNpz({ x: { data: Float32Array.from({ length: 100 }, (_, i) => i) } });
  const cut = f('cut.npz', good.subarray(0, 300));
  assert.throws(() => readNpz(cut), /cut\.npz: truncated zip archive/);
  const cutData = Uint8Array.from(good);
  // Keep the directory but claim a larger entry than the file holds.
  Buffer.from(cutData.buffer).writeUInt32LE(100000, Buffer.from(cutData.buffer).indexOf(Buffer.from([0x50, 0x4b, 1, 2])) + 20);
  assert.throws(() => readNpz(f('short.npz', cutData)), /short\.npz: entry 'x\.npy': truncated archive/);
  const flipped = Uint8Array.from(good);
  flipped[200] ^= 1;
  assert.throws(() => readNpz(f('flip.npz', flipped)), /flip\.npz: entry 'x\.npy': CRC32 mismatch/);
  assert.throws(() => readNpz(f('single.npz', encodeNpy({ data: Int32Array.of(1) }))), /a \.npy file, not an \.npz archive/);

  const complex = rawNpy("{'descr': '<c16', 'fortran_order': False, 'shape': (2,), }", 32);
  assert.throws(() => parseNpy(complex, 'c.npy'), /c\.npy: unsupported dtype '<c16'/);
  assert.throws(
    () => parseNpy(rawNpy("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 8), 'be.npy'),
    /be\.npy: big-endian dtype '>f4'/,
  );
  assert.throws(
    () => parseNpy(rawNpy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 16), 'f.npy'),
    /f\.npy: Fortran-order arrays are not supported/,
  );
  assert.throws(
    () => parseNpy(rawNpy("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", 16), 't.npy'),
    /t\.npy: truncated: shape \(3\) of <f8 needs 24 bytes, 16 present/,
  );
  const big = rawNpy("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", 16);
  Buffer.from(big.buffer).writeBigInt64LE(2n ** 40n, big.length - 8);
  assert.throws(() => parseNpy(big, 'i.npy'), /i\.npy: int64 value 1099511627776 at flat index 1 does not fit in int32/);
  // Inside an archive the entry is named too.
  const entry = rawNpy("{'descr': '<c8', 'fortran_order': False, 'shape': (16,), }", 128);
  const bad = f('cplx.npz', encodeZip([{ name: 'a.npy', data: entry }]));
  assert.throws(() => readNpz(bad), /cplx\.npz: entry 'a\.npy': unsupported dtype '<c8'/);
  assert.throws(() => parseNpz(Uint8Array.of(1, 2, 3), 'tiny'), /tiny: not an \.npz file/);
  assert.throws(() => encodeNpy({ data: Float32Array.of(1, 2, 3), shape: [2, 2] }), /has 3 values but shape \[2,2\] holds 4/);
  fs.rmSync(dir, { recursive: true });
});
