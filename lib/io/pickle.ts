// A restricted unpickler (and a small pickler) for the two kinds of Python pickle this project
// reads: torchvision's CIFAR batches (dicts, lists, bytes, numpy arrays as numpy pickles them) and
// torch.save's data.pkl (OrderedDicts of tensors rebuilt from storages). It runs no code: a
// GLOBAL names a callable only if the caller's table of allowed globals holds it, and REDUCE and
// BUILD then run our own TypeScript stand-in for it. Every other global, REDUCE of anything else,
// BUILD on anything else, and the opcodes that create instances of arbitrary classes (INST, OBJ,
// NEWOBJ, NEWOBJ_EX) or look names up in the extension registry (EXT1/2/4) are refused with an
// error naming the file, the opcode and its byte offset. Protocols 2–4 only (what Python 2's
// cPickle, numpy and torch write), binary opcodes only.
//
// Bounded: every length is checked against the bytes left before anything is read or allocated;
// the stack, the memo and the number of objects made are capped (a valid file needs far fewer), so
// a hostile file costs at most a small multiple of its size.

/** A Python tuple (arrays stand for lists). */
export class PyTuple {
  constructor(readonly items: PyValue[]) {}
}

/** A reference to an allowed global (a class or function named by GLOBAL or STACK_GLOBAL). */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}

  get qualified(): string {
    return `${this.module}.${this.name}`;
  }
}

/** What an allowed global's stand-in makes: numpy arrays, dtypes, tensors, storages. */
export abstract class PyObject {
  /** The Python type, for messages ('numpy.ndarray'). */
  abstract readonly pyType: string;
  /** BUILD's state, where the Python object takes one (numpy arrays and dtypes). */
  setState?(state: PyValue, ctx: PickleContext): void;
}

/** A dict (or collections.OrderedDict) in insertion order; keys are None, bools, numbers, str or bytes. */
export class PyDict {
  private readonly map = new Map<string, [PyValue, PyValue]>();
  /** State BUILD gave an OrderedDict (a state_dict's `_metadata`); unused, kept for completeness. */
  attrs: PyValue = null;

  constructor(readonly ordered = false) {}

  get size(): number {
    return this.map.size;
  }

  set(key: PyValue, value: PyValue): void {
    this.map.set(hashKey(key), [key, value]);
  }

  /** The value under the str key `name`, or else under the bytes key of the same (latin-1) characters. */
  get(name: string): PyValue | undefined {
    return (this.map.get(`s${name}`) ?? this.map.get(`b${name}`))?.[1];
  }

  has(name: string): boolean {
    return this.map.has(`s${name}`) || this.map.has(`b${name}`);
  }

  entries(): Array<[PyValue, PyValue]> {
    return [...this.map.values()];
  }
}

export type PyValue = null | boolean | number | bigint | string | Uint8Array | PyValue[] | PyTuple | PyDict | PyGlobal | PyObject;

/** Whether v can be a dict key here: None, bool, int, float, str or bytes. */
export function isKey(k: PyValue): boolean {
  return (
    k === null ||
    typeof k === 'boolean' ||
    typeof k === 'number' ||
    typeof k === 'bigint' ||
    typeof k === 'string' ||
    k instanceof Uint8Array
  );
}

function hashKey(k: PyValue): string {
  if (typeof k === 'string') return `s${k}`;
  if (k instanceof Uint8Array) return `b${Buffer.from(k.buffer, k.byteOffset, k.length).toString('latin1')}`;
  if (k === null) return 'n';
  if (typeof k === 'boolean') return k ? 'i1' : 'i0'; // True == 1 in Python
  if (typeof k === 'number' || typeof k === 'bigint') return Number.isInteger(Number(k)) ? `i${BigInt(k)}` : `f${k}`;
  throw new TypeError(`unhashable dict key of type ${pyTypeOf(k)}`);
}

/** The Python type name of a value, for messages. */
export function pyTypeOf(v: PyValue | undefined): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'None';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'string') return 'str';
  if (v instanceof Uint8Array) return 'bytes';
  if (Array.isArray(v)) return 'list';
  if (v instanceof PyTuple) return 'tuple';
  if (v instanceof PyDict) return v.ordered ? 'collections.OrderedDict' : 'dict';
  if (v instanceof PyGlobal) return v.qualified;
  return v.pyType;
}

