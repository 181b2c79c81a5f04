// File writes that never leave a half-written file behind: write a temporary sibling, flush it,
// then rename it over the target (and flush the folder, so the rename itself survives a power cut).
// A failed write (disk full, file-size limit) removes the temporary file and names the target.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { faultPoint, tornDie, tornWrite } from './faults.js';

/** Temporary files are `.<name>.<pid>.<time>.tmp` beside their target (see removeStaleTemps). */
export const TEMP_FILE = /^\..+\.(\d+)\.\d+\.tmp$/;

/** "<file>: cannot write (disk full)" and the like: what went wrong, in words, naming the file. */
export function writeError(file: string, e: unknown): Error {
  const code = (e as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOSPC'
      ? 'no space left on the device'
      : code === 'EFBIG'
        ? 'file too large: the file-size limit (ulimit -f) or the filesystem does not allow it'
        : code === 'EDQUOT'
          ? 'disk quota exceeded'
          : code === 'EACCES' || code === 'EPERM'
            ? 'permission denied'
            : code === 'EROFS'
              ? 'read-only filesystem'
              : (e as Error).message;
  const err = new Error(`${file}: cannot write (${why})`);
  (err as NodeJS.ErrnoException).code = code;
  return err;
}

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some filesystems cannot open or flush a folder; the rename is still atomic.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const dir = path.dirname(file);
  const label = `write:${path.basename(file)}`;
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw writeError(dir, e);
  }
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  faultPoint(`${label}:start`);
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'w');
    if (tornWrite(`${label}:torn`)) {
      fs.writeSync(fd, bytes.subarray(0, bytes.length >> 1));
      tornDie();
    }
    let off = 0;
    while (off < bytes.length) off += fs.writeSync(fd, bytes, off, bytes.length - off);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    faultPoint(`${label}:rename`);
    fs.renameSync(tmp, file);
  } catch (e) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw writeError(file, e);
  }
  fsyncDir(dir);
  faultPoint(`${label}:done`);
}

/** Appends text; a failure names the file (disk full, file-size limit). */
export function appendFileChecked(file: string, text: string, label: string): void {
  try {
    if (tornWrite(`${label}:torn`)) {
      fs.appendFileSync(file, text.slice(0, text.length >> 1));
      tornDie();
    }
    fs.appendFileSync(file, text);
  } catch (e) {
    throw writeError(file, e);
  }
  faultPoint(`${label}:done`);
}

/** Removes temporary files that an interrupted writeFileAtomic left in dir (call only while holding the run lock). */
export function removeStaleTemps(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const removed: string[] = [];
  for (const f of fs.readdirSync(dir)) {
    if (TEMP_FILE.test(f)) {
      fs.rmSync(path.join(dir, f), { force: true });
      removed.push(f);
    }
  }
  return removed;
}

/** A whole file's bytes; a failure (missing, a folder, too large to read at once) names the file. */
export function readBytes(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ERR_FS_FILE_TOO_LARGE' ? 'too large to read at once (above 2 GiB)' : (code ?? (e as Error).message);
    throw new Error(`${file}: cannot read (${why})`);
  }
}
