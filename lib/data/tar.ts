// Reading tar archives (plain or gzip): ustar, with GNU long names and pax path records. Enough to
// read an image-folder tree straight from its archive and to unpack the official dataset archives.
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';

export interface TarEntry {
  path: string;
  data: Uint8Array;
}

function str(b: Uint8Array, start: number, len: number): string {
  let end = start;
  while (end < start + len && b[end] !== 0) end++;
  return Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('utf8');
}

function octal(b: Uint8Array, start: number, len: number): number {
  const s = str(b, start, len).trim();
  return s === '' ? 0 : parseInt(s, 8);
}

/** Regular files of a tar (or .tar.gz) buffer, in archive order. */
export function* tarEntries(input: Uint8Array, file = 'archive'): Generator<TarEntry> {
  let buf = input;
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = zlib.gunzipSync(buf);
    } catch (e) {
      throw new Error(`${file}: corrupt gzip data (${(e as Error).message})`);
    }
  }
  let off = 0;
  let longName: string | undefined;
  while (off + 512 <= buf.length) {
    const h = buf.subarray(off, off + 512);
    if (h.every((v) => v === 0)) return;
    const magic = str(h, 257, 6);
    if (!magic.startsWith('ustar') && h[257] !== 0) throw new Error(`${file}: not a tar archive (bad header at byte ${off})`);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
    if (sum !== octal(h, 148, 8)) throw new Error(`${file}: tar header checksum mismatch at byte ${off} (corrupt or not a tar archive)`);
    const size = octal(h, 124, 12);
    const type = String.fromCharCode(h[156] || 48);
    const dataStart = off + 512;
    if (dataStart + size > buf.length) throw new Error(`${file}: truncated tar archive`);
    const data = buf.subarray(dataStart, dataStart + size);
    off = dataStart + Math.ceil(size / 512) * 512;
    if (type === 'L') {
      longName = str(data, 0, data.length);
      continue;
    }
    if (type === 'x') {
      const m = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(Buffer.from(data).toString('utf8'));
      if (m) longName = m[1];
      continue;
    }
    const prefix = str(h, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${str(h, 0, 100)}` : str(h, 0, 100));
    longName = undefined;
    if (type === '0' || type === '7') yield { path: name, data };
  }
}

export function readTar(file: string): Generator<TarEntry> {
  return tarEntries(fs.readFileSync(file), file);
}

/**
 * Unpacks a .tar.gz (or .tar) file under dest, streaming (the STL-10 archive is 2.6 GB). Entries
 * with absolute paths or '..' are refused. Returns the files written.
 */
export async function extractTar(file: string, dest: string): Promise<string[]> {
  const pathMod = await import('node:path');
  const written: string[] = [];
  const src = fs.createReadStream(file);
  const gz = file.endsWith('.tar') ? src : src.pipe(zlib.createGunzip());
  let pending: Buffer = Buffer.alloc(0);
  let remaining = 0;
  let padding = 0;
  let out: number | undefined;
  let longName: string | undefined;
  let collecting: Buffer[] | undefined;
  let collectType = '';
  const safe = (name: string) => {
    const norm = pathMod.normalize(name);
    if (pathMod.isAbsolute(norm) || norm.split(pathMod.sep).includes('..'))
      throw new Error(`${file}: refusing to write ${name} outside ${dest}`);
    return pathMod.join(dest, norm);
  };
  for await (const chunk of gz as AsyncIterable<Buffer>) {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    for (;;) {
      if (remaining > 0) {
        const take = Math.min(remaining, pending.length);
        if (take === 0) break;
        const part = pending.subarray(0, take);
        if (out !== undefined) fs.writeSync(out, part);
        else if (collecting) collecting.push(Buffer.from(part));
        pending = pending.subarray(take);
        remaining -= take;
        if (remaining > 0) break;
        if (out !== undefined) {
          fs.closeSync(out);
          out = undefined;
        }
        if (collecting) {
          const text = Buffer.concat(collecting).toString('utf8');
          if (collectType === 'L') longName = text.replace(/\0.*$/s, '');
          else {
            const m = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(text);
            if (m) longName = m[1];
          }
          collecting = undefined;
        }
      }
      if (padding > 0) {
        const skip = Math.min(padding, pending.length);
        pending = pending.subarray(skip);
        padding -= skip;
        if (padding > 0) break;
      }
      if (pending.length < 512) break;
      const h = pending.subarray(0, 512);
      pending = pending.subarray(512);
      if (h.every((v) => v === 0)) continue;
      const size = octal(h, 124, 12);
      const type = String.fromCharCode(h[156] || 48);
      const prefix = str(h, 345, 155);
      const name = longName ?? (prefix ? `${prefix}/${str(h, 0, 100)}` : str(h, 0, 100));
      remaining = size;
      padding = (512 - (size % 512)) % 512;
      if (type === 'L' || type === 'x') {
        collecting = [];
        collectType = type;
        continue;
      }
      longName = undefined;
      if (type === '5') {
        fs.mkdirSync(safe(name), { recursive: true });
      } else if (type === '0' || type === '7') {
        const target = safe(name);
        fs.mkdirSync(pathMod.dirname(target), { recursive: true });
        out = fs.openSync(target, 'w');
        written.push(target);
        if (size === 0) {
          fs.closeSync(out);
          out = undefined;
        }
      }
    }
  }
  if (out !== undefined || remaining > 0) throw new Error(`${file}: truncated tar archive`);
  return written;
}