/** The type name with its article, for messages ('an int', 'a str'). */
export function aPyType(v: PyValue | undefined): string {
  const t = pyTypeOf(v);
  return `${/^[aeiou]/i.test(t) ? 'an' : 'a'} ${t}`;
}

/** Passed to the stand-ins: where the opcode is, and how to fail naming the file. */
export interface PickleContext {
  readonly file: string;
  /** Throws `<file>: <message> (pickle byte N)`. */
  fail(message: string): never;
}

/** An allowed global: REDUCE with it as the callable returns call(args). No call: it may only be an argument. */
export interface GlobalStandIn {
  call?: (args: PyValue[], ctx: PickleContext) => PyValue;
}

/** Allowed globals by their qualified name ('numpy.core.multiarray._reconstruct'). */
export type AllowedGlobals = Readonly<Record<string, GlobalStandIn>>;

export interface UnpickleOptions {
  /** The file (or archive entry) the bytes come from: every error names it. */
  file: string;
  /** The globals the file may name (default: none). */
  globals?: AllowedGlobals;
  /** BINPERSID: what a persistent id stands for (torch storages); absent, persistent ids are refused. */
  persistentLoad?: (pid: PyValue, ctx: PickleContext) => PyValue;
  /** Byte where the pickle starts (legacy torch files hold several, one after the other); default 0. */
  offset?: number;
  /** Most objects (containers, strings, memo entries) one pickle may make; default 2²¹. */
  maxObjects?: number;
}

const MAX_STACK = 1 << 22;
const MAX_LONG_BYTES = 1024;
const MAX_LINE = 256;

// Opcode names, for messages about the ones refused as much as the ones read.
const NAMES: Record<number, string> = {
  40: 'MARK',
  46: 'STOP',
  48: 'POP',
  49: 'POP_MARK',
  50: 'DUP',
  70: 'FLOAT',
  73: 'INT',
  74: 'BININT',
  75: 'BININT1',
  76: 'LONG',
  77: 'BININT2',
  78: 'NONE',
  80: 'PERSID',
  81: 'BINPERSID',
  82: 'REDUCE',
  83: 'STRING',
  84: 'BINSTRING',
  85: 'SHORT_BINSTRING',
  86: 'UNICODE',
  88: 'BINUNICODE',
  97: 'APPEND',
  98: 'BUILD',
  99: 'GLOBAL',
  100: 'DICT',
  125: 'EMPTY_DICT',
  101: 'APPENDS',
  103: 'GET',
  104: 'BINGET',
  105: 'INST',
  106: 'LONG_BINGET',
  108: 'LIST',
  93: 'EMPTY_LIST',
  111: 'OBJ',
  112: 'PUT',
  113: 'BINPUT',
  114: 'LONG_BINPUT',
  115: 'SETITEM',
  116: 'TUPLE',
  41: 'EMPTY_TUPLE',
  117: 'SETITEMS',
  71: 'BINFLOAT',
  128: 'PROTO',
  129: 'NEWOBJ',
  130: 'EXT1',
  131: 'EXT2',
  132: 'EXT4',
  133: 'TUPLE1',
  134: 'TUPLE2',
  135: 'TUPLE3',
  136: 'NEWTRUE',
  137: 'NEWFALSE',
  138: 'LONG1',
  139: 'LONG4',
  66: 'BINBYTES',
  67: 'SHORT_BINBYTES',
  140: 'SHORT_BINUNICODE',
  141: 'BINUNICODE8',
  142: 'BINBYTES8',
  143: 'EMPTY_SET',
  144: 'ADDITEMS',
  145: 'FROZENSET',
  146: 'NEWOBJ_EX',
  147: 'STACK_GLOBAL',
  148: 'MEMOIZE',
  149: 'FRAME',
  150: 'BYTEARRAY8',
  151: 'NEXT_BUFFER',
  152: 'READONLY_BUFFER',
};

/** Why an opcode this reader knows is refused. */
const REFUSED: Record<number, string> = {
  105: 'it creates an instance of any class the file names',
  111: 'it creates an instance of any class the file names',
  129: 'it creates an instance of any class the file names',
  146: 'it creates an instance of any class the file names',
  130: 'it looks a callable up in the extension registry',
  131: 'it looks a callable up in the extension registry',
  132: 'it looks a callable up in the extension registry',
};

