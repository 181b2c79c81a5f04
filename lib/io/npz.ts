// numpy's .npy and .npz files, read and written without Python.
//
// .npy (format 1.0–3.0): the magic "\x93NUMPY", a version, a little-endian header length, then a
// Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (n, d), } padded with
// spaces and a newline to a multiple of 64 bytes, then the raw C-order data.
// .npz: a zip archive (lib/io/zip.ts) of "<name>.npy" entries. np.savez stores them (with zip64 extra fields,
// since numpy forces zip64), np.savez_compressed deflates them; both are read here. We write
// stored entries, a fixed timestamp (so the same arrays give the same bytes) and CRC32s.
//
// Dtypes: float32 '<f4', float64 '<f8', int32 '<i4', uint8 '|u1'; int64 '<i8' is read into an
// Int32Array after checking every value fits (labels and indices are saved as int64 by numpy).
import { readBytes, writeFileAtomic } from './files.js';
import { encodeZip, zipEntries, zipEntryBytes } from './zip.js';

export type NpyDtype = 'float32' | 'float64' | 'int32' | 'uint8';
export type NpyData = Float32Array | Float64Array | Int32Array | Uint8Array;

export interface NpyArray {
  dtype: NpyDtype;
  /** C-order shape; [] for a scalar. */
  shape: number[];
  data: NpyData;
}

/** What writeNpz/encodeNpy accept: a typed array and its shape (default: 1-D). */
export interface NpyInput {
  data: NpyData;
  shape?: readonly number[];
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

const DESCR: Record<NpyDtype, string> = { float32: '<f4', float64: '<f8', int32: '<i4', uint8: '|u1' };

// ---------------------------------------------------------------------------------------------
// .npy

function dtypeOf(data: NpyData): NpyDtype {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Uint8Array) return 'uint8';
  throw new Error(
    `npy: unsupported array type ${(data as object)?.constructor?.name}; use Float32Array, Float64Array, Int32Array or Uint8Array`,
  );
}

/** One array as the bytes of a .npy file (format 1.0). */
export function encodeNpy(arr: NpyInput, what = 'array'): Uint8Array {
  const dtype = dtypeOf(arr.data);
  const shape = [...(arr.shape ?? [arr.data.length])];
  for (const s of shape) if (!(Number.isInteger(s) && s >= 0)) throw new Error(`npy: ${what} has a bad shape [${shape}]`);
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== arr.data.length) throw new Error(`npy: ${what} has ${arr.data.length} values but shape [${shape}] holds ${size}`);
  const shapeRepr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${DESCR[dtype]}', 'fortran_order': False, 'shape': ${shapeRepr}, }`;
  // magic (6) + version (2) + length (2) + dict + padding + '\n' is a multiple of 64.
  const unpadded = 10 + dict.length + 1;
  const total = Math.ceil(unpadded / 64) * 64;
  if (total - 10 > 0xffff) throw new Error(`npy: ${what}: header too long`);
  const header = `${dict + ' '.repeat(total - unpadded)}\n`;
  const bytes = arr.data.byteLength;
  const out = new Uint8Array(total + bytes);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  out[8] = (total - 10) & 0xff;
  out[9] = (total - 10) >> 8;
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  // Typed arrays are little-endian on every platform Node runs on (checked below at load).
  out.set(new Uint8Array(arr.data.buffer, arr.data.byteOffset, bytes), total);
  return out;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Parses the bytes of a .npy file. `what` names it in errors (a file or an archive entry). */
