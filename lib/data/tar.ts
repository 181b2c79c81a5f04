// Reading tar archives (plain or gzip): ustar, with GNU long names, pax path/size records and
// base-256 sizes. Enough to read an image-folder tree straight from its archive and to unpack the
// official dataset archives. Every header is checked (checksum, size field) before its size is
// trusted; only regular files and folders are ever written, and only under the destination:
// entries with absolute paths or '..', links, devices, and paths through an existing symlink are
// refused or skipped.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { readBytes } from '../io/files.js';
import { gunzipBounded, isGzip } from '../io/gzip.js';

export interface TarEntry {
  path: string;
  data: Uint8Array;
}

function str(b: Uint8Array, start: number, len: number): string {
  let end = start;
  while (end < start + len && b[end] !== 0) end++;
  return Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('utf8');
}

/** A numeric header field: octal text, or GNU base-256 (high bit of the first byte set). */
function numberField(h: Uint8Array, start: number, len: number, what: string): number {
  if (h[start] & 0x80) {
    let v = h[start] & 0x7f;
    for (let i = start + 1; i < start + len; i++) v = v * 256 + h[i];
    if (!Number.isSafeInteger(v)) throw new Error(`${what} is too large`);
    return v;
  }
  const s = str(h, start, len).trim();
  if (!/^[0-7]*$/.test(s)) throw new Error(`${what} is not an octal number (${JSON.stringify(s)})`);
  return s === '' ? 0 : parseInt(s, 8);
}

/** pax extended header records: "<length> <key>=<value>\n", each length counting the whole record. */
function paxRecords(data: Uint8Array, where: string): Record<string, string> {
  const out: Record<string, string> = {};
  let p = 0;
  while (p < data.length && data[p] !== 0) {
    let q = p;
    while (q < data.length && q - p < 20 && data[q] >= 0x30 && data[q] <= 0x39) q++;
    const len = Number(Buffer.from(data.subarray(p, q)).toString('latin1'));
    if (q === p || data[q] !== 0x20 || !(len > q - p + 1) || p + len > data.length || data[p + len - 1] !== 0x0a)
      throw new Error(`${where}: malformed pax header record at byte ${p}`);
    const rec = Buffer.from(data.subarray(q + 1, p + len - 1)).toString('utf8');
    const eq = rec.indexOf('=');
    if (eq < 0) throw new Error(`${where}: malformed pax header record at byte ${p}`);
    out[rec.slice(0, eq)] = rec.slice(eq + 1);
    p += len;
  }
  return out;
}

interface Header {
  name: string;
  size: number;
  type: string;
}

/** Checks one 512-byte header (at byte off of the archive) and reads its name, size and type. */
function parseHeader(h: Uint8Array, off: number, file: string): Header {
  const at = `${file}: tar header at byte ${off}`;
  const magic = str(h, 257, 6);
  if (!magic.startsWith('ustar') && h[257] !== 0) throw new Error(`${file}: not a tar archive (bad header at byte ${off})`);
  let sum = 0;
  let signed = 0;
  for (let i = 0; i < 512; i++) {
    const v = i >= 148 && i < 156 ? 32 : h[i];
    sum += v;
    signed += v > 127 && !(i >= 148 && i < 156) ? v - 256 : v;
  }
  let stored: number;
  try {
    stored = numberField(h, 148, 8, 'checksum');
  } catch {
    throw new Error(`${at}: checksum field is not a number (corrupt or not a tar archive)`);
  }
  if (stored !== sum && stored !== signed)
    throw new Error(`${file}: tar header checksum mismatch at byte ${off} (corrupt or not a tar archive)`);
  let size: number;
  try {
    size = numberField(h, 124, 12, 'size');
  } catch (e) {
    throw new Error(`${at}: ${(e as Error).message}`);
  }
  const prefix = magic.startsWith('ustar') ? str(h, 345, 155) : '';
  const name = prefix ? `${prefix}/${str(h, 0, 100)}` : str(h, 0, 100);
  return { name, size, type: String.fromCharCode(h[156] || 48) };
}

/** Regular files of a tar (or .tar.gz) buffer, in archive order. */
export function* tarEntries(input: Uint8Array, file = 'archive'): Generator<TarEntry> {
  const buf = isGzip(input) ? gunzipBounded(input, file) : input;
  let off = 0;
  let longName: string | undefined;
  let paxSize: number | undefined;
  while (off + 512 <= buf.length) {
    const h = buf.subarray(off, off + 512);
    if (h.every((v) => v === 0)) return;
    const hd = parseHeader(h, off, file);
    const size = paxSize ?? hd.size;
    paxSize = undefined;
    const dataStart = off + 512;
    if (size > buf.length - dataStart)
      throw new Error(`${file}: truncated tar archive: '${longName ?? hd.name}' declares ${size} bytes, ${buf.length - dataStart} remain`);
    const data = buf.subarray(dataStart, dataStart + size);
    off = dataStart + Math.ceil(size / 512) * 512;
    if (hd.type === 'L') {
      longName = str(data, 0, data.length);
      continue;
    }
    if (hd.type === 'x') {
      const rec = paxRecords(data, `${file}: pax header at byte ${dataStart - 512}`);
      if (rec.path !== undefined) longName = rec.path;
      if (rec.size !== undefined) {
        if (!/^\d+$/.test(rec.size)) throw new Error(`${file}: pax size '${rec.size}' is not a number`);
        paxSize = Number(rec.size);
      }
      continue;
    }
    const name = longName ?? hd.name;
    longName = undefined;
    if (hd.type === '0' || hd.type === '7') yield { path: name, data };
  }
  throw new Error(`${file}: truncated tar archive (no end-of-archive blocks after byte ${off})`);
}