/**
 * Unpickles one pickle (protocol 2–4) from bytes; returns its value and the byte after its STOP.
 * Throws an Error naming opts.file on anything outside what the allowed globals describe.
 */
export function unpickle(bytes: Uint8Array, opts: UnpickleOptions): { value: PyValue; end: number } {
  const file = opts.file;
  const globals = opts.globals ?? {};
  const maxObjects = opts.maxObjects ?? 1 << 21;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.length;
  let pos = opts.offset ?? 0;
  let at = pos; // the current opcode's offset, for messages
  let op = 0;
  const ctx: PickleContext = {
    file,
    fail(message: string): never {
      throw new Error(`${file}: ${message} (pickle byte ${at})`);
    },
  };
  const fail = ctx.fail;
  const opName = (o: number) => `${NAMES[o] ?? 'unknown opcode'} (0x${o.toString(16).padStart(2, '0')})`;
  // MARK pushes the stack onto the metastack and starts an empty one, so a MARK is never a value.
  let stack: PyValue[] = [];
  const metastack: PyValue[][] = [];
  const memo = new Map<number, PyValue>();
  let objects = 0;
  const made = () => {
    if (++objects > maxObjects) fail(`more than ${maxObjects} objects: not a file this reader expects`);
  };
  const need = (k: number): number => {
    if (k > n - pos) fail(`truncated: ${opName(op)} needs ${k} more bytes, ${n - pos} are left`);
    const p = pos;
    pos += k;
    return p;
  };
  const push = (v: PyValue) => {
    if (stack.length >= MAX_STACK) fail(`the stack grew past ${MAX_STACK} items`);
    stack.push(v);
  };
  const pop = (): PyValue => {
    if (stack.length === 0) fail(`${opName(op)} on an empty stack`);
    return stack.pop() as PyValue;
  };
  const top = (): PyValue => {
    if (stack.length === 0) fail(`${opName(op)} on an empty stack`);
    return stack[stack.length - 1];
  };
  const popMark = (): PyValue[] => {
    const items = stack;
    const prev = metastack.pop();
    if (prev === undefined) fail(`${opName(op)} without a MARK`);
    stack = prev as PyValue[];
    return items;
  };
  const text = (p: number, len: number, enc: 'utf8' | 'latin1') => Buffer.from(bytes.buffer, bytes.byteOffset + p, len).toString(enc);
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0 || end - pos > MAX_LINE) fail(`${opName(op)}: no newline within ${MAX_LINE} bytes`);
    const s = text(pos, end - pos, 'utf8');
    pos = end + 1;
    return s;
  };
  const u64 = (p: number): number => {
    const v = view.getUint32(p, true) + view.getUint32(p + 4, true) * 2 ** 32;
    if (v > n) fail(`${opName(op)}: a length of ${v} bytes in a file of ${n}`);
    return v;
  };
  const lookupGlobal = (module: string, name: string): PyGlobal => {
    const q = `${module}.${name}`;
    if (!Object.hasOwn(globals, q)) {
      const allowed = Object.keys(globals);
      fail(
        `refusing global '${q}': this reader only rebuilds ${allowed.length > 0 ? allowed.join(', ') : 'plain values'} (it never runs code from a file)`,
      );
    }
    made();
    return new PyGlobal(module, name);
  };
  const signedLE = (p: number, len: number): number | bigint => {
    if (len === 0) return 0;
    if (len > MAX_LONG_BYTES) fail(`${opName(op)}: an integer of ${len} bytes`);
    let v = 0n;
    for (let i = len - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[p + i]);
    if (bytes[p + len - 1] & 0x80) v -= 1n << BigInt(8 * len);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };

  if (pos >= n || bytes[pos] !== 0x80) fail('not a pickle of protocol 2–4 (it does not start with PROTO)');
  for (;;) {
    if (pos >= n) {
      at = n;
      fail('truncated: the pickle ends before its STOP');
    }
    at = pos;
    op = bytes[pos++];
    switch (op) {
      case 0x80: {
        // PROTO
        const v = bytes[need(1)];
        if (v < 2 || v > 4) fail(`pickle protocol ${v}; this reader takes protocols 2–4`);
        break;
      }
      case 0x95: // FRAME: a length hint only
        u64(need(8));
        break;
      case 0x2e: // STOP
        if (stack.length === 0) fail('STOP with nothing to return');
        return { value: stack.pop() as PyValue, end: pos };
      case 0x28: // MARK
        made();
        if (metastack.length >= MAX_STACK) fail(`more than ${MAX_STACK} nested MARKs`);
        metastack.push(stack);
        stack = [];
        break;
      case 0x30: // POP
        if (stack.length === 0) popMark();
        else stack.pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        push(top());
        break;
      case 0x4e: // NONE
        push(null);
        break;
      case 0x88: // NEWTRUE
        push(true);
        break;
      case 0x89: // NEWFALSE
        push(false);
        break;
      case 0x4a: // BININT
        push(view.getInt32(need(4), true));
        break;
      case 0x4b: // BININT1
        push(bytes[need(1)]);
        break;
      case 0x4d: // BININT2
        push(view.getUint16(need(2), true));
        break;
      case 0x8a: {
        // LONG1
        const len = bytes[need(1)];
        push(signedLE(need(len), len));
        break;
      }
      case 0x8b: {
        // LONG4
        const len = view.getInt32(need(4), true);
        if (len < 0) fail('LONG4 with a negative length');
        if (len > MAX_LONG_BYTES) fail(`LONG4: an integer of ${len} bytes`);
        push(signedLE(need(len), len));
        break;
      }
      case 0x47: // BINFLOAT (big-endian)
        push(view.getFloat64(need(8), false));
        break;
      case 0x55: {
        // SHORT_BINSTRING: a Python 2 str, read as bytes (encoding='bytes', as torchvision loads CIFAR)
        const len = bytes[need(1)];
        made();
        push(bytes.subarray(need(len), pos));
        break;
      }
      case 0x54: {
        // BINSTRING
        const len = view.getInt32(need(4), true);
        if (len < 0) fail('BINSTRING with a negative length');
        made();
        push(bytes.subarray(need(len), pos));
        break;
      }
      case 0x43: {
        // SHORT_BINBYTES
        const len = bytes[need(1)];
        made();
        push(bytes.subarray(need(len), pos));
        break;
      }
      case 0x42: {
        // BINBYTES
        const len = view.getUint32(need(4), true);
        made();
        push(bytes.subarray(need(len), pos));
        break;
      }
      case 0x8e: {
        // BINBYTES8
        const len = u64(need(8));
        made();
        push(bytes.subarray(need(len), pos));
        break;
      }
      case 0x8c: {
        // SHORT_BINUNICODE
        const len = bytes[need(1)];
        made();
        push(text(need(len), len, 'utf8'));
        break;
      }
      case 0x58: {
        // BINUNICODE
        const len = view.getUint32(need(4), true);
        made();
        push(text(need(len), len, 'utf8'));
        break;
      }
      case 0x8d: {
        // BINUNICODE8
        const len = u64(need(8));
        made();
        push(text(need(len), len, 'utf8'));
        break;
      }
      case 0x29: // EMPTY_TUPLE
        made();
        push(new PyTuple([]));
        break;
      case 0x85:
      case 0x86:
      case 0x87: {
        // TUPLE1..3
        const k = op - 0x84;
        if (stack.length < k) fail(`${opName(op)} needs ${k} values on the stack`);
        made();
        push(new PyTuple(stack.splice(stack.length - k, k)));
        break;
      }
      case 0x74: // TUPLE
        made();
        push(new PyTuple(popMark()));
        break;
      case 0x5d: // EMPTY_LIST
        made();
        push([]);
        break;
      case 0x7d: // EMPTY_DICT
        made();
        push(new PyDict());
        break;
      case 0x61: {
        // APPEND
        const v = pop();
        const list = top();
        if (!Array.isArray(list)) fail(`APPEND to ${aPyType(list)}`);
        (list as PyValue[]).push(v);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        const list = top();
        if (!Array.isArray(list)) fail(`APPENDS to ${aPyType(list)}`);
        for (const v of items) (list as PyValue[]).push(v);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        setItem(top(), k, v);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        if (items.length % 2 !== 0) fail('SETITEMS with an odd number of items');
        const d = top();
        for (let i = 0; i < items.length; i += 2) setItem(d, items[i], items[i + 1]);
        break;
      }
      case 0x71: // BINPUT
        memoPut(bytes[need(1)]);
        break;
      case 0x72: // LONG_BINPUT
        memoPut(view.getUint32(need(4), true));
        break;
      case 0x94: // MEMOIZE
        memoPut(memo.size);
        break;
      case 0x68: // BINGET
        memoGet(bytes[need(1)]);
        break;
      case 0x6a: // LONG_BINGET
        memoGet(view.getUint32(need(4), true));
        break;
      case 0x63: {
        // GLOBAL
        const module = line();
        const name = line();
        push(lookupGlobal(module, name));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two str values');
        push(lookupGlobal(module as string, name as string));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const fn = pop();
        if (!(fn instanceof PyGlobal)) fail(`REDUCE of ${aPyType(fn)}: only the allowed globals may be called`);
        const g = fn as PyGlobal;
        const standIn = Object.hasOwn(globals, g.qualified) ? globals[g.qualified] : {};
        if (standIn.call === undefined) fail(`refusing to call '${g.qualified}': it may only appear as an argument`);
        if (!(args instanceof PyTuple)) fail(`REDUCE of '${g.qualified}' with ${aPyType(args)} for arguments`);
        made();
        push(standIn.call!((args as PyTuple).items, ctx));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        const obj = top();
        if (obj instanceof PyObject && obj.setState) obj.setState(state, ctx);
        else if (obj instanceof PyDict && obj.ordered) obj.attrs = state;
        else fail(`refusing BUILD on ${aPyType(obj)}`);
        break;
      }
      case 0x51: {
        // BINPERSID
        const pid = pop();
        if (opts.persistentLoad === undefined) fail('a persistent id (BINPERSID), which only torch checkpoints hold');
        made();
        push(opts.persistentLoad!(pid, ctx));
        break;
      }
      default:
        if (REFUSED[op] !== undefined) fail(`refusing opcode ${opName(op)}: ${REFUSED[op]}`);
        fail(`opcode ${opName(op)} is not one this reader takes (protocol 2–4 binary opcodes for dicts, lists, tuples, numbers, strings)`);
    }
  }

  function setItem(d: PyValue, k: PyValue, v: PyValue): void {
    if (!(d instanceof PyDict)) fail(`SETITEM on ${aPyType(d)}`);
    if (!isKey(k)) fail(`a dict key of type ${pyTypeOf(k)}: only None, bool, int, float, str and bytes keys are read`);
    (d as PyDict).set(k, v);
  }
  function memoPut(i: number): void {
    if (!memo.has(i)) made();
    memo.set(i, top());
  }
  function memoGet(i: number): void {
    const v = memo.get(i);
    if (v === undefined) fail(`memo entry ${i} was never stored`);
    push(v as PyValue);
  }
}

