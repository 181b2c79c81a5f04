// Fuzzing every reader of outside bytes (test/fuzz.test.ts, CI-sized; scripts/faults.ts, long):
// seeded mutations of valid files (truncations, flipped bytes, wrong magic numbers, huge integers
// in header fields, inserted and deleted spans) plus hand-made hostile files per format. Each case
// must end in a result or in an Error that names the file, within a time and a memory bound.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { checkLabels } from '../lib/data/dataset.js';
import { decodeCifarRecords, encodeCifarRecords } from '../lib/data/cifar.js';
import { decodeImage } from '../lib/data/imagefolder.js';
import { encodeIdx, parseIdx } from '../lib/data/idx.js';
import { encodeStl10Images, loadStl10Binary } from '../lib/data/stl10.js';
import { extractTar, tarEntries } from '../lib/data/tar.js';
import { decodeCifarBatch, parsePickledDict } from '../lib/data/cifar_pickle.js';
import { encodeNpy, encodeNpz, parseNpy, parseNpz } from '../lib/io/npz.js';
import { pickle, PickleDict, PickleTuple, PyCall, PyGlobal, PyPersistent } from '../lib/io/pickle.js';
import { encodeTorchCheckpoint, parseTorchCheckpoint } from '../lib/io/torch.js';
import { encodeZip, zipEntries, zipEntryBytes } from '../lib/io/zip.js';
import { RandomState } from '../lib/math/random.js';
import { decodeSafetensors, encodeSafetensors } from '../lib/io/safetensors.js';
import { LOSS_HEADER, parseLossesCsv, parseParamsJson } from '../lib/runs/run_folder.js';
import { fixture } from './helpers.js';

// ---------------------------------------------------------------------------------------------
// A small tar writer (ustar, GNU long names, pax records), to build valid and hostile archives.

export interface TarSpec {
  name: string;
  data?: Uint8Array | string;
  /** '0' file, '1' hard link, '2' symlink, '5' folder, 'L' GNU long name, 'x' pax header. */
  type?: string;
  linkname?: string;
  /** Size field as written (default: the data's length); octal up to 8 GiB − 1, base-256 above. */
  size?: number;
}

function header(s: TarSpec, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(s.name.slice(0, 100), 0, 'utf8');
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  if (size <= 0o77777777777) h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  else {
    h[124] = 0x80;
    let v = BigInt(size);
    for (let i = 135; i > 124; i--) {
      h[i] = Number(v & 0xffn);
      v >>= 8n;
    }
  }
  h.write('00000000000\0', 136);
  h.write(s.type ?? '0', 156);
  if (s.linkname) h.write(s.linkname, 157);
  h.write('ustar\0', 257);
  h.write('00', 263);
  h.fill(32, 148, 156);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += h[i];
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}

export function makeTar(entries: TarSpec[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const data = typeof e.data === 'string' ? Buffer.from(e.data) : Buffer.from(e.data ?? new Uint8Array(0));
    parts.push(header(e, e.size ?? data.length), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

export function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = body.length + 1;
  while (`${len}${body}`.length !== len) len++;
  return `${len}${body}`;
}

// ---------------------------------------------------------------------------------------------
// Formats: valid samples, a parser, hostile cases.

export interface Case {
  what: string;
  bytes: Uint8Array;
}

export interface Format {
  name: string;
  samples: () => Uint8Array[];
  parse: (bytes: Uint8Array, file: string) => unknown;
  hostile: () => Case[];
  /** Async parsers (extraction to disk) run fewer cases. */
  async?: boolean;
}

const rnd = (n: number, seed: number) => {
  const r = new RandomState(seed);
  return Uint8Array.from(r.randint(0, 256, n));
};

function u64le(v: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(v));
  return b;
}

function pngOf(w: number, h: number): Uint8Array {
  const { PNG } = require('pngjs') as typeof import('pngjs');
  const png = new PNG({ width: w, height: h });
  png.data.set(rnd(w * h * 4, w));
  return PNG.sync.write(png);
}

function jpegOf(w: number, h: number): Uint8Array {
  const jpeg = require('jpeg-js') as typeof import('jpeg-js');
  return jpeg.encode({ data: Buffer.from(rnd(w * h * 4, h)), width: w, height: h }, 80).data;
}

function withPngSize(png: Uint8Array, w: number, h: number): Uint8Array {
  const b = Buffer.from(png);
  b.writeUInt32BE(w, 16);
  b.writeUInt32BE(h, 20);
  return b;
}

/** A .npy header (no data) around a dict literal. */
function npyHeader(dict: string, major = 1): Uint8Array {
  const pre0 = major === 1 ? 10 : 12;
  const pad = (64 - ((pre0 + dict.length + 1) % 64)) % 64;
  const text = `${dict}${' '.repeat(pad)}\n`;
  const pre =
    major === 1 ? Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, text.length & 0xff, text.length >> 8]) : Buffer.alloc(12);
  if (major !== 1) {
    Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]).copy(pre);
    pre.writeUInt32LE(text.length, 8);
  }
  return Buffer.concat([pre, Buffer.from(text, 'latin1')]);
}

