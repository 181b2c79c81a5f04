// Zip archives, read and written without a dependency: what numpy's .npz and torch.save's .pt files
// are. Reading takes stored and deflated entries, zip64 directories, and checks every size against
// the bytes present and every CRC32; writing makes stored entries with a fixed timestamp (the same
// entries give the same bytes) and can align entry data, as torch.save does (64 bytes).
import * as zlib from 'node:zlib';

export const crc32: (data: Uint8Array) => number =
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

export interface ZipWriteOptions {
  /** Start each entry's data at a multiple of this many bytes (padding in the local extra field); default 1. */
  align?: number;
}

/** A zip archive of stored (uncompressed) entries, with a fixed timestamp and CRC32s. */
export function encodeZip(entries: Array<{ name: string; data: Uint8Array }>, opts: ZipWriteOptions = {}): Uint8Array {
  const align = opts.align ?? 1;
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  if (entries.length > 0xffff) throw new Error(`zip: ${entries.length} entries; at most 65535 without zip64`);
  for (const { name: entryName, data } of entries) {
    const name = Buffer.from(entryName, 'utf8');
    const utf8 = /[^\x20-\x7e]/.test(entryName) ? 0x0800 : 0;
    const crc = crc32(data);
    // torch.save's padding: an extra field of id 'FB' whose body fills up to the alignment.
    let extra = Buffer.alloc(0);
    if (align > 1) {
      const start = offset + 30 + name.length;
      let pad = (align - ((start + 4) % align)) % align;
      if (start % align === 0) pad = -4;
      if (pad >= 0) {
        extra = Buffer.alloc(4 + pad, 'Z');
        extra.writeUInt16LE(0x4246, 0);
        extra.writeUInt16LE(pad, 2);
      }
    }
    if (offset + 30 + name.length + extra.length + data.length > 0xfffffffe)
      throw new Error('zip: archive above 4 GiB needs zip64, which is not written');
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
    local.writeUInt16LE(extra.length, 28);
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
    parts.push(local, name, extra, data);
    offset += 30 + name.length + extra.length + data.length;
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

export interface ZipEntry {
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

/** Whether the bytes start like a zip archive (a local file header). */
export function looksLikeZip(b: Uint8Array): boolean {
  return b.length >= 4 && u32(b, 0) === 0x04034b50;
}

/**
 * The central directory's entries. `kind` names what the file should be in the message for bytes
 * that are not a zip archive at all ("not an .npz file (not a zip archive)").
 */
export function zipEntries(b: Uint8Array, what: string, kind = 'zip archive'): ZipEntry[] {
  // The end-of-central-directory record: 22 bytes plus a comment of up to 65535 bytes.
  let eocd = -1;
  for (let i = b.length - 22; i >= Math.max(0, b.length - 22 - 0xffff); i--) {
    if (b[i] === 0x50 && b[i + 1] === 0x4b && b[i + 2] === 5 && b[i + 3] === 6) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) {
    if (looksLikeZip(b) || (b.length >= 2 && b[0] === 0x50 && b[1] === 0x4b))
      throw new Error(`${what}: truncated zip archive (no end-of-central-directory record)`);
    throw new Error(`${what}: not ${/^[aeiou.]/i.test(kind) ? 'an' : 'a'} ${kind} (not a zip archive)`);
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
  const entries: ZipEntry[] = [];
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

/** An entry's bytes (a view into b when stored), its size and CRC32 checked. */
export function zipEntryBytes(b: Uint8Array, en: ZipEntry, what: string): Uint8Array {
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