// ---------------------------------------------------------------------------------------------
// Values, checked: what readers of a pickled structure ask of it.

/** An int (Python int or bool), as a safe JS integer; `what` names it in the error. */
export function pyInt(v: PyValue | undefined, what: string, ctx: { file: string }): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  throw new Error(`${ctx.file}: ${what} is ${aPyType(v)}${typeof v === 'bigint' ? ` (${v}, too large)` : ''}, expected an int`);
}

/** A str, or bytes read as latin-1 (Python 2 strings loaded with encoding='bytes'). */
export function pyStr(v: PyValue | undefined, what: string, ctx: { file: string }): string {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.length).toString('latin1');
  throw new Error(`${ctx.file}: ${what} is ${aPyType(v)}, expected a str`);
}

/** The items of a tuple or list. */
export function pySeq(v: PyValue | undefined, what: string, ctx: { file: string }): PyValue[] {
  if (Array.isArray(v)) return v;
  if (v instanceof PyTuple) return v.items;
  throw new Error(`${ctx.file}: ${what} is ${aPyType(v)}, expected a tuple or list`);
}

// ---------------------------------------------------------------------------------------------
// numpy arrays, as numpy pickles them: _reconstruct(ndarray, (0,), b'b') then BUILD with
// (version, shape, dtype, is_fortran, raw bytes); dtype(code, align, copy) then BUILD with
// (version, byte order, ...). Python 3 numpy at protocol 2 wraps the raw bytes in _codecs.encode.