/** A zip of one deflated entry whose directory declares `usize` bytes (to test the inflate caps). */
function zipDeclaring(data: Uint8Array, usize: number): Uint8Array {
  // Local header, deflated bytes, central directory, end record.
  const raw = zlib.deflateRawSync(data);
  const name = Buffer.from('a.npy');
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(zlib.crc32(data), 14);
  local.writeUInt32LE(raw.length, 18);
  local.writeUInt32LE(usize >>> 0, 22);
  local.writeUInt16LE(name.length, 26);
  const cd = Buffer.alloc(46);
  cd.writeUInt32LE(0x02014b50, 0);
  cd.writeUInt16LE(20, 4);
  cd.writeUInt16LE(20, 6);
  cd.writeUInt16LE(8, 10);
  cd.writeUInt32LE(zlib.crc32(data), 16);
  cd.writeUInt32LE(raw.length, 20);
  cd.writeUInt32LE(usize >>> 0, 24);
  cd.writeUInt16LE(name.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(46 + name.length, 12);
  end.writeUInt32LE(30 + name.length + raw.length, 16);
  return Buffer.concat([local, name, raw, cd, name, end]);
}

/** A pickled numpy uint8 array of the given shape whose data has `bytes` bytes. */
function fuzzNdarray(shape: number[], bytes: number): Uint8Array {
  const p = (...parts: Array<number[] | string>) =>
    Buffer.concat(parts.map((x) => (typeof x === 'string' ? Buffer.from(x, 'latin1') : Buffer.from(x))));
  const ints = shape.flatMap((d) => {
    const b = Buffer.alloc(5);
    b[0] = 0x4a;
    b.writeInt32LE(d, 1);
    return [...b];
  });
  return p(
    [0x80, 2, 0x7d, 0x55, 4],
    'data',
    'cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\n',
    [0x4b, 0, 0x85, 0x55, 1],
    'b',
    [0x87, 0x52, 0x28, 0x4b, 1, 0x28, ...ints, 0x74],
    'cnumpy\ndtype\n',
    [0x55, 2],
    'u1',
    [0x89, 0x88, 0x87, 0x52, 0x89, 0x54, bytes, 0, 0, 0],
    'x'.repeat(bytes),
    [0x74, 0x62, 0x73, 0x2e],
  );
}

function smallStateDict(): Array<[string, { dtype: 'float32' | 'int64'; shape: number[]; data: Float32Array | BigInt64Array }]> {
  return [
    ['module.conv1.weight', { dtype: 'float32', shape: [2, 1, 2, 2], data: Float32Array.from({ length: 8 }, (_, i) => i / 8) }],
    ['module.bn1.running_var', { dtype: 'float32', shape: [2], data: new Float32Array([1, 2]) }],
    ['module.bn1.num_batches_tracked', { dtype: 'int64', shape: [], data: new BigInt64Array([5n]) }],
  ];
}

/** data.pkl of a state_dict holding one float tensor w of the given size and stride on a storage of `numel`. */
function ptTensor(size: number[], stride: number[], numel: number): Uint8Array {
  const storage = new PyPersistent(new PickleTuple(['storage', new PyGlobal('torch', 'FloatStorage'), '0', 'cpu', numel]));
  const hooks = new PyCall(new PyGlobal('collections', 'OrderedDict'), new PickleTuple([]));
  const t = new PyCall(
    new PyGlobal('torch._utils', '_rebuild_tensor_v2'),
    new PickleTuple([storage, 0, new PickleTuple(size), new PickleTuple(stride), false, hooks]),
  );
  return pickle(new PickleDict([['w', t]]));
}

/** A .pt zip around a data.pkl, with storage '0' of `bytes` zero bytes. */
function ptZip(pkl: Uint8Array, bytes = 0): Uint8Array {
  const data = bytes > 0 ? [{ name: 'archive/data/0', data: new Uint8Array(bytes) }] : [];
  return encodeZip([{ name: 'archive/data.pkl', data: pkl }, ...data, { name: 'archive/version', data: Buffer.from('3\n') }]);
}

/** One entry of a .pt zip by its name's ending. */
function ptEntry(zip: Uint8Array, suffix: string): Uint8Array {
  const e = zipEntries(zip, 'pt').find((x) => x.name.endsWith(suffix))!;
  return new Uint8Array(zipEntryBytes(zip, e, 'pt'));
}

let ptBase: Array<{ name: string; data: Uint8Array }> | undefined;
/** The fixture's archive with its data.pkl replaced. */
function ptWith(pkl: Uint8Array): Uint8Array {
  if (ptBase === undefined) {
    const zip = fs.readFileSync(fixture('torch/tensors_zip.pt'));
    ptBase = zipEntries(zip, 'pt').map((e) => ({ name: e.name, data: new Uint8Array(zipEntryBytes(zip, e, 'pt')) }));
  }
  return encodeZip(ptBase.map((e) => (e.name.endsWith('/data.pkl') ? { name: e.name, data: pkl } : e)));
}

/** Where tensors_legacy.pt's storages start: after its last pickle, the list of storage keys (…APPENDS, STOP). */
function legacyDataStart(legacy: Buffer): number {
  const keys = legacy.lastIndexOf(Buffer.from([0x80, 2, 0x5d]));
  const end = legacy.indexOf(Buffer.from([0x65, 0x2e]), keys);
  if (keys < 0 || end < 0) throw new Error('tensors_legacy.pt: no storage key list found');
  return end + 2;
}

const STL_PIXELS = 96 * 96 * 3;
let stlDir: string | undefined;
/** loadStl10Binary on train_X.bin / train_y.bin where one of them is the fuzzed file. */
function stlParse(which: 'X' | 'y') {
  return (bytes: Uint8Array, file: string) => {
    stlDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-fuzz-stl-'));
    const x = path.join(stlDir, 'train_X.bin');
    const y = path.join(stlDir, 'train_y.bin');
    fs.writeFileSync(x, which === 'X' ? bytes : encodeStl10Images(rnd(2 * STL_PIXELS, 3)));
    fs.writeFileSync(y, which === 'y' ? bytes : Uint8Array.from([1, 10]));
    try {
      return loadStl10Binary('stl10sup', 'train', stlDir);
    } catch (e) {
      // The loader names its own paths; the harness expects the case's name.
      throw new Error((e as Error).message.replaceAll(which === 'X' ? x : y, file));
    }
  };
}

let extractRoot: string | undefined;
async function extractParse(bytes: Uint8Array, file: string): Promise<unknown> {
  extractRoot ??= fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-fuzz-x-'));
  const box = fs.mkdtempSync(path.join(extractRoot, 'c-'));
  const src = path.join(box, 'a.tar');
  fs.writeFileSync(src, bytes);
  const dest = path.join(box, 'dest');
  let written: string[] | undefined;
  let error: Error | undefined;
  try {
    written = await extractTar(src, dest);
  } catch (e) {
    error = new Error((e as Error).message.replaceAll(src, file));
  }
  // Nothing may appear beside dest (the archive's own box holds only a.tar and dest/).
  const extra = fs.readdirSync(box).filter((f) => f !== 'a.tar' && f !== 'dest');
  fs.rmSync(box, { recursive: true, force: true });
  if (extra.length > 0) throw new Error(`ESCAPED: wrote ${extra.join(', ')} outside dest`);
  if (error) throw error;
  return written;
}

const tarSample = () =>
  makeTar([
    { name: 'train/', type: '5' },
    { name: 'train/cat/a.png', data: pngOf(4, 4) },
    { name: 'L', type: 'L', data: `train/dog/${'long'.repeat(40)}.png\0` },
    { name: 'x', data: pngOf(4, 4) },
    { name: 'pax', type: 'x', data: paxRecord('path', 'test/cat/b.png') },
    { name: 'short', data: 'hello' },
  ]);

export const FORMATS: Format[] = [
  {
    name: 'idx',
    samples: () => [encodeIdx([5, 4, 4], rnd(80, 1)), encodeIdx([5], Uint8Array.from([0, 1, 2, 3, 9]))],
    parse: (b, f) => {
      const a = parseIdx(b, f);
      if (a.dims.length === 1) checkLabels(a.data, 10, f);
      return a;
    },
    hostile: () => [
      { what: 'dims 2³²−1 x 2³²−1 x 2³²−1', bytes: Buffer.concat([Buffer.from([0, 0, 8, 3]), Buffer.alloc(12, 0xff), Buffer.alloc(64)]) },
      { what: 'float element type', bytes: Buffer.from([0, 0, 0x0d, 1, 0, 0, 0, 1, 1, 2, 3, 4]) },
      { what: 'zero dimensions', bytes: Buffer.from([0, 0, 8, 0]) },
      { what: 'label 200', bytes: encodeIdx([3], Uint8Array.from([1, 200, 3])) },
    ],
  },
  {
    name: 'idx.gz',
    samples: () => [zlib.gzipSync(encodeIdx([5, 4, 4], rnd(80, 2))), zlib.gzipSync(encodeIdx([5], Uint8Array.from([0, 1, 2, 3, 9])))],
    parse: (b, f) => parseIdx(b, f),
    hostile: () => {
      // 64 MB of zeros whose gzip size field says 1 KB: must stop at the declared size.
      const bomb = Buffer.from(zlib.gzipSync(Buffer.alloc(64 << 20), { level: 9 }));
      bomb.writeUInt32LE(1024, bomb.length - 4);
      return [
        { what: 'gzip bomb with a lying size field', bytes: bomb },
        { what: 'gzip header only', bytes: Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]) },
      ];
    },
  },
  {
    name: 'cifar10',
    samples: () => [encodeCifarRecords(rnd(3 * 3072, 3), [0, 5, 9])],
    parse: (b, f) => {
      const r = decodeCifarRecords(b, 1, 0, f);
      checkLabels(r.labels, 10, f);
      return r;
    },
    hostile: () => [
      { what: 'one byte short', bytes: encodeCifarRecords(rnd(3072, 4), [1]).subarray(0, 3072) },
      { what: 'label 200', bytes: encodeCifarRecords(rnd(3072, 4), [200]) },
    ],
  },
  {
    name: 'cifar100',
    samples: () => [encodeCifarRecords(rnd(2 * 3072, 5), [3, 99], [1, 19])],
    parse: (b, f) => {
      const r = decodeCifarRecords(b, 2, 1, f);
      checkLabels(r.labels, 100, f);
      return r;
    },
    hostile: () => [{ what: 'fine label 100', bytes: encodeCifarRecords(rnd(3072, 6), [100], [0]) }],
  },
  {
    name: 'stl10 images',
    samples: () => [encodeStl10Images(rnd(2 * STL_PIXELS, 7))],
    parse: stlParse('X'),
    hostile: () => [{ what: 'one image and one byte', bytes: rnd(STL_PIXELS + 1, 8) }],
  },
  {
    name: 'stl10 labels',
    samples: () => [Uint8Array.from([1, 10])],
    parse: stlParse('y'),
    hostile: () => [
      { what: 'label 0 (labels are 1..10)', bytes: Uint8Array.from([0, 1]) },
      { what: 'three labels for two images', bytes: Uint8Array.from([1, 2, 3]) },
    ],
  },
  {
    name: 'png',
    samples: () => [pngOf(8, 8), pngOf(3, 5)],
    parse: (b, f) => decodeImage(b, f),
    hostile: () => [
      { what: 'IHDR 2³¹ x 2³¹', bytes: withPngSize(pngOf(8, 8), 2 ** 31, 2 ** 31) },
      { what: 'IHDR 30000 x 30000 (900 MP)', bytes: withPngSize(pngOf(8, 8), 30000, 30000) },
      { what: 'IHDR 0 x 8', bytes: withPngSize(pngOf(8, 8), 0, 8) },
    ],
  },
  {
    name: 'jpeg',
    samples: () => [jpegOf(16, 16), jpegOf(9, 7)],
    parse: (b, f) => decodeImage(b, f),
    hostile: () => {
      // The SOF0 frame header: FF C0, length, precision, height, width.
      const j = Buffer.from(jpegOf(16, 16));
      const sof = j.indexOf(Buffer.from([0xff, 0xc0]));
      const big = Buffer.from(j);
      big.writeUInt16BE(65500, sof + 5);
      big.writeUInt16BE(65500, sof + 7);
      return [{ what: 'SOF 65500 x 65500', bytes: big }];
    },
  },
  {
    name: 'tar',
    samples: () => [tarSample()],
    parse: (b, f) => [...tarEntries(b, f)],
    hostile: () => [
      { what: 'entry of 8 GiB (octal)', bytes: makeTar([{ name: 'big', data: 'x', size: 0o77777777777 }]) },
      { what: 'entry of 8 GiB (base-256)', bytes: makeTar([{ name: 'big', data: 'x', size: 8 * 2 ** 30 }]) },
      { what: 'entry of 2⁶⁰ bytes (base-256)', bytes: makeTar([{ name: 'big', data: 'x', size: 2 ** 60 }]) },
      {
        what: 'pax size of 10¹²',
        bytes: makeTar([
          { name: 'p', type: 'x', data: paxRecord('size', '1000000000000') },
          { name: 'f', data: 'x' },
        ]),
      },
      {
        what: 'pax record longer than its header',
        bytes: makeTar([
          { name: 'p', type: 'x', data: '99 path=a\n' },
          { name: 'f', data: 'x' },
        ]),
      },
      { what: 'GNU long name of 100 MB', bytes: makeTar([{ name: 'L', type: 'L', data: 'a', size: 100e6 }]) },
    ],
  },
  {
    name: 'tar.gz',
    samples: () => [zlib.gzipSync(tarSample())],
    parse: (b, f) => [...tarEntries(b, f)],
    hostile: () => [{ what: 'gzip of an 8 GiB entry', bytes: zlib.gzipSync(makeTar([{ name: 'big', data: 'x', size: 8 * 2 ** 30 }])) }],
  },
  {
    name: 'tar extraction',
    async: true,
    samples: () => [
      tarSample(),
      makeTar([
        { name: 'ok/a', data: 'a' },
        { name: 'ok/link', type: '2', linkname: '/etc' },
        { name: 'ok/hard', type: '1', linkname: '/etc/passwd' },
      ]),
    ],
    parse: extractParse,
    hostile: () => [
      { what: "'../evil'", bytes: makeTar([{ name: '../evil', data: 'x' }]) },
      { what: "'a/../../evil'", bytes: makeTar([{ name: 'a/../../evil', data: 'x' }]) },
      { what: 'absolute path', bytes: makeTar([{ name: `${os.tmpdir()}/mcr2-evil`, data: 'x' }]) },
      {
        what: 'pax path ../evil',
        bytes: makeTar([
          { name: 'p', type: 'x', data: paxRecord('path', '../evil') },
          { name: 'f', data: 'x' },
        ]),
      },
      {
        what: 'GNU long name ../evil',
        bytes: makeTar([
          { name: 'L', type: 'L', data: '../evil\0' },
          { name: 'f', data: 'x' },
        ]),
      },
      {
        what: 'symlink out, then a file through it',
        bytes: makeTar([
          { name: 'out', type: '2', linkname: '..' },
          { name: 'out/evil', data: 'x' },
        ]),
      },
      {
        what: 'hard link to a file outside, then writing it',
        bytes: makeTar([
          { name: 'h', type: '1', linkname: '../a.tar' },
          { name: 'h', data: 'x' },
        ]),
      },
      { what: 'entry of 8 GiB', bytes: makeTar([{ name: 'big', data: 'x', size: 8 * 2 ** 30 }]) },
    ],
  },
  {
    name: 'npy',
    samples: () => [
      encodeNpy({ data: new Float32Array([1, 2, 3, 4, 5, 6]), shape: [2, 3] }),
      encodeNpy({ data: Int32Array.from([1, -2, 3]) }),
      Buffer.concat([npyHeader("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }"), u64le(7), u64le(9)]),
    ],
    parse: (b, f) => parseNpy(b, f),
    hostile: () => [
      { what: 'shape 2³¹ x 2³¹', bytes: npyHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2147483648, 2147483648), }") },
      { what: 'shape 10⁴⁰⁰', bytes: npyHeader(`{'descr': '<f4', 'fortran_order': False, 'shape': (1${'0'.repeat(400)},), }`) },
      { what: 'complex dtype', bytes: npyHeader("{'descr': '<c16', 'fortran_order': False, 'shape': (2,), }") },
      { what: 'big-endian float', bytes: npyHeader("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }") },
      { what: 'Fortran order', bytes: npyHeader("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }") },
      { what: 'negative shape', bytes: npyHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (-4,), }") },
      { what: 'v2 header claiming 4 GB', bytes: Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0, 0xff, 0xff, 0xff, 0xff, 0x7b]) },
      {
        what: 'int64 beyond int32',
        bytes: Buffer.concat([npyHeader("{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }"), u64le(2 ** 40)]),
      },
    ],
  },
  {
    name: 'npz',
    samples: () => [
      encodeNpz({ train_features: { data: new Float32Array(12), shape: [3, 4] }, train_labels: { data: Int32Array.from([0, 1, 2]) } }),
      fs.readFileSync(fixture('npz_compressed.npz')),
    ],
    parse: (b, f) => parseNpz(b, f),
    hostile: () => [
      { what: 'deflate entry declaring 4 GB', bytes: zipDeclaring(new Uint8Array(1000), 0xfffffffe) },
      { what: 'deflate entry declaring less than it holds', bytes: zipDeclaring(new Uint8Array(100000), 100) },
      { what: 'a .npy, not an .npz', bytes: encodeNpy({ data: new Float32Array(3) }) },
    ],
  },
  {
    name: 'safetensors',
    samples: () => [
      encodeSafetensors(
        new Map([
          ['conv.weight', { shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) }],
          ['bias', { shape: [2], data: new Float32Array([7, 8]) }],
        ]),
        { arch: 'cnn-small', epoch: '3' },
      ),
    ],
    parse: (b, f) => decodeSafetensors(b, f),
    hostile: () => {
      const st = (header: object, data = new Uint8Array(16)) => {
        const h = Buffer.from(JSON.stringify(header));
        return Buffer.concat([u64le(h.length), h, data]);
      };
      return [
        { what: 'header length of 100 GB', bytes: Buffer.concat([u64le(100e9), Buffer.from('{}')]) },
        { what: 'header length 2⁶⁴ − 1', bytes: Buffer.concat([Buffer.alloc(8, 0xff), Buffer.from('{}')]) },
        { what: 'tensor of 100 GB', bytes: st({ w: { dtype: 'F32', shape: [25e9], data_offsets: [0, 100e9] } }) },
        { what: 'shape 2³¹ x 2³¹', bytes: st({ w: { dtype: 'F32', shape: [2 ** 31, 2 ** 31], data_offsets: [0, 16] } }) },
        { what: 'dtype F16', bytes: st({ w: { dtype: 'F16', shape: [8], data_offsets: [0, 16] } }) },
        { what: 'negative shape', bytes: st({ w: { dtype: 'F32', shape: [-1, -4], data_offsets: [0, 16] } }) },
        {
          what: 'overlapping tensors',
          bytes: st({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] }, b: { dtype: 'F32', shape: [2], data_offsets: [8, 16] } }),
        },
        { what: 'header is an array', bytes: st([1, 2]) },
      ];
    },
  },
  {
    name: 'cifar pickle',
    samples: () => [
      fs.readFileSync(fixture('cifar-py/cifar-10-batches-py/data_batch_1')),
      fs.readFileSync(fixture('cifar-py/cifar-100-python/test')),
      fs.readFileSync(fixture('cifar-py/cifar-10-batches-py/batches.meta')),
    ],
    parse: (b, f) => {
      const d = parsePickledDict(b, f);
      if (d.has('label_names')) return d;
      return decodeCifarBatch(d, f, d.has('fine_labels') ? 'cifar100' : 'cifar10');
    },
    hostile: () => {
      const p2 = (...parts: Array<number[] | string>) =>
        Buffer.concat([Buffer.from([0x80, 2]), ...parts.map((x) => (typeof x === 'string' ? Buffer.from(x, 'latin1') : Buffer.from(x)))]);
      return [
        { what: 'os.system global', bytes: pickle(new PyCall(new PyGlobal('posix', 'system'), new PickleTuple(['true']))) },
        { what: 'BINSTRING of 2 GB', bytes: p2([0x7d, 0x28, 0x55, 4], 'data', [0x54, 0xff, 0xff, 0xff, 0x7f], 'xx') },
        { what: '100,000 nested lists', bytes: p2(Buffer.alloc(100000, 0x5d).toString('latin1')) },
        { what: '500,000 empty lists, no STOP', bytes: p2(Buffer.alloc(500000, 0x5d).toString('latin1')) },
        { what: 'a class instance (NEWOBJ)', bytes: p2('c__main__\nX\n', [0x29, 0x81, 0x2e]) },
        { what: 'INST', bytes: p2('i__main__\nX\n', [0x2e]) },
        { what: 'data of 2³¹ x 2³¹ uint8 from 4 bytes', bytes: fuzzNdarray([2 ** 31 - 1, 2 ** 31 - 1], 4) },
        {
          what: 'labels a string',
          bytes: pickle(
            new PickleDict(
              [
                ['data', 1],
                ['labels', 'x'],
              ],
              false,
            ),
          ),
        },
      ];
    },
  },
  {
    name: 'pt zip',
    samples: () => [fs.readFileSync(fixture('torch/tensors_zip.pt')), encodeTorchCheckpoint(smallStateDict())],
    parse: (b, f) => parseTorchCheckpoint(b, f),
    hostile: () => [
      { what: 'a pickled model class', bytes: ptZip(pickle(new PyCall(new PyGlobal('__main__', 'Net'), new PickleTuple([])))) },
      { what: 'a view of 2³¹ elements of a 4-element storage (stride 0)', bytes: ptZip(ptTensor([2 ** 31], [0], 4), 16) },
      { what: 'a storage claiming 2⁴⁰ elements', bytes: ptZip(ptTensor([4], [1], 2 ** 40), 16) },
      { what: 'a view past its storage', bytes: ptZip(ptTensor([4], [2], 4), 16) },
      { what: 'a zip without data.pkl', bytes: encodeZip([{ name: 'archive/version', data: Buffer.from('3\n') }]) },
    ],
  },
  {
    name: 'pt data.pkl',
    samples: () => [ptEntry(fs.readFileSync(fixture('torch/tensors_zip.pt')), 'data.pkl')],
    // The mutated pickle in a valid archive (the zip's CRC would stop most mutations before the unpickler).
    parse: (b, f) => parseTorchCheckpoint(ptWith(b), f),
    hostile: () => [
      { what: '100,000 nested tuples', bytes: Buffer.concat([Buffer.from([0x80, 2]), Buffer.alloc(100000, 0x28), Buffer.from([0x2e])]) },
      { what: 'builtins.eval', bytes: pickle(new PyCall(new PyGlobal('builtins', 'eval'), new PickleTuple(['1']))) },
    ],
  },
  {
    name: 'pt legacy',
    samples: () => [fs.readFileSync(fixture('torch/tensors_legacy.pt'))],
    parse: (b, f) => parseTorchCheckpoint(b, f),
    hostile: () => {
      const legacy = Buffer.from(fs.readFileSync(fixture('torch/tensors_legacy.pt')));
      // The first storage's element count (the 8 bytes after the pickled key list) set to 2⁵⁰.
      const huge = Buffer.from(legacy);
      huge.writeBigUInt64LE(2n ** 50n, legacyDataStart(legacy));
      return [
        { what: 'a storage count of 2⁵⁰', bytes: huge },
        { what: 'cut in the storages', bytes: legacy.subarray(0, legacy.length - 10) },
      ];
    },
  },
  {
    name: 'params.json',
    samples: () => [Buffer.from(JSON.stringify({ arch: 'cnn-small', fd: 16, data: 'mnist', epo: 3, bs: 50, lr: 0.05, eps: 0.5 }, null, 2))],
    parse: (b, f) => parseParamsJson(Buffer.from(b).toString('utf8'), f),
    hostile: () => [
      { what: 'null', bytes: Buffer.from('null') },
      { what: 'fd -3', bytes: Buffer.from('{"fd": -3}') },
      { what: 'arch a number', bytes: Buffer.from('{"arch": 5}') },
      { what: '100,000 nested arrays', bytes: Buffer.from('['.repeat(100000)) },
    ],
  },
  {
    name: 'losses.csv',
    samples: () => [Buffer.from(`${LOSS_HEADER}\n0,0,-1.5,3.2,1.7,3.3,1.8\n0,1,-1.6,3.3,1.7,3.4,1.8\n1,0,0.7,NaN,NaN,NaN,NaN`)],
    parse: (b, f) => parseLossesCsv(Buffer.from(b).toString('utf8'), f),
    hostile: () => [
      { what: 'another header', bytes: Buffer.from('a,b,c\n1,2,3') },
      { what: 'a row of six fields', bytes: Buffer.from(`${LOSS_HEADER}\n0,0,1,2,3,4`) },
      { what: 'a fractional epoch', bytes: Buffer.from(`${LOSS_HEADER}\n0.5,0,1,2,3,4,5`) },
    ],
  },
];

