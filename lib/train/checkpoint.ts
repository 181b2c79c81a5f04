// Checkpoints in the safetensors format (8-byte little-endian header length, JSON header, raw
// little-endian data): readable from Python with `safetensors.numpy.load_file` or
// `safetensors.torch.load_file`. Tensor names are the PyTorch-style state_dict keys.
import * as fs from 'node:fs';
import type * as tf from '@tensorflow/tfjs';
import { writeFileAtomic } from '../io/files.js';

export interface StoredTensor {
  shape: number[];
  data: Float32Array;
}

export type TensorMap = Map<string, StoredTensor>;

export function encodeSafetensors(tensors: TensorMap, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of tensors) {
    const bytes = t.data.length * 4;
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + bytes] };
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
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.length * 4), pos);
    pos += t.data.length * 4;
  }
  return out;
}

export function decodeSafetensors(buf: Uint8Array, file: string): { tensors: TensorMap; metadata: Record<string, string> } {
  const bad = (why: string) => new Error(`${file}: not a valid checkpoint (${why})`);
  if (buf.length < 8) throw bad(`only ${buf.length} bytes`);
  const hlen = Number(new DataView(buf.buffer, buf.byteOffset, buf.byteLength).getBigUint64(0, true));
  if (hlen <= 0 || 8 + hlen > buf.length) throw bad('header length out of range; truncated or another format');
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] } | Record<string, string>>;
  try {
    header = JSON.parse(Buffer.from(buf.buffer, buf.byteOffset + 8, hlen).toString('utf8'));
  } catch {
    throw bad('header is not JSON');
  }
  const dataStart = 8 + hlen;
  const tensors: TensorMap = new Map();
  let metadata: Record<string, string> = {};
  for (const [name, v] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = v as Record<string, string>;
      continue;
    }
    const e = v as { dtype: string; shape: number[]; data_offsets: [number, number] };
    if (e.dtype !== 'F32') throw bad(`${name} has dtype ${e.dtype}; only F32 is supported`);
    const [a, b] = e.data_offsets;
    const n = e.shape.reduce((x, y) => x * y, 1);
    if (b - a !== n * 4 || dataStart + b > buf.length) throw bad(`${name} extends past the end of the file (truncated?)`);
    const copy = new Uint8Array(n * 4);
    copy.set(buf.subarray(dataStart + a, dataStart + b));
    tensors.set(name, { shape: e.shape, data: new Float32Array(copy.buffer) });
  }
  return { tensors, metadata };
}

/** Saves tensors (e.g. a model's stateDict) atomically. */
export function saveTensors(file: string, named: Array<[string, tf.Tensor]>, metadata: Record<string, string> = {}): void {
  const m: TensorMap = new Map();
  for (const [n, t] of named) m.set(n, { shape: t.shape, data: t.dataSync() as Float32Array });
  writeFileAtomic(file, encodeSafetensors(m, metadata));
}

export function loadTensors(file: string): { tensors: TensorMap; metadata: Record<string, string> } {
  if (!fs.existsSync(file)) throw new Error(`checkpoint not found: ${file}`);
  return decodeSafetensors(fs.readFileSync(file), file);
}