export type NdDtype = 'bool' | 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'int64' | 'uint64' | 'float32' | 'float64';
export type NdData =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

const ND_CODES: Record<string, [NdDtype, number]> = {
  b1: ['bool', 1],
  u1: ['uint8', 1],
  i1: ['int8', 1],
  u2: ['uint16', 2],
  i2: ['int16', 2],
  u4: ['uint32', 4],
  i4: ['int32', 4],
  i8: ['int64', 8],
  u8: ['uint64', 8],
  f4: ['float32', 4],
  f8: ['float64', 8],
};

/** numpy.dtype as pickled: its code ('u1', 'f4', ...) and byte order. */
export class NpDtype extends PyObject {
  readonly pyType = 'numpy.dtype';
  byteOrder = '|';

  constructor(readonly code: string) {
    super();
  }

  override setState(state: PyValue, ctx: PickleContext): void {
    if (!(state instanceof PyTuple) || state.items.length < 2) ctx.fail('numpy.dtype BUILD: expected a state tuple');
    const order = (state as PyTuple).items[1];
    const o = typeof order === 'string' ? order : order instanceof Uint8Array ? String.fromCharCode(...order) : '';
    if (!['|', '<', '>', '='].includes(o)) ctx.fail(`numpy.dtype BUILD: byte order ${JSON.stringify(o)}`);
    this.byteOrder = o;
  }
}

