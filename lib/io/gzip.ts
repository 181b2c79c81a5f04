// gzip data of outside files, decompressed with a bound: a gzip stream ends with its uncompressed
// size (ISIZE, mod 2³²), and the output may not exceed it, so a corrupt or hostile stream (a
// "gzip bomb") fails at the size it declared instead of filling memory.
import * as zlib from 'node:zlib';

export function isGzip(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

/** Decompresses gzip bytes, at most `limit` bytes out (default: the stream's own size field). */
export function gunzipBounded(b: Uint8Array, file: string, limit?: number): Buffer {
  if (b.length < 18) throw new Error(`${file}: truncated gzip data (${b.length} bytes)`);
  const isize = (b[b.length - 4] | (b[b.length - 3] << 8) | (b[b.length - 2] << 16)) + b[b.length - 1] * 0x1000000;
  // ISIZE is the size mod 2³²: a file above 4 GiB cannot be bounded by it, only by `limit`.
  const max = Math.min(limit ?? Number.MAX_SAFE_INTEGER, isize === 0 ? 1 : isize);
  try {
    return zlib.gunzipSync(b, { maxOutputLength: Math.max(1, max) });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || (e as Error) instanceof RangeError)
      throw new Error(`${file}: corrupt gzip data (it inflates past the ${isize} bytes its size field declares)`);
    throw new Error(`${file}: corrupt gzip data (${(e as Error).message})`);
  }
}