// ---------------------------------------------------------------------------------------------
// Mutations and the check of each case.

/** Uniform integer in 0..n−1 (n ≥ 1). */
const below = (rng: RandomState, n: number) => rng.interval(Math.max(1, n) - 1);

export function mutate(src: Uint8Array, rng: RandomState): { what: string; bytes: Uint8Array } {
  const b = Buffer.from(src);
  const n = b.length;
  const pick = below(rng, 7);
  const at = () => below(rng, Math.max(1, n));
  switch (pick) {
    case 0: {
      const len = below(rng, n);
      return { what: `truncated to ${len} bytes`, bytes: b.subarray(0, len) };
    }
    case 1: {
      const k = 1 + below(rng, 8);
      for (let i = 0; i < k; i++) b[at()] ^= 1 << below(rng, 8);
      return { what: `${k} bits flipped`, bytes: b };
    }
    case 2: {
      const k = 1 + below(rng, Math.min(16, n));
      for (let i = 0; i < k; i++) b[i] = below(rng, 256);
      return { what: `first ${k} bytes (the magic) replaced`, bytes: b };
    }
    case 3: {
      // A huge integer where a header field may be: in the first 600 bytes.
      const o = below(rng, Math.max(1, Math.min(n, 600) - 8));
      const v = [0xff, 0x7f, 0x80][below(rng, 3)];
      const w = [2, 4, 8][below(rng, 3)];
      for (let i = 0; i < w && o + i < n; i++) b[o + i] = v;
      return { what: `${w} bytes at ${o} set to 0x${v.toString(16)}`, bytes: b };
    }
    case 4: {
      const o = at();
      const len = 1 + below(rng, 64);
      return { what: `${len} bytes deleted at ${o}`, bytes: Buffer.concat([b.subarray(0, o), b.subarray(Math.min(n, o + len))]) };
    }
    case 5: {
      const o = at();
      const junk = Uint8Array.from(rng.randint(0, 256, 1 + below(rng, 64)));
      return { what: `${junk.length} bytes inserted at ${o}`, bytes: Buffer.concat([b.subarray(0, o), junk, b.subarray(o)]) };
    }
    default: {
      const k = 1 + below(rng, 32);
      for (let i = 0; i < k; i++) b[at()] = below(rng, 256);
      return { what: `${k} random bytes overwritten`, bytes: b };
    }
  }
}

