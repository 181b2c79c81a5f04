// numpy's .npy and .npz files, read and written without Python.
//
// .npy (format 1.0–3.0): the magic "\x93NUMPY", a version, a little-endian header length, then a
// Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (n, d), } padded with
// spaces and a newline to a multiple of 64 bytes, then the raw C-order data.
// .npz: a zip archive of "<name>.npy" entries. np.savez stores them (with zip64 extra fields,
// since numpy forces zip64), np.savez_compressed deflates them; both are read here. We write
// stored entries, a fixed timestamp (so the same arrays give the same bytes) and CRC32s.
//
// Dtypes: float32 '<f4', float64 '<f8', int32 '<i4', uint8 '|u1'; int64 '<i8' is read into an
// Int32Array after checking every value fits (labels and indices are saved as int64 by numpy).
import * as zlib from 'node:zlib';
import { readBytes, writeFileAtomic } from './files.js';

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
// zip

const crc32: (data: Uint8Array) => number =
  typeof (zlib as { crc32?: unknown }).crc32 === 'function' ? (d) => zlib.crc32(d) >>> 0 : crc32Table; // Node < 20.15 lacks zlib.crc32

let table: Uint32Array | undefined;
function crc32Table(d: Uint8Array): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < d.length; i++) c = table[(c ^ d[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** The arrays of an .npz archive as its bytes (stored entries, "<name>.npy"). */
export function encodeNpz(arrays: Record<string, NpyInput>): Uint8Array {
  return encodeZip(
    Object.keys(arrays).map((key) => {
      if (key.length === 0 || key.includes('\0')) throw new Error(`npz: bad array name ${JSON.stringify(key)}`);
      return { name: `${key}.npy`, data: encodeNpy(arrays[key], `array '${key}'`) };
    }),
  );
}

/** A zip archive of stored (uncompressed) entries, with a fixed timestamp and CRC32s. */
export function encodeZip(entries: Array<{ name: string; data: Uint8Array }>): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  if (entries.length > 0xffff) throw new Error(`zip: ${entries.length} entries; at most 65535 without zip64`);
  for (const { name: entryName, data } of entries) {
    const name = Buffer.from(entryName, 'utf8');
    const utf8 = /[^\x20-\x7e]/.test(entryName) ? 0x0800 : 0;
    const crc = crc32(data);
    if (offset + 30 + name.length + data.length > 0xfffffffe) throw new Error('zip: archive above 4 GiB needs zip64, which is not written');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(utf8, 6);
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt16LE(0, 10); // time 00:00
    local.writeUInt16LE(0x21, 12); // date 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4); // made by
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(utf8, 8);
    cd.writeUInt16LE(0, 10);
    cd.writeUInt16LE(0, 12);
    cd.writeUInt16LE(0x21, 14);
    cd.writeUInt32LE(crc, 16);
    cd.writeUInt32LE(data.length, 20);
    cd.writeUInt32LE(data.length, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt32LE(offset, 42);
    central.push(cd, name);
    parts.push(local, name, data);
    offset += 30 + name.length + data.length;
  }
  const cdSize = central.reduce((sum, x) => sum + x.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cdSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, ...central, end]);
}

/** Writes arrays as an .npz that np.load reads (atomically: a temporary file, then a rename). */
export function writeNpz(file: string, arrays: Record<string, NpyInput>): void {
  writeFileAtomic(file, encodeNpz(arrays));
}

interface Entry {
  name: string;
  method: number;
  flags: number;
  crc: number;
  csize: number;
  usize: number;
  offset: number;
}

function u16(b: Uint8Array, o: number): number {
  return b[o] | (b[o + 1] << 8);
}
function u32(b: Uint8Array, o: number): number {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16)) + b[o + 3] * 0x1000000;
}
function u64(b: Uint8Array, o: number, what: string): number {
  const v = u32(b, o) + u32(b, o + 4) * 0x100000000;
  if (!Number.isSafeInteger(v)) throw new Error(`${what}: zip64 field too large`);
  return v;
}