/** A numpy array rebuilt from its pickle: C-order shape and a typed array of the values. */
export class NdArray extends PyObject {
  readonly pyType = 'numpy.ndarray';
  dtype: NdDtype = 'float64';
  shape: number[] = [0];
  data: NdData = new Float64Array(0);
  private built = false;

  override setState(state: PyValue, ctx: PickleContext): void {
    if (this.built) ctx.fail('numpy.ndarray BUILD twice');
    if (!(state instanceof PyTuple)) ctx.fail('numpy.ndarray BUILD: expected a state tuple');
    let items = (state as PyTuple).items;
    if (items.length === 5) items = items.slice(1); // (version, shape, dtype, is_fortran, data)
    if (items.length !== 4) ctx.fail(`numpy.ndarray BUILD: a state of ${items.length} items`);
    const [shapeV, dtypeV, fortranV, raw] = items;
    if (!(dtypeV instanceof NpDtype)) ctx.fail(`numpy.ndarray BUILD: dtype is ${aPyType(dtypeV)}`);
    const dt = dtypeV as NpDtype;
    const code = ND_CODES[dt.code.replace(/^[<>|=]/, '')];
    if (code === undefined) ctx.fail(`numpy arrays of dtype '${dt.code}' are not read (bool, (u)int8–64, float32, float64)`);
    if (!(raw instanceof Uint8Array)) ctx.fail(`numpy.ndarray BUILD: data is ${aPyType(raw)} (object arrays are not read)`);
    const bytes = raw as Uint8Array;
    const [dtype, size] = code;
    const shape = pySeq(shapeV, 'numpy array shape', ctx).map((d) => pyInt(d, 'a numpy array dimension', ctx));
    if (shape.some((d) => d < 0)) ctx.fail(`numpy array shape (${shape}) has a negative dimension`);
    // A float product: inexact only far beyond any real length, where it cannot match one.
    const count = shape.reduce((x, d) => x * d, 1);
    if (count * size !== bytes.length)
      ctx.fail(`numpy array of shape (${shape}) and dtype ${dt.code} needs ${count * size} bytes, its data has ${bytes.length}`);
    if ((fortranV === true || fortranV === 1) && shape.filter((d) => d > 1).length > 1) ctx.fail('Fortran-order numpy arrays are not read');
    const big = dt.byteOrder === '>' && size > 1;
    this.dtype = dtype;
    this.shape = shape;
    this.data = typedFrom(bytes, dtype, size, big);
    this.built = true;
  }
}

