// torch.save files (.pt) of state_dicts, read and written without Python:
//   zip format (torch ≥ 1.6): <archive>/data.pkl (a protocol-2 pickle of an OrderedDict whose
//     tensors are torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...) and whose
//     storages are persistent ids ('storage', torch.FloatStorage, key, location, numel)),
//     <archive>/data/<key> (each storage's raw little-endian bytes), <archive>/version;
//   legacy format (torch < 1.6, what the official code's torch 1.5 wrote): pickles one after the
//     other (magic number, protocol version, system info, the object, the storage keys), then
//     each storage as an int64 element count and its bytes.
// The pickles are read by the restricted unpickler (lib/io/pickle.ts) with only the tensor
// rebuilds, storage types and OrderedDict allowed: a checkpoint that pickles a whole model (its
// classes) or anything else is refused with the global it names. Sizes, offsets and strides are
// checked against the storages' bytes before anything is copied.
import { readBytes, writeFileAtomic } from '../io/files.js';
import {
  type AllowedGlobals,
  ORDERED_DICT_GLOBALS,
  PickleDict,
  type PickleInput,
  PickleTuple,
  type PickleContext,
  PyCall,
  PyDict,
  PyGlobal,
  PyObject,
  PyPersistent,
  PyTuple,
  type PyValue,
  pickle,
  pyInt,
  pySeq,
  pyStr,
  aPyType,
  pyTypeOf,
  unpickle,
} from './pickle.js';
import { encodeZip, looksLikeZip, zipEntries, zipEntryBytes } from './zip.js';

export type TorchDtype = 'float32' | 'float64' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

/** A tensor of a checkpoint, C-contiguous in PyTorch's own order (NCHW, [out, in]). float16/bfloat16 are widened to float32. */
export interface TorchTensor {
  dtype: TorchDtype;
  shape: number[];
  data: Float32Array | Float64Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array;
}

/** A state_dict: names as torch wrote them (with the `module.` prefix where DataParallel saved it), in file order. */
export type TorchStateDict = Map<string, TorchTensor>;

const STORAGES: Record<string, [TorchDtype, number]> = {
  FloatStorage: ['float32', 4],
  DoubleStorage: ['float64', 8],
  HalfStorage: ['float16', 2],
  BFloat16Storage: ['bfloat16', 2],
  LongStorage: ['int64', 8],
  IntStorage: ['int32', 4],
  ShortStorage: ['int16', 2],
  CharStorage: ['int8', 1],
  ByteStorage: ['uint8', 1],
  BoolStorage: ['bool', 1],
};
const STORAGE_OF: Record<TorchDtype, string> = Object.fromEntries(Object.entries(STORAGES).map(([k, [d]]) => [d, k])) as Record<
  TorchDtype,
  string
>;

/** A storage named by a persistent id; its bytes are there at once (zip) or come after the pickles (legacy). */
class StorageRef extends PyObject {
  readonly pyType = 'torch.Storage';
  bytes?: Uint8Array;
  constructor(
    readonly dtype: TorchDtype,
    readonly elementSize: number,
    readonly key: string,
    readonly numel: number,
  ) {
    super();
  }
}

/** What _rebuild_tensor_v2 made: a view of a storage, copied out once the storage's bytes are known. */
class TensorRef extends PyObject {
  readonly pyType = 'torch.Tensor';
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly size: number[],
    readonly stride: number[],
  ) {
    super();
  }
}

function rebuildTensor(args: PyValue[], ctx: PickleContext): PyValue {
  // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]);
  // _rebuild_tensor(storage, storage_offset, size, stride) of older files.
  if (args.length < 4 || args.length > 7) ctx.fail(`_rebuild_tensor with ${args.length} arguments`);
  const [storage, offsetV, sizeV, strideV] = args;
  if (!(storage instanceof StorageRef)) ctx.fail(`_rebuild_tensor of ${aPyType(storage)}, expected a storage`);
  const s = storage as StorageRef;
  const offset = pyInt(offsetV, 'a tensor storage offset', ctx);
  const size = pySeq(sizeV, 'a tensor size', ctx).map((d) => pyInt(d, 'a tensor dimension', ctx));
  const stride = pySeq(strideV, 'a tensor stride', ctx).map((d) => pyInt(d, 'a tensor stride', ctx));
  if (size.length !== stride.length || size.length > 8) ctx.fail(`a tensor of size (${size}) and stride (${stride})`);
  if (offset < 0 || size.some((d) => d < 0) || stride.some((d) => d < 0))
    ctx.fail(`a tensor of offset ${offset}, size (${size}), stride (${stride})`);
  // The view must lie inside its storage, and hold no more elements than it (a state_dict never broadcasts).
  const numel = size.reduce((a, d) => a * d, 1);
  if (numel > 0) {
    const last = offset + size.reduce((a, d, i) => a + (d - 1) * stride[i], 0);
    if (last >= s.numel || numel > s.numel)
      ctx.fail(`a tensor of size (${size}), stride (${stride}), offset ${offset} reaches past its storage of ${s.numel} elements`);
  }
  return new TensorRef(s, offset, size, stride);
}

