// Checkpoints in the safetensors format (8-byte little-endian header length, JSON header, raw
// little-endian data): readable from Python with `safetensors.numpy.load_file` or
// `safetensors.torch.load_file`. Tensor names are the PyTorch-style state_dict keys. Checkpoints of
// networks are F32; float64 data (ReduNet's operators) is written as F64 and read where the caller
// asks for it (`{ float64: true }`).
import * as fs from 'node:fs';
import type * as tf from '@tensorflow/tfjs';
import { readBytes, writeFileAtomic } from './files.js';

export interface StoredTensor {
  shape: number[];
  data: Float32Array;
}

export type TensorMap = Map<string, StoredTensor>;

/** A tensor of either precision (F32 or F64). */
export interface StoredTensorAny {
  shape: number[];
  data: Float32Array | Float64Array;
}

export type TensorMapAny = Map<string, StoredTensorAny>;

export function encodeSafetensors(tensors: TensorMapAny, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of tensors) {
    const bytes = t.data.byteLength;
    header[name] = { dtype: t.data instanceof Float64Array ? 'F64' : 'F32', shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const hbytes = Buffer.from(json, 'utf8');
  const out = new Uint8Array(8 + hbytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(hbytes.length), true);
  out.set(hbytes, 8);
  let pos = 8 + hbytes.length;
  for (const [, t] of tensors) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), pos);
    pos += t.data.byteLength;
  }
  return out;
}

/** Largest JSON header accepted (the safetensors library's own limit is 100 MB). */
const MAX_HEADER = 100_000_000;

export function decodeSafetensors(buf: Uint8Array, file: string): { tensors: TensorMap; metadata: Record<string, string> };
export function decodeSafetensors(
  buf: Uint8Array,
  file: string,
  opts: { float64: true },
): { tensors: TensorMapAny; metadata: Record<string, string> };
export function decodeSafetensors(
  buf: Uint8Array,
  file: string,
  opts: { float64?: boolean } = {},
): { tensors: TensorMapAny; metadata: Record<string, string> } {
  const bad = (why: string) => new Error(`${file}: not a valid checkpoint (${why})`);
  if (buf.length < 8) throw bad(`only ${buf.length} bytes`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const hlen = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (hlen < 2 || hlen > MAX_HEADER) throw bad(`the header claims ${hlen} bytes; a safetensors header is 2 B..100 MB`);
  if (8 + hlen > buf.length) throw bad(`the header claims ${hlen} bytes, the file has ${buf.length - 8} after the length: truncated?`);
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(buf.buffer, buf.byteOffset + 8, hlen).toString('utf8'));
  } catch {
    throw bad('header is not JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw bad('header is not a JSON object');
  const dataStart = 8 + hlen;
  const dataLen = buf.length - dataStart;
  const tensors: TensorMapAny = new Map();
  let metadata: Record<string, string> = {};
  const spans: Array<[number, number, string]> = [];
  for (const [name, v] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof v !== 'object' || v === null || Object.values(v).some((x) => typeof x !== 'string'))
        throw bad('__metadata__ must map names to strings');
      metadata = v as Record<string, string>;
      continue;
    }
    const e = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== 'object' || e === null) throw bad(`${name} is not a tensor entry`);
    const f64 = e.dtype === 'F64' && opts.float64 === true;
    if (e.dtype !== 'F32' && !f64)
      throw bad(`${name} has dtype ${JSON.stringify(e.dtype)}; only ${opts.float64 ? 'F32 and F64 are' : 'F32 is'} supported`);
    const width = f64 ? 8 : 4;
    if (!Array.isArray(e.shape) || e.shape.length > 8 || e.shape.some((d) => !Number.isSafeInteger(d) || d < 0))
      throw bad(`${name} has shape ${JSON.stringify(e.shape)}; expected up to 8 sizes ≥ 0`);
    const offs = e.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || offs.some((o) => !Number.isSafeInteger(o) || o < 0) || offs[1] < offs[0])
      throw bad(`${name} has data_offsets ${JSON.stringify(offs)}; expected [begin, end]`);
    const [a, b] = offs as [number, number];
    const n = (e.shape as number[]).reduce((x, y) => x * y, 1);
    if (b - a !== n * width) throw bad(`${name}: shape [${e.shape}] needs ${n * width} bytes but data_offsets span ${b - a}`);
    if (b > dataLen) throw bad(`${name} ends at byte ${b} of the data, which has ${dataLen}: truncated?`);
    spans.push([a, b, name]);
    const copy = new Uint8Array(n * width);
    copy.set(buf.subarray(dataStart + a, dataStart + b));
    tensors.set(name, { shape: e.shape as number[], data: f64 ? new Float64Array(copy.buffer) : new Float32Array(copy.buffer) });
  }
  spans.sort((x, y) => x[0] - y[0]);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i][0] < spans[i - 1][1]) throw bad(`${spans[i][2]} overlaps ${spans[i - 1][2]}`);
  }
  return { tensors, metadata };
}

/** Saves tensors (e.g. a model's stateDict) atomically. */
export function saveTensors(file: string, named: Array<[string, tf.Tensor]>, metadata: Record<string, string> = {}): void {
  const m: TensorMap = new Map();
  for (const [n, t] of named) m.set(n, { shape: t.shape, data: t.dataSync() as Float32Array });
  writeFileAtomic(file, encodeSafetensors(m, metadata));
}

export function loadTensors(file: string): { tensors: TensorMap; metadata: Record<string, string> };
export function loadTensors(file: string, opts: { float64: true }): { tensors: TensorMapAny; metadata: Record<string, string> };
export function loadTensors(file: string, opts: { float64?: boolean } = {}): { tensors: TensorMapAny; metadata: Record<string, string> } {
  if (!fs.existsSync(file)) throw new Error(`checkpoint not found: ${file}`);
  return opts.float64 === true ? decodeSafetensors(readBytes(file), file, { float64: true }) : decodeSafetensors(readBytes(file), file);
}