function typedFrom(bytes: Uint8Array, dtype: NdDtype, size: number, bigEndian: boolean): NdData {
  if (size === 1) return dtype === 'int8' ? new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length) : bytes;
  // A fresh, aligned copy (the data sits at any offset of the file), byte-swapped if big-endian.
  const copy = new Uint8Array(bytes);
  if (bigEndian) for (let i = 0; i < copy.length; i += size) copy.subarray(i, i + size).reverse();
  const b = copy.buffer;
  switch (dtype) {
    case 'uint16':
      return new Uint16Array(b);
    case 'int16':
      return new Int16Array(b);
    case 'uint32':
      return new Uint32Array(b);
    case 'int32':
      return new Int32Array(b);
    case 'int64':
      return new BigInt64Array(b);
    case 'uint64':
      return new BigUint64Array(b);
    case 'float32':
      return new Float32Array(b);
    default:
      return new Float64Array(b);
  }
}

/** What numpy arrays in a pickle need (numpy 1.x and 2.x module names, and Python 3's bytes at protocol 2). */
export const NUMPY_GLOBALS: AllowedGlobals = {
  'numpy.core.multiarray._reconstruct': { call: reconstruct },
  'numpy._core.multiarray._reconstruct': { call: reconstruct },
  'numpy.ndarray': {},
  'numpy.dtype': {
    call: (args, ctx) => {
      if (args.length < 1) ctx.fail('numpy.dtype() without a type code');
      return new NpDtype(pyStr(args[0], 'numpy.dtype code', ctx));
    },
  },
  '_codecs.encode': { call: codecsEncode },
  // Python 3 at protocol 2 pickles b'' as bytes() (the raw data of an empty array).
  '__builtin__.bytes': { call: emptyBytes },
  'builtins.bytes': { call: emptyBytes },
};

function emptyBytes(args: PyValue[], ctx: PickleContext): PyValue {
  if (args.length !== 0) ctx.fail('bytes() is only read without arguments (an empty bytes object)');
  return new Uint8Array(0);
}

/** collections.OrderedDict(), as pickled OrderedDicts call it (their items follow with SETITEMS). */
export const ORDERED_DICT_GLOBALS: AllowedGlobals = {
  'collections.OrderedDict': {
    call: (args, ctx) => {
      const d = new PyDict(true);
      if (args.length > 1) ctx.fail('collections.OrderedDict() with more than one argument');
      for (const pair of args.length === 1 ? pySeq(args[0], 'OrderedDict items', ctx) : []) {
        const kv = pySeq(pair, 'an OrderedDict item', ctx);
        if (kv.length !== 2) ctx.fail('an OrderedDict item that is not a (key, value) pair');
        if (!isKey(kv[0])) ctx.fail(`an OrderedDict key of type ${pyTypeOf(kv[0])}`);
        d.set(kv[0], kv[1]);
      }
      return d;
    },
  },
};

function reconstruct(args: PyValue[], ctx: PickleContext): PyValue {
  const cls = args[0];
  if (!(cls instanceof PyGlobal) || cls.name !== 'ndarray') ctx.fail(`_reconstruct of ${aPyType(cls)}: only numpy.ndarray is rebuilt`);
  return new NdArray();
}

/** _codecs.encode(text, 'latin1'): how Python 3 pickles bytes at protocol 2. */
export function codecsEncode(args: PyValue[], ctx: PickleContext): PyValue {
  const [s, enc] = args;
  if (typeof s !== 'string' || (enc !== 'latin1' && enc !== 'latin-1') || args.length !== 2)
    ctx.fail("_codecs.encode is only read as encode(str, 'latin1') (bytes pickled by Python 3 at protocol 2)");
  const text = s as string;
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff) ctx.fail('_codecs.encode: a character outside latin-1');
    out[i] = c;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Writing: a protocol-2 pickler for trees of plain values, calls of globals and persistent ids
// (what a torch.save data.pkl holds), with globals memoised as Python's pickler does.

/** A call of a global, pickled as GLOBAL, the argument tuple, REDUCE. */
export class PyCall {
  constructor(
    readonly fn: PyGlobal,
    readonly args: PyTuple | PickleTuple,
  ) {}
}

/** A persistent id, pickled as the id's value then BINPERSID. */
export class PyPersistent {
  constructor(readonly pid: PickleInput) {}
}