export function parseNpy(bytes: Uint8Array, what = '.npy data'): NpyArray {
  if (!LITTLE_ENDIAN) throw new Error('npy: this platform is big-endian; not supported');
  if (bytes.length < 10 || !MAGIC.every((b, i) => bytes[i] === b)) throw new Error(`${what}: not a .npy array (no \\x93NUMPY magic)`);
  const major = bytes[6];
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = bytes[8] | (bytes[9] << 8);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new Error(`${what}: truncated .npy header`);
    headerLen = (bytes[8] | (bytes[9] << 8) | (bytes[10] << 16)) + bytes[11] * 2 ** 24;
    start = 12;
  } else {
    throw new Error(`${what}: unsupported .npy format version ${major}.${bytes[7]}`);
  }
  if (start + headerLen > bytes.length) throw new Error(`${what}: truncated .npy header`);
  const header = Buffer.from(bytes.buffer, bytes.byteOffset + start, headerLen).toString(major === 3 ? 'utf8' : 'latin1');
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(header)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined) {
    throw new Error(
      /['"]descr['"]\s*:\s*\[/.test(header)
        ? `${what}: structured dtypes are not supported`
        : `${what}: .npy header has no descr: ${header.trim()}`,
    );
  }
  if (fortran === undefined || shapeText === undefined) throw new Error(`${what}: malformed .npy header: ${header.trim()}`);
  if (fortran === 'True') throw new Error(`${what}: Fortran-order arrays are not supported (save np.ascontiguousarray(a) instead)`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim().replace(/L$/, ''))
    .filter((s) => s.length > 0)
    .map((s) => {
      const v = Number(s);
      if (!(Number.isInteger(v) && v >= 0)) throw new Error(`${what}: bad shape (${shapeText})`);
      return v;
    });
  const size = shape.reduce((a, b) => a * b, 1);
  const dataStart = start + headerLen;
  const avail = bytes.length - dataStart;
  const need = (itemsize: number): Uint8Array => {
    if (avail < size * itemsize)
      throw new Error(`${what}: truncated: shape (${shape}) of ${descr} needs ${size * itemsize} bytes, ${avail} present`);
    // Copy into a fresh buffer: the data may sit at an offset that the typed array's alignment
    // forbids (and a Node Buffer's slice would share its pool).
    const copy = new Uint8Array(size * itemsize);
    copy.set(bytes.subarray(dataStart, dataStart + size * itemsize));
    return copy;
  };
  switch (descr) {
    case '<f4':
      return { dtype: 'float32', shape, data: new Float32Array(need(4).buffer) };
    case '<f8':
      return { dtype: 'float64', shape, data: new Float64Array(need(8).buffer) };
    case '<i4':
      return { dtype: 'int32', shape, data: new Int32Array(need(4).buffer) };
    case '|u1':
    case '<u1':
      return { dtype: 'uint8', shape, data: need(1) };
    case '<i8': {
      const src = new BigInt64Array(need(8).buffer);
      const out = new Int32Array(size);
      for (let i = 0; i < size; i++) {
        const v = src[i];
        if (v > 2147483647n || v < -2147483648n) throw new Error(`${what}: int64 value ${v} at flat index ${i} does not fit in int32`);
        out[i] = Number(v);
      }
      return { dtype: 'int32', shape, data: out };
    }
    default:
      if (descr.startsWith('>')) throw new Error(`${what}: big-endian dtype '${descr}' is not supported (save with a little-endian dtype)`);
      throw new Error(`${what}: unsupported dtype '${descr}' (supported: <f4, <f8, <i4, <i8, |u1)`);
  }
}

export function readNpy(file: string): NpyArray {
  return parseNpy(readBytes(file), file);
}

export function writeNpy(file: string, arr: NpyInput): void {
  writeFileAtomic(file, encodeNpy(arr, file));
}

// ---------------------------------------------------------------------------------------------
// .npz

/** The arrays of an .npz archive as its bytes (stored entries, "<name>.npy"). */
export function encodeNpz(arrays: Record<string, NpyInput>): Uint8Array {
  return encodeZip(
    Object.keys(arrays).map((key) => {
      if (key.length === 0 || key.includes('\0')) throw new Error(`npz: bad array name ${JSON.stringify(key)}`);
      return { name: `${key}.npy`, data: encodeNpy(arrays[key], `array '${key}'`) };
    }),
  );
}

/** Writes arrays as an .npz that np.load reads (atomically: a temporary file, then a rename). */
export function writeNpz(file: string, arrays: Record<string, NpyInput>): void {
  writeFileAtomic(file, encodeNpz(arrays));
}

/** Parses .npz bytes: name (without ".npy") → array, in archive order. */
export function parseNpz(bytes: Uint8Array, what = '.npz data'): Record<string, NpyArray> {
  const out: Record<string, NpyArray> = {};
  if (bytes.length >= 6 && MAGIC.every((x, i) => bytes[i] === x))
    throw new Error(`${what}: a .npy file, not an .npz archive (use readNpy)`);
  for (const en of zipEntries(bytes, what, '.npz file')) {
    if (en.name.endsWith('/')) continue; // a directory entry
    const key = en.name.endsWith('.npy') ? en.name.slice(0, -4) : en.name;
    out[key] = parseNpy(zipEntryBytes(bytes, en, what), `${what}: entry '${en.name}'`);
  }
  return out;
}

/** Reads an .npz file (np.savez or np.savez_compressed output). */
export function readNpz(file: string): Record<string, NpyArray> {
  return parseNpz(readBytes(file), file);
}
