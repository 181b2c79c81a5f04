// Our networks' state_dicts against PyTorch's (the official code's). The names are the same
// already (every module is named as in the official architectures); the layouts differ, because
// tfjs computes in NHWC:
//   conv weight   ours [kh, kw, in, out]  ↔ PyTorch [out, in, kh, kw] (grouped: in/groups)
//   linear weight ours [in, out]          ↔ PyTorch [out, in]; a Linear fed by the flattening of an
//                 h x w x c map (cnn-small) also has its inputs in HWC order against PyTorch's CHW
//   batch norm    the same four vectors; PyTorch adds num_batches_tracked (int64), which we do
//                 not keep (it only matters with momentum=None) and write as given
// and the official checkpoints are DataParallel's, every key under `module.`.
import * as tf from '@tensorflow/tfjs';
import type { TensorMap } from '../io/safetensors.js';
import type { TorchStateDict, TorchTensor } from '../io/torch.js';
import type { Module } from './nn.js';

export interface ToTorchOptions {
  /** Prefix of every name; default 'module.' (the official code saves DataParallel's state_dict). */
  prefix?: string;
  /** Every batch norm's num_batches_tracked (the optimizer steps it saw); default 0. */
  numBatchesTracked?: number;
}

export interface FromTorchOptions {
  /** Names the checkpoint in errors. */
  where?: string;
}

/** Linear weights whose inputs are a flattened h x w x c map with h·w > 1: name → [h, w, c]. */
function flattenedInputs(model: Module, inputShape: [number, number, number] | undefined): Map<string, [number, number, number]> {
  const out = new Map<string, [number, number, number]>();
  if (inputShape === undefined) return out;
  const input = tf.zeros([1, ...inputShape]);
  let rows: ReturnType<Module['describe']>;
  try {
    rows = model.describe(input);
  } finally {
    input.dispose();
  }
  for (let i = 1; i + 1 < rows.length; i++) {
    if (rows[i].type !== 'Flatten') continue;
    const hwc = JSON.parse(rows[i - 1].output) as number[];
    const next = rows[i + 1];
    if (hwc.length === 3 && hwc[0] * hwc[1] > 1 && next.type.startsWith('Linear'))
      out.set(`${next.name}.weight`, hwc as [number, number, number]);
  }
  return out;
}

/** The input shape a model was built for (FeatureNet and LogitNet keep it). */
function inputShapeOf(model: Module): [number, number, number] | undefined {
  return (model as unknown as { inputShape?: [number, number, number] }).inputShape;
}

/** Our shape → PyTorch's. */
export function torchShape(shape: readonly number[]): number[] {
  if (shape.length === 4) return [shape[3], shape[2], shape[0], shape[1]];
  if (shape.length === 2) return [shape[1], shape[0]];
  return [...shape];
}

/**
 * Values of one tensor moved between our layout and PyTorch's (hwc: a flattened map feeding this
 * Linear): `toTorch`, ours → theirs; else theirs → ours. Conv [kh,kw,ci,co] ↔ [co,ci,kh,kw],
 * linear [in,out] ↔ [out,in] (inputs of an HWC flattening in PyTorch's CHW order), others as they are.
 */
function relayout(data: Float32Array, shape: readonly number[], toTorch: boolean, hwc?: [number, number, number]): Float32Array {
  const out = new Float32Array(data.length);
  const move = toTorch
    ? (ours: number, theirs: number) => (out[theirs] = data[ours])
    : (ours: number, theirs: number) => (out[ours] = data[theirs]);
  if (shape.length === 4) {
    const [kh, kw, ci, co] = shape;
    for (let y = 0; y < kh; y++)
      for (let x = 0; x < kw; x++)
        for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) move(((y * kw + x) * ci + i) * co + o, ((o * ci + i) * kh + y) * kw + x);
  } else if (shape.length === 2) {
    const [nin, nout] = shape;
    for (let r = 0; r < nin; r++) {
      const col = hwc ? chwIndex(r, hwc) : r;
      for (let o = 0; o < nout; o++) move(r * nout + o, o * nin + col);
    }
  } else out.set(data);
  return out;
}

/** Row r of an HWC flattening → its column in PyTorch's CHW flattening. */
function chwIndex(r: number, [h, w, c]: [number, number, number]): number {
  const ch = r % c;
  const pix = (r - ch) / c;
  return ch * h * w + pix;
}

