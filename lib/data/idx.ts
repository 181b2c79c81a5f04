// The IDX format of MNIST and Fashion-MNIST (raw or gzip): a big-endian header
//   0x00 0x00 <type 0x08 = ubyte> <ndims>, then ndims uint32 sizes, then the data.
import { readBytes } from '../io/files.js';
import { gunzipBounded, isGzip } from '../io/gzip.js';

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

export function parseIdx(buf: Uint8Array, file: string): IdxArray {
  let bytes = buf;
  if (isGzip(bytes)) bytes = gunzipBounded(bytes, file);
  if (bytes.length < 4) throw new Error(`${file}: not an IDX file (only ${bytes.length} bytes)`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new Error(`${file}: not an IDX file (magic number starts with ${bytes[0]}, ${bytes[1]}; expected 0, 0)`);
  }
  if (bytes[2] !== 0x08) {
    throw new Error(`${file}: IDX element type 0x${bytes[2].toString(16)} is not unsigned byte (0x08)`);
  }
  const ndims = bytes[3];
  if (ndims < 1 || ndims > 4) throw new Error(`${file}: IDX with ${ndims} dimensions is not an image or label file`);
  const header = 4 + 4 * ndims;
  if (bytes.length < header) throw new Error(`${file}: truncated IDX header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < ndims; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const size = dims.reduce((a, b) => a * b, 1);
  if (bytes.length !== header + size) {
    const what = bytes.length < header + size ? 'truncated' : 'has trailing bytes';
    throw new Error(`${file}: ${what}: header says ${dims.join('x')} (${header + size} bytes), file has ${bytes.length}`);
  }
  return { dims, data: bytes.subarray(header) };
}

export function readIdx(file: string): IdxArray {
  return parseIdx(readBytes(file), file);
}

/** Encodes an IDX file (used by tests and tools). */
export function encodeIdx(dims: number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  out[2] = 0x08;
  out[3] = dims.length;
  const view = new DataView(out.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}