export function readTar(file: string): Generator<TarEntry> {
  return tarEntries(readBytes(file), file);
}

/** dest/name, or an error when name would land outside dest (absolute, '..', through a symlink). */
function safeTarget(file: string, dest: string, realDest: string, name: string): string {
  const norm = path.normalize(name);
  if (name.includes('\0') || path.isAbsolute(norm) || norm.split(path.sep).includes('..'))
    throw new Error(`${file}: refusing to write ${name} outside ${dest}`);
  const target = path.join(dest, norm);
  const parent = path.dirname(target);
  fs.mkdirSync(parent, { recursive: true });
  const realParent = fs.realpathSync(parent);
  if (realParent !== realDest && !realParent.startsWith(realDest + path.sep))
    throw new Error(`${file}: refusing to write '${name}': ${parent} leads outside ${dest} (a symlink)`);
  return target;
}

/**
 * Unpacks a .tar.gz (or .tar) file under dest, streaming (the STL-10 archive is 2.6 GB). Links,
 * devices and paths outside dest are never written; an existing file or symlink at a target is
 * replaced, not written through. Returns the files written. On error the file being written is removed.
 */
export async function extractTar(file: string, dest: string): Promise<string[]> {
  fs.mkdirSync(dest, { recursive: true });
  const realDest = fs.realpathSync(dest);
  const written: string[] = [];
  const head = Buffer.alloc(2);
  try {
    const fd = fs.openSync(file, 'r');
    fs.readSync(fd, head, 0, 2, 0);
    fs.closeSync(fd);
  } catch (e) {
    throw new Error(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const src = fs.createReadStream(file);
  const gz = isGzip(head) ? src.pipe(zlib.createGunzip()) : src;
  let pending: Buffer = Buffer.alloc(0);
  let consumed = 0; // archive bytes taken from the stream before `pending`
  let remaining = 0;
  let padding = 0;
  let out: number | undefined;
  let outPath: string | undefined;
  let longName: string | undefined;
  let paxSize: number | undefined;
  let collecting: Buffer[] | undefined;
  let collectType = '';
  let ended = false;
  const take = (n: number) => {
    pending = pending.subarray(n);
    consumed += n;
  };
  try {
    try {
      for await (const chunk of gz as AsyncIterable<Buffer>) {
        pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
        for (;;) {
          if (ended) break;
          if (remaining > 0) {
            const n = Math.min(remaining, pending.length);
            if (n === 0) break;
            const part = pending.subarray(0, n);
            if (out !== undefined) fs.writeSync(out, part);
            else if (collecting) collecting.push(Buffer.from(part));
            take(n);
            remaining -= n;
            if (remaining > 0) break;
          }
          if (out !== undefined) {
            fs.closeSync(out);
            out = undefined;
            outPath = undefined;
          }
          if (collecting) {
            const data = Buffer.concat(collecting);
            collecting = undefined;
            if (collectType === 'L') longName = data.toString('utf8').replace(/\0.*$/s, '');
            else {
              const rec = paxRecords(data, `${file}: pax header`);
              if (rec.path !== undefined) longName = rec.path;
              if (rec.size !== undefined) {
                if (!/^\d+$/.test(rec.size)) throw new Error(`${file}: pax size '${rec.size}' is not a number`);
                paxSize = Number(rec.size);
              }
            }
          }
          if (padding > 0) {
            const skip = Math.min(padding, pending.length);
            take(skip);
            padding -= skip;
            if (padding > 0) break;
          }
          if (pending.length < 512) break;
          const h = pending.subarray(0, 512);
          const off = consumed;
          take(512);
          if (h.every((v) => v === 0)) {
            ended = true;
            break;
          }
          const hd = parseHeader(h, off, file);
          const size = paxSize ?? hd.size;
          paxSize = undefined;
          const name = longName ?? hd.name;
          remaining = size;
          padding = (512 - (size % 512)) % 512;
          if (hd.type === 'L' || hd.type === 'x') {
            if (size > 1 << 20) throw new Error(`${file}: tar header at byte ${off}: a ${size}-byte long-name/pax record`);
            collecting = [];
            collectType = hd.type;
            continue;
          }
          longName = undefined;
          if (hd.type === '5') {
            const dir = safeTarget(file, dest, realDest, name);
            fs.mkdirSync(dir, { recursive: true });
          } else if (hd.type === '0' || hd.type === '7') {
            const target = safeTarget(file, dest, realDest, name);
            // Replace what is there (a file from an earlier unpack, or a symlink: never followed).
            const st = fs.lstatSync(target, { throwIfNoEntry: false });
            if (st?.isDirectory()) throw new Error(`${file}: '${name}' is a file in the archive but a folder in ${dest}`);
            if (st) fs.rmSync(target, { force: true });
            out = fs.openSync(target, 'wx');
            outPath = target;
            written.push(target);
          }
          // Links ('1', '2'), devices, fifos and others: skipped, nothing is written for them.
        }
        if (ended) break;
      }
    } catch (e) {
      const m = (e as Error).message;
      if ((e as NodeJS.ErrnoException).code?.startsWith('Z_') || /incorrect header check|unexpected end of file|invalid/.test(m))
        throw new Error(`${file}: corrupt gzip data (${m})`);
      throw e;
    }
    if (!ended)
      throw new Error(
        `${file}: truncated tar archive (ends ${outPath ? `inside '${path.relative(dest, outPath)}'` : 'before its end-of-archive blocks'})`,
      );
  } catch (e) {
    if (out !== undefined) fs.closeSync(out);
    if (outPath !== undefined) fs.rmSync(outPath, { force: true });
    src.destroy();
    throw e;
  }
  return written;
}