/**
 * Our state_dict in PyTorch's order (per module: parameters, then buffers, then a batch norm's
 * num_batches_tracked, which has no tensor here: null).
 */
function torchOrder(model: Module): Array<[string, tf.Variable | null]> {
  const state = model.stateDict();
  const moduleOf = (n: string) => n.slice(0, n.lastIndexOf('.') + 1);
  const modules = [...new Set(state.map(([n]) => moduleOf(n)))];
  const out: Array<[string, tf.Variable | null]> = [];
  for (const m of modules) {
    for (const [n, v] of state) if (moduleOf(n) === m) out.push([n, v]);
    if (state.some(([n]) => n === `${m}running_var`)) out.push([`${m}num_batches_tracked`, null]);
  }
  return out;
}

/** The model's state_dict as PyTorch holds it: PyTorch's order, names under `prefix`, PyTorch's layouts. */
export function toTorchStateDict(model: Module, opts: ToTorchOptions = {}): TorchStateDict {
  const prefix = opts.prefix ?? 'module.';
  const steps = BigInt(opts.numBatchesTracked ?? 0);
  const hwc = flattenedInputs(model, inputShapeOf(model));
  const out: TorchStateDict = new Map();
  for (const [n, v] of torchOrder(model)) {
    if (v === null) out.set(prefix + n, { dtype: 'int64', shape: [], data: new BigInt64Array([steps]) });
    else
      out.set(prefix + n, {
        dtype: 'float32',
        shape: torchShape(v.shape),
        data: relayout(v.dataSync() as Float32Array, v.shape, true, hwc.get(n)),
      });
  }
  return out;
}

/** Names and PyTorch shapes of the state_dict toTorchStateDict writes, without copying any value. */
export function torchStateDictLayout(model: Module, prefix = 'module.'): Array<[string, number[]]> {
  return torchOrder(model).map(([n, v]) => [prefix + n, v === null ? [] : torchShape(v.shape)]);
}

function asFloat32(t: TorchTensor, name: string, where: string): Float32Array {
  if (t.data instanceof Float32Array) return t.data;
  if (t.data instanceof Float64Array) return Float32Array.from(t.data);
  throw new Error(`${where}: ${name} is ${t.dtype}; a weight must be floating point`);
}

/**
 * A PyTorch state_dict (official names, with or without `module.`) as tensors in our layout, ready
 * for model.loadStateDict: every tensor the model has must be there with PyTorch's shape of it,
 * and nothing else but num_batches_tracked.
 */
export function fromTorchStateDict(model: Module, sd: TorchStateDict, opts: FromTorchOptions = {}): TensorMap {
  const where = opts.where ?? 'checkpoint';
  const names = [...sd.keys()];
  const strip = names.length > 0 && names.every((n) => n.startsWith('module.')) ? 'module.'.length : 0;
  const theirs = new Map<string, TorchTensor>();
  for (const [n, t] of sd) if (!n.endsWith('num_batches_tracked')) theirs.set(n.slice(strip), t);
  const mine = model.stateDict();
  const missing = mine.filter(([n]) => !theirs.has(n)).map(([n]) => n);
  if (missing.length > 0)
    throw new Error(
      `${where}: missing ${missing.length} tensors for this model (${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}); was it saved from another --arch or --fd?`,
    );
  const known = new Set(mine.map(([n]) => n));
  const extra = [...theirs.keys()].filter((n) => !known.has(n));
  if (extra.length > 0) throw new Error(`${where}: unexpected tensors ${extra.slice(0, 5).join(', ')} (another --arch?)`);
  const hwc = flattenedInputs(model, inputShapeOf(model));
  const out: TensorMap = new Map();
  for (const [n, v] of mine) {
    const t = theirs.get(n)!;
    const want = torchShape(v.shape);
    if (t.shape.join('x') !== want.join('x'))
      throw new Error(
        `${where}: ${n} has shape [${t.shape.join(', ')}] but the model expects [${want.join(', ')}] (PyTorch order; another --arch or --fd?)`,
      );
    out.set(n, { shape: [...v.shape], data: relayout(asFloat32(t, n, where), v.shape, false, hwc.get(n)) });
  }
  return out;
}

/** Loads a PyTorch state_dict into the model (see fromTorchStateDict). */
export function loadTorchStateDict(model: Module, sd: TorchStateDict, opts: FromTorchOptions = {}): void {
  model.loadStateDict(fromTorchStateDict(model, sd, opts), opts.where);
}