function rebuildParameter(args: PyValue[], ctx: PickleContext): PyValue {
  if (!(args[0] instanceof TensorRef)) ctx.fail(`_rebuild_parameter of ${aPyType(args[0])}`);
  return args[0];
}

const TORCH_GLOBALS: AllowedGlobals = {
  ...ORDERED_DICT_GLOBALS,
  'torch._utils._rebuild_tensor_v2': { call: rebuildTensor },
  'torch._utils._rebuild_tensor': { call: rebuildTensor },
  'torch._utils._rebuild_parameter': { call: rebuildParameter },
  ...Object.fromEntries(Object.keys(STORAGES).map((k) => [`torch.${k}`, {}])),
};

/** ('storage', torch.XStorage, key, location, numel[, view_metadata]) → its type, key and size. */
function storageId(pid: PyValue, ctx: PickleContext, legacy: boolean): { dtype: TorchDtype; size: number; key: string; numel: number } {
  if (!(pid instanceof PyTuple) || pid.items.length !== (legacy ? 6 : 5) || pid.items[0] !== 'storage')
    ctx.fail(`a persistent id that is not ('storage', type, key, location, numel${legacy ? ', view' : ''})`);
  const [, type, keyV, , numelV, view] = (pid as PyTuple).items;
  if (!(type instanceof PyGlobal) || STORAGES[type.name] === undefined) ctx.fail(`a storage of type ${pyTypeOf(type)}`);
  if (legacy && view !== null) ctx.fail('a storage view (legacy files of torch < 0.4); re-save the checkpoint with torch ≥ 1.6');
  const [dtype, size] = STORAGES[(type as PyGlobal).name];
  const numel = pyInt(numelV, 'a storage size', ctx);
  if (numel < 0) ctx.fail(`a storage of ${numel} elements`);
  return { dtype, size, key: pyStr(keyV, 'a storage key', ctx), numel };
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? Number.NaN : s * Number.POSITIVE_INFINITY;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** Copies a (possibly strided) view out of its storage, C-contiguous. */
function materialize(t: TensorRef, file: string, name: string): TorchTensor {
  const s = t.storage;
  if (s.bytes === undefined) throw new Error(`${file}: ${name}: its storage '${s.key}' has no data`);
  const numel = t.size.reduce((a, d) => a * d, 1);
  const z = s.elementSize;
  const b = s.bytes;
  const contiguous = t.size.every((d, i) => d === 1 || t.stride[i] === t.size.slice(i + 1).reduce((x, y) => x * y, 1));
  if (contiguous && s.dtype !== 'float16' && s.dtype !== 'bfloat16') {
    // The usual case: one copy (which also aligns the data for its typed array).
    const raw = new Uint8Array(b.subarray(t.offset * z, (t.offset + numel) * z)).buffer; // a copy (Buffer.slice would share)
    const Typed = {
      float32: Float32Array,
      float64: Float64Array,
      int64: BigInt64Array,
      int32: Int32Array,
      int16: Int16Array,
      int8: Int8Array,
      uint8: Uint8Array,
      bool: Uint8Array,
    }[s.dtype];
    return { dtype: s.dtype, shape: [...t.size], data: new Typed(raw) };
  }
  const idx = new Float64Array(numel); // element indices into the storage
  const nd = t.size.length;
  const pos = new Array<number>(nd).fill(0);
  let at = t.offset;
  for (let i = 0; i < numel; i++) {
    idx[i] = at;
    for (let d = nd - 1; d >= 0; d--) {
      pos[d]++;
      at += t.stride[d];
      if (pos[d] < t.size[d]) break;
      at -= t.stride[d] * t.size[d];
      pos[d] = 0;
    }
  }
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let data: TorchTensor['data'];
  switch (s.dtype) {
    case 'float32':
      data = Float32Array.from(idx, (j) => view.getFloat32(j * z, true));
      break;
    case 'float64':
      data = Float64Array.from(idx, (j) => view.getFloat64(j * z, true));
      break;
    case 'float16':
      data = Float32Array.from(idx, (j) => halfToFloat(view.getUint16(j * z, true)));
      break;
    case 'bfloat16':
      data = Float32Array.from(idx, (j) => new Float32Array(new Uint32Array([view.getUint16(j * z, true) << 16]).buffer)[0]);
      break;
    case 'int64': {
      const out = new BigInt64Array(numel);
      for (let i = 0; i < numel; i++) out[i] = view.getBigInt64(idx[i] * z, true);
      data = out;
      break;
    }
    case 'int32':
      data = Int32Array.from(idx, (j) => view.getInt32(j * z, true));
      break;
    case 'int16':
      data = Int16Array.from(idx, (j) => view.getInt16(j * z, true));
      break;
    case 'int8':
      data = Int8Array.from(idx, (j) => view.getInt8(j));
      break;
    default:
      data = Uint8Array.from(idx, (j) => b[j]);
  }
  return { dtype: s.dtype, shape: [...t.size], data };
}

/** The dict of tensors a checkpoint holds: the pickled object itself, or its 'state_dict' (a training script's wrapper). */
function stateDictOf(value: PyValue, file: string): Array<[string, TensorRef]> {
  const tensors = (d: PyDict) => d.entries().every(([k, v]) => typeof k === 'string' && v instanceof TensorRef);
  if (!(value instanceof PyDict)) throw new Error(`${file}: holds ${aPyType(value)}, expected a state_dict (a dict of tensors)`);
  let d = value;
  if (!tensors(d)) {
    const inner = ['state_dict', 'model_state_dict', 'model', 'net'].map((k) => d.get(k)).find((v) => v instanceof PyDict && tensors(v));
    if (inner === undefined) {
      const bad = d.entries().find(([k, v]) => typeof k !== 'string' || !(v instanceof TensorRef));
      throw new Error(
        `${file}: not a state_dict: entry ${bad ? `'${String(bad[0])}' is ${aPyType(bad[1])}` : '?'} (save net.state_dict(), as the official code does)`,
      );
    }
    d = inner as PyDict;
  }
  return d.entries() as Array<[string, TensorRef]>;
}

function collect(value: PyValue, file: string): TorchStateDict {
  const out: TorchStateDict = new Map();
  for (const [name, t] of stateDictOf(value, file)) out.set(name, materialize(t, file, name));
  return out;
}

function parseZip(bytes: Uint8Array, file: string): TorchStateDict {
  const entries = zipEntries(bytes, file, 'torch checkpoint');
  const pkl = entries.find((e) => /^[^/]+\/data\.pkl$/.test(e.name));
  if (pkl === undefined) throw new Error(`${file}: a zip archive without <archive>/data.pkl: not a torch.save checkpoint`);
  const prefix = pkl.name.slice(0, -'data.pkl'.length);
  const byName = new Map(entries.map((e) => [e.name, e]));
  const order = byName.get(`${prefix}byteorder`);
  if (order !== undefined) {
    const o = Buffer.from(zipEntryBytes(bytes, order, file))
      .toString('latin1')
      .trim();
    if (o !== 'little') throw new Error(`${file}: byte order '${o}'; only little-endian checkpoints are read`);
  }
  const storages = new Map<string, StorageRef>();
  const { value } = unpickle(zipEntryBytes(bytes, pkl, file), {
    file: `${file}: ${pkl.name}`,
    globals: TORCH_GLOBALS,
    persistentLoad: (pid, ctx) => {
      const id = storageId(pid, ctx, false);
      const seen = storages.get(id.key);
      if (seen) return seen;
      const entry = byName.get(`${prefix}data/${id.key}`);
      if (entry === undefined) ctx.fail(`storage '${id.key}' has no ${prefix}data/${id.key} in the archive`);
      const ref = new StorageRef(id.dtype, id.size, id.key, id.numel);
      const b = zipEntryBytes(bytes, entry!, file);
      if (b.length !== id.numel * id.size)
        ctx.fail(`storage '${id.key}' holds ${b.length} bytes; ${id.numel} ${id.dtype} elements need ${id.numel * id.size}`);
      ref.bytes = b;
      storages.set(id.key, ref);
      return ref;
    },
  });
  return collect(value, `${file}: ${pkl.name}`);
}

/** 0x1950a86a20f9469cfc6c: the first pickle of a legacy torch.save file. */
const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;

function parseLegacy(bytes: Uint8Array, file: string): TorchStateDict {
  const magic = unpickle(bytes, { file });
  if (magic.value !== LEGACY_MAGIC) throw new Error(`${file}: a pickle, but not a torch.save checkpoint (no torch magic number)`);
  const proto = unpickle(bytes, { file, offset: magic.end });
  if (proto.value !== 1001) throw new Error(`${file}: torch legacy format version ${String(proto.value)}; 1001 is read`);
  const info = unpickle(bytes, { file, offset: proto.end });
  if (info.value instanceof PyDict && info.value.get('little_endian') === false)
    throw new Error(`${file}: saved on a big-endian machine; only little-endian checkpoints are read`);
  const storages = new Map<string, StorageRef>();
  const main = unpickle(bytes, {
    file,
    offset: info.end,
    globals: TORCH_GLOBALS,
    persistentLoad: (pid, ctx) => {
      const id = storageId(pid, ctx, true);
      let ref = storages.get(id.key);
      if (ref === undefined) {
        ref = new StorageRef(id.dtype, id.size, id.key, id.numel);
        storages.set(id.key, ref);
      }
      return ref;
    },
  });
  const keys = unpickle(bytes, { file, offset: main.end });
  const list = pySeq(keys.value, 'the list of storage keys', { file }).map((k) => pyStr(k, 'a storage key', { file }));
  let pos = keys.end;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const key of list) {
    const ref = storages.get(key);
    if (ref === undefined) throw new Error(`${file}: storage '${key}' is listed but no tensor uses it`);
    if (pos + 8 > bytes.length) throw new Error(`${file}: truncated before storage '${key}'`);
    const numel = view.getUint32(pos, true) + view.getUint32(pos + 4, true) * 2 ** 32;
    if (numel !== ref.numel) throw new Error(`${file}: storage '${key}' has ${numel} elements, its tensors say ${ref.numel}`);
    const len = numel * ref.elementSize;
    if (len > bytes.length - pos - 8)
      throw new Error(`${file}: truncated: storage '${key}' needs ${len} bytes, ${bytes.length - pos - 8} are left`);
    ref.bytes = bytes.subarray(pos + 8, pos + 8 + len);
    pos += 8 + len;
  }
  for (const [key, ref] of storages) if (ref.bytes === undefined) throw new Error(`${file}: storage '${key}' is used but not in the file`);
  return collect(main.value, file);
}