export interface FuzzStats {
  format: string;
  cases: number;
  errors: number;
  ok: number;
  maxMs: number;
  /** Largest growth of heap + array buffers over one case, MB. */
  maxMB: number;
  failures: string[];
}

/** Time and memory allowed per case: 5 s (a loaded CI machine) and 64 MB + 16x the input. */
export const CASE_MS = 5000;
const memLimit = (bytes: number) => 64 * 2 ** 20 + 16 * bytes;

function memNow(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Runs one case; returns a failure description, or undefined when it behaved. */
async function runCase(fmt: Format, c: Case, file: string, stats: FuzzStats): Promise<string | undefined> {
  const m0 = memNow();
  const t0 = performance.now();
  let err: unknown;
  let _result: unknown;
  try {
    _result = await fmt.parse(c.bytes, file);
  } catch (e) {
    err = e;
  }
  const ms = performance.now() - t0;
  const grown = memNow() - m0;
  _result = undefined;
  stats.cases++;
  stats.maxMs = Math.max(stats.maxMs, ms);
  stats.maxMB = Math.max(stats.maxMB, grown / 2 ** 20);
  const where = `${fmt.name}, ${c.what}`;
  if (ms > CASE_MS) return `${where}: took ${ms.toFixed(0)} ms`;
  if (grown > memLimit(c.bytes.length)) return `${where}: memory grew ${(grown / 2 ** 20).toFixed(0)} MB`;
  if (err === undefined) {
    stats.ok++;
    return undefined;
  }
  stats.errors++;
  if (!(err instanceof Error)) return `${where}: threw a non-Error ${String(err)}`;
  if (err.message.includes('ESCAPED')) return `${where}: ${err.message}`;
  if (!err.message.includes(file)) return `${where}: error does not name the file: ${err.message}`;
  if (err.message.replace(file, '').replace(/[:\s]/g, '').length < 8) return `${where}: error says nothing: ${err.message}`;
  return undefined;
}

/** `count` seeded mutations of each sample in turn, then the hostile cases; stats per format. */
export async function fuzzFormat(fmt: Format, count: number, seed: number): Promise<FuzzStats> {
  const stats: FuzzStats = { format: fmt.name, cases: 0, errors: 0, ok: 0, maxMs: 0, maxMB: 0, failures: [] };
  const rng = new RandomState(seed);
  const samples = fmt.samples();
  const file = `/fuzz/${fmt.name.replace(/\W+/g, '_')}.bin`;
  for (const s of samples) {
    const f = await runCase(fmt, { what: 'the valid sample', bytes: s }, file, stats);
    if (f !== undefined || stats.ok === 0) stats.failures.push(f ?? `${fmt.name}: the valid sample does not load`);
  }
  for (let i = 0; i < count; i++) {
    const c = mutate(samples[i % samples.length], rng);
    const f = await runCase(fmt, { what: `case ${i}: ${c.what}`, bytes: c.bytes }, file, stats);
    if (f !== undefined) stats.failures.push(f);
  }
  for (const c of fmt.hostile()) {
    const okBefore = stats.ok;
    const f = await runCase(fmt, c, file, stats);
    if (f !== undefined) stats.failures.push(f);
    else if (stats.ok !== okBefore && !fmt.async) stats.failures.push(`${fmt.name}, ${c.what}: accepted, expected an error`);
  }
  return stats;
}