function centralDirectory(b: Uint8Array, what: string): Entry[] {
  const isZipStart = b.length >= 4 && u32(b, 0) === 0x04034b50;
  // The end-of-central-directory record: 22 bytes plus a comment of up to 65535 bytes.
  let eocd = -1;
  for (let i = b.length - 22; i >= Math.max(0, b.length - 22 - 0xffff); i--) {
    if (b[i] === 0x50 && b[i + 1] === 0x4b && b[i + 2] === 5 && b[i + 3] === 6) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) {
    if (b.length >= 6 && MAGIC.every((x, i) => b[i] === x)) throw new Error(`${what}: a .npy file, not an .npz archive (use readNpy)`);
    if (isZipStart || (b.length >= 2 && b[0] === 0x50 && b[1] === 0x4b))
      throw new Error(`${what}: truncated zip archive (no end-of-central-directory record)`);
    throw new Error(`${what}: not an .npz file (not a zip archive)`);
  }
  let count = u16(b, eocd + 10);
  let cdSize = u32(b, eocd + 12);
  let cdOffset = u32(b, eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    // zip64: a locator just before the record points at the zip64 end record.
    const loc = eocd - 20;
    if (loc < 0 || u32(b, loc) !== 0x07064b50) throw new Error(`${what}: corrupt zip64 archive (no zip64 locator)`);
    const z = u64(b, loc + 8, what);
    if (z + 56 > b.length || u32(b, z) !== 0x06064b50) throw new Error(`${what}: corrupt zip64 archive (bad zip64 end record)`);
    count = u64(b, z + 32, what);
    cdSize = u64(b, z + 40, what);
    cdOffset = u64(b, z + 48, what);
  }
  if (cdOffset + cdSize > b.length) throw new Error(`${what}: truncated zip archive (central directory past the end of the file)`);
  const entries: Entry[] = [];
  let p = cdOffset;
  for (let k = 0; k < count; k++) {
    if (p + 46 > b.length || u32(b, p) !== 0x02014b50) throw new Error(`${what}: corrupt zip central directory (entry ${k})`);
    const flags = u16(b, p + 8);
    const method = u16(b, p + 10);
    const crc = u32(b, p + 16);
    let csize = u32(b, p + 20);
    let usize = u32(b, p + 24);
    const nameLen = u16(b, p + 28);
    const extraLen = u16(b, p + 30);
    const commentLen = u16(b, p + 32);
    let offset = u32(b, p + 42);
    if (p + 46 + nameLen + extraLen + commentLen > b.length)
      throw new Error(`${what}: corrupt zip central directory (entry ${k} runs past the end)`);
    const name = Buffer.from(b.buffer, b.byteOffset + p + 46, nameLen).toString(flags & 0x0800 ? 'utf8' : 'latin1');
    // zip64 extended information (id 1): the 8-byte values of the fields that read 0xffffffff.
    let e = p + 46 + nameLen;
    const eEnd = e + extraLen;
    while (e + 4 <= eEnd) {
      const id = u16(b, e);
      const len = u16(b, e + 2);
      if (e + 4 + len > eEnd) throw new Error(`${what}: corrupt zip central directory (entry ${k}: bad extra field)`);
      if (id === 1) {
        let q = e + 4;
        const need = 8 * [usize, csize, offset].filter((x) => x === 0xffffffff).length;
        if (len < need) throw new Error(`${what}: corrupt zip64 extra field (entry ${k})`);
        if (usize === 0xffffffff) {
          usize = u64(b, q, what);
          q += 8;
        }
        if (csize === 0xffffffff) {
          csize = u64(b, q, what);
          q += 8;
        }
        if (offset === 0xffffffff) {
          offset = u64(b, q, what);
          q += 8;
        }
      }
      e += 4 + len;
    }
    entries.push({ name, method, flags, crc, csize, usize, offset });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

function entryBytes(b: Uint8Array, en: Entry, what: string): Uint8Array {
  const where = `${what}: entry '${en.name}'`;
  if (en.flags & 1) throw new Error(`${where} is encrypted`);
  if (en.offset + 30 > b.length || u32(b, en.offset) !== 0x04034b50)
    throw new Error(`${where}: truncated or corrupt archive (no local header)`);
  const start = en.offset + 30 + u16(b, en.offset + 26) + u16(b, en.offset + 28);
  if (start + en.csize > b.length)
    throw new Error(`${where}: truncated archive (${en.csize} bytes expected, ${Math.max(0, b.length - start)} present)`);
  const raw = b.subarray(start, start + en.csize);
  let data: Uint8Array;
  if (en.method === 0) data = raw;
  else if (en.method === 8) {
    // Deflate expands at most ~1032:1; a larger declared size is a corrupt (or hostile) directory,
    // and the output is capped at the declared size so memory stays bounded.
    if (en.usize > 1032 * en.csize + 64)
      throw new Error(`${where}: declares ${en.usize} bytes from ${en.csize} compressed, more than deflate can hold`);
    try {
      data = zlib.inflateRawSync(raw, { maxOutputLength: Math.max(1, en.usize) });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError)
        throw new Error(`${where}: inflates past the ${en.usize} bytes the directory declares (corrupt archive)`);
      throw new Error(`${where}: corrupt deflate data (${(e as Error).message})`);
    }
  } else throw new Error(`${where}: compression method ${en.method} is not supported (stored or deflate only)`);
  if (data.length !== en.usize) throw new Error(`${where}: ${data.length} bytes after decompression, the directory says ${en.usize}`);
  if (crc32(data) !== en.crc) throw new Error(`${where}: CRC32 mismatch (corrupt archive)`);
  return data;
}

/** Parses .npz bytes: name (without ".npy") → array, in archive order. */
export function parseNpz(bytes: Uint8Array, what = '.npz data'): Record<string, NpyArray> {
  const out: Record<string, NpyArray> = {};
  for (const en of centralDirectory(bytes, what)) {
    if (en.name.endsWith('/')) continue; // a directory entry
    const key = en.name.endsWith('.npy') ? en.name.slice(0, -4) : en.name;
    out[key] = parseNpy(entryBytes(bytes, en, what), `${what}: entry '${en.name}'`);
  }
  return out;
}

/** Reads an .npz file (np.savez or np.savez_compressed output). */
export function readNpz(file: string): Record<string, NpyArray> {
  return parseNpz(readBytes(file), file);
}