/** Parses the bytes of a torch.save checkpoint of a state_dict (zip or legacy format). */
export function parseTorchCheckpoint(bytes: Uint8Array, file: string): TorchStateDict {
  if (looksLikeZip(bytes)) return parseZip(bytes, file);
  if (bytes.length > 0 && bytes[0] === 0x80) return parseLegacy(bytes, file);
  if (bytes.length >= 262 && Buffer.from(bytes.subarray(257, 262)).toString('latin1') === 'ustar')
    throw new Error(
      `${file}: a tar checkpoint of torch < 0.4, not read; load and re-save it with a newer torch (torch.save(torch.load(f), f))`,
    );
  throw new Error(`${file}: not a torch.save checkpoint (neither a zip archive nor a pickle)`);
}

/** Reads a .pt file written by torch.save(state_dict, file). */
export function readTorchCheckpoint(file: string): TorchStateDict {
  return parseTorchCheckpoint(readBytes(file), file);
}

/**
 * The bytes torch.save(state_dict, f) writes (zip format, pickle protocol 2, data aligned to 64
 * bytes): torch.load reads them into an OrderedDict of CPU tensors, in the given order.
 */
export function encodeTorchCheckpoint(tensors: Iterable<[string, TorchTensor]>): Uint8Array {
  const entries: Array<[string, PickleInput]> = [];
  const data: Array<{ name: string; data: Uint8Array }> = [];
  const rebuild = new PyGlobal('torch._utils', '_rebuild_tensor_v2');
  const hooks = new PyCall(new PyGlobal('collections', 'OrderedDict'), new PyTuple([]));
  for (const [name, t] of tensors) {
    const numel = t.shape.reduce((a, d) => a * d, 1);
    if (numel !== t.data.length) throw new Error(`torch checkpoint: ${name} has ${t.data.length} values for shape [${t.shape}]`);
    if (t.dtype === 'float16' || t.dtype === 'bfloat16') throw new Error(`torch checkpoint: ${name}: writing ${t.dtype} is not supported`);
    const stride = t.shape.map((_, i) => t.shape.slice(i + 1).reduce((a, d) => a * d, 1));
    const key = String(data.length);
    const pid = new PickleTuple(['storage', new PyGlobal('torch', STORAGE_OF[t.dtype]), key, 'cpu', numel]);
    entries.push([
      name,
      new PyCall(rebuild, new PickleTuple([new PyPersistent(pid), 0, new PickleTuple(t.shape), new PickleTuple(stride), false, hooks])),
    ]);
    data.push({ name: `archive/data/${key}`, data: new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength) });
  }
  const pkl = pickle(new PickleDict(entries, true));
  return encodeZip([{ name: 'archive/data.pkl', data: pkl }, ...data, { name: 'archive/version', data: Buffer.from('3\n') }], {
    align: 64,
  });
}

/** Writes a state_dict as torch.save would (atomically: a temporary file, then a rename). */
export function writeTorchCheckpoint(file: string, tensors: Iterable<[string, TorchTensor]>): void {
  writeFileAtomic(file, encodeTorchCheckpoint(tensors));
}