export type PickleInput = PyValue | PyCall | PyPersistent | PickleInput[] | PickleTuple | PickleDict;
/** Tuples and dicts of writable values (their items may be PyCall and PyPersistent too). */
export class PickleTuple {
  constructor(readonly items: PickleInput[]) {}
}
export class PickleDict {
  constructor(
    readonly entries: Array<[string, PickleInput]>,
    readonly ordered = true,
  ) {}
}

/** Pickles value at protocol 2 (Python 2's cPickle, and torch.save's default). */
export function pickle(value: PickleInput): Uint8Array {
  const out: Buffer[] = [];
  const memo = new Map<string, number>();
  const b = (...xs: number[]) => out.push(Buffer.from(xs));
  const u32 = (v: number) => {
    const x = Buffer.alloc(4);
    x.writeUInt32LE(v);
    out.push(x);
  };
  const global = (g: PyGlobal) => {
    const k = g.qualified;
    const m = memo.get(k);
    if (m !== undefined) {
      if (m < 256) b(0x68, m);
      else {
        b(0x6a);
        u32(m);
      }
      return;
    }
    out.push(Buffer.from(`c${g.module}\n${g.name}\n`, 'utf8'));
    const i = memo.size;
    memo.set(k, i);
    if (i < 256) b(0x71, i);
    else {
      b(0x72);
      u32(i);
    }
  };
  const int = (v: number | bigint) => {
    if (typeof v === 'number' && v >= 0 && v < 256) b(0x4b, v);
    else if (typeof v === 'number' && v >= 0 && v < 65536) b(0x4d, v & 0xff, v >> 8);
    else if (typeof v === 'number' && v >= -(2 ** 31) && v < 2 ** 31) {
      const x = Buffer.alloc(4);
      x.writeInt32LE(v);
      b(0x4a);
      out.push(x);
    } else {
      // LONG1: little-endian two's complement, as short as the sign allows.
      let x = BigInt(v);
      const bytes: number[] = [];
      while (x !== 0n && x !== -1n) {
        bytes.push(Number(x & 0xffn));
        x >>= 8n;
      }
      const neg = BigInt(v) < 0n;
      if (bytes.length === 0 || ((bytes[bytes.length - 1] & 0x80) !== 0) !== neg) bytes.push(neg ? 0xff : 0);
      b(0x8a, bytes.length, ...bytes);
    }
  };
  const write = (v: PickleInput): void => {
    if (v === null) b(0x4e);
    else if (v === true) b(0x88);
    else if (v === false) b(0x89);
    else if (typeof v === 'bigint' || (typeof v === 'number' && Number.isSafeInteger(v))) int(v);
    else if (typeof v === 'number') {
      const x = Buffer.alloc(8);
      x.writeDoubleBE(v);
      b(0x47);
      out.push(x);
    } else if (typeof v === 'string') {
      const s = Buffer.from(v, 'utf8');
      b(0x58);
      u32(s.length);
      out.push(s);
    } else if (v instanceof PyGlobal) global(v);
    else if (v instanceof PyCall) {
      global(v.fn);
      write(new PickleTuple(v.args.items));
      b(0x52);
    } else if (v instanceof PyPersistent) {
      write(v.pid);
      b(0x51);
    } else if (v instanceof PyTuple || v instanceof PickleTuple) {
      const items = v.items as PickleInput[];
      if (items.length === 0) b(0x29);
      else if (items.length <= 3) {
        for (const x of items) write(x);
        b(0x84 + items.length);
      } else {
        b(0x28);
        for (const x of items) write(x);
        b(0x74);
      }
    } else if (Array.isArray(v)) {
      b(0x5d);
      for (let i = 0; i < v.length; i += 1000) {
        b(0x28);
        for (const x of v.slice(i, i + 1000)) write(x);
        b(0x65);
      }
    } else if (v instanceof PickleDict) {
      if (v.ordered) {
        global(new PyGlobal('collections', 'OrderedDict'));
        b(0x29, 0x52);
      } else b(0x7d);
      for (let i = 0; i < v.entries.length; i += 1000) {
        b(0x28);
        for (const [k, x] of v.entries.slice(i, i + 1000)) {
          write(k);
          write(x);
        }
        b(0x75);
      }
    } else throw new Error(`pickle: cannot write ${aPyType(v as PyValue)}`);
  };
  b(0x80, 2);
  write(value);
  b(0x2e);
  return Buffer.concat(out);
}
