// The smallest WebAssembly assembler that does: instruction bytes from helper functions, one
// module of functions that import a memory ("env"."memory"), i32 arguments (addresses, counts),
// an optional i32 result. Shared by the SIMD kernels of the wasm backend (simd.ts) and the
// evaluators' own kernels (kNN screening, k-means distances), which run on memories of their own.

// ---------------------------------------------------------------- encoding
export function uleb(n: number): number[] {
  const out: number[] = [];
  let v = n >>> 0;
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
}

export function sleb(n: number): number[] {
  const out: number[] = [];
  let v = n | 0;
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(s: string): number[] {
  const b = [...Buffer.from(s, 'utf8')];
  return [...uleb(b.length), ...b];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

export type Code = number[];
const I32 = 0x7f;
const F64 = 0x7c;
const V128 = 0x7b;

// ---------------------------------------------------------------- instructions
// (numbers are local indices, byte offsets or constants)
export const get = (i: number): Code => [0x20, ...uleb(i)];
export const set = (i: number): Code => [0x21, ...uleb(i)];
export const tee = (i: number): Code => [0x22, ...uleb(i)];
export const i32 = (v: number): Code => [0x41, ...sleb(v)];
export const add = [0x6a];
export const sub = [0x6b];
export const mul = [0x6c];
export const geU = [0x4f];
export const ltU = [0x49];
export const gtU = [0x4b];
export const select = [0x1b];
/** i32.load / i32.store (align 4). */
export const i32load = (off = 0): Code => [0x28, 2, ...uleb(off)];
export const i32store = (off = 0): Code => [0x36, 2, ...uleb(off)];
/** f64.load / f64.store (align 8). */
export const f64load = (off = 0): Code => [0x2b, 3, ...uleb(off)];
export const f64store = (off = 0): Code => [0x39, 3, ...uleb(off)];
/** f32.load / f32.store (align 4). */
export const f32load = (off = 0): Code => [0x2a, 2, ...uleb(off)];
export const f32store = (off = 0): Code => [0x38, 2, ...uleb(off)];
export const f64 = {
  add: [0xa0],
  sub: [0xa1],
  mul: [0xa2],
  div: [0xa3],
  max: [0xa5],
  sqrt: [0x9f],
  gt: [0x64],
  const: (v: number): Code => [0x44, ...new Uint8Array(Float64Array.of(v).buffer)],
};
export const andI32 = [0x71];
export const eqz = [0x45];
export const ret = [0x0f];
export const simd = (op: number, ...imm: number[]): Code => [0xfd, ...uleb(op), ...imm];
export const load = (off = 0): Code => simd(0x00, 0, ...uleb(off)); // v128.load, align hint 1
export const store = (off = 0): Code => simd(0x0b, 0, ...uleb(off));
export const load32Splat = (off = 0): Code => simd(0x09, 2, ...uleb(off));
export const load64Splat = (off = 0): Code => simd(0x0a, 3, ...uleb(off));
export const f32x4 = {
  splat: simd(0x13),
  gt: simd(0x44),
  add: simd(0xe4),
  sub: simd(0xe5),
  mul: simd(0xe6),
  max: simd(0xe9),
};
export const f64x2 = {
  splat: simd(0x14),
  add: simd(0xf0),
  mul: simd(0xf2),
  promoteLow: simd(0x5f),
  /** Lane 0 or 1 as an f64. */
  lane: (l: number): Code => simd(0x21, l),
};
export const i32x4 = {
  splat: simd(0x11),
  add: simd(0xae),
  geS: simd(0x3f),
  /** i32x4.dot_i16x8_s: lane i = a[2i]·b[2i] + a[2i+1]·b[2i+1] (int16 products summed in int32). */
  dotI16x8: simd(0xba),
};
export const v128and = simd(0x4e);
export const v128or = simd(0x50);
export const anyTrue = simd(0x53);
export const v128zero: Code = [...i32(0), ...i32x4.splat];

// ---------------------------------------------------------------- idioms
/** The byte address base + (row·ld + col)·size of element (row, col), row stride ld elements (locals). */
export function elementAt(base: number, row: number, ld: number, col: number, size: number): Code {
  return [...get(base), ...get(row), ...get(ld), ...mul, ...get(col), ...add, ...i32(size), ...mul, ...add];
}

/** The byte address base + row·rowBytes + col·size (rowBytes: a local holding a row's bytes). */
export function cellAt(base: number, row: number, rowBytes: number, col: number, size: number): Code {
  return [...get(base), ...get(row), ...get(rowBytes), ...mul, ...add, ...get(col), ...i32(size), ...mul, ...add];
}

/** local v = a + b (locals). */
export const setSum = (v: number, a: number, b: number): Code => [...get(a), ...get(b), ...add, ...set(v)];

/** local v += step (code producing an i32). */
export const bump = (v: number, step: Code): Code => [...get(v), ...step, ...add, ...set(v)];

/** The value at address a + b (locals), read by `read` (e.g. f64load(0), load(16)). */
export const readAt = (a: number, b: number, read: Code): Code => [...get(a), ...get(b), ...add, ...read];

/** for (v = from; v < limit; v += step) body — from, limit, step are code producing i32s (unsigned compare). */
export function loop(v: number, from: Code, limit: Code, step: Code, body: Code): Code {
  return [
    ...from,
    ...set(v),
    0x02,
    0x40, // block
    0x03,
    0x40, // loop
    ...get(v),
    ...limit,
    ...geU,
    0x0d,
    1, // br_if out of the block
    ...body,
    ...get(v),
    ...step,
    ...add,
    ...set(v),
    0x0c,
    0, // br to the loop
    0x0b,
    0x0b,
  ];
}

/** if (cond) body, cond: code producing an i32. */
export function when(cond: Code, body: Code): Code {
  return [...cond, 0x04, 0x40, ...body, 0x0b];
}

export interface Fn {
  name: string;
  params: number;
  /** Extra locals: i32s, then v128s, then f64s. */
  i32s: number;
  v128s: number;
  f64s?: number;
  /** Whether the body leaves an i32 result on the stack. */
  result?: boolean;
  body: Code;
}

/** A module of `fns`, importing env.memory. */
export function assemble(fns: Fn[]): Uint8Array {
  const types = fns.map((f) => [0x60, ...vec(Array.from({ length: f.params }, () => [I32])), ...(f.result ? [1, I32] : [0])]);
  const imports = vec([[...name('env'), ...name('memory'), 0x02, 0x00, 0x01]]);
  const funcs = vec(fns.map((_, i) => uleb(i)));
  const exports = vec(fns.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]));
  const codes = vec(
    fns.map((f) => {
      const groups = [
        [...uleb(f.i32s), I32],
        [...uleb(f.v128s), V128],
      ];
      if (f.f64s) groups.push([...uleb(f.f64s), F64]);
      const body = [...vec(groups), ...f.body, 0x0b];
      return [...uleb(body.length), ...body];
    }),
  );
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    1,
    0,
    0,
    0,
    ...section(1, vec(types)),
    ...section(2, imports),
    ...section(3, funcs),
    ...section(7, exports),
    ...section(10, codes),
  ]);
}

// ---------------------------------------------------------------- running
// The WebAssembly API as far as used here (the project's TypeScript lib has no DOM types).
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
export interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
  Memory: new (d: { initial: number; maximum?: number }) => WasmMemory;
}
export const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Whether this engine runs WebAssembly SIMD (and MCR2_SIMD_KERNELS=0 does not turn the kernels off). */
export function simdAvailable(): boolean {
  if (process.env.MCR2_SIMD_KERNELS === '0') return false;
  if (simdProbe === undefined) {
    // A function returning v128.any_true(i32x4.splat(0)).
    simdProbe = WA.validate(assemble([{ name: 'probe', params: 0, i32s: 0, v128s: 0, result: true, body: [...v128zero, ...anyTrue] }]));
  }
  return simdProbe;
}
let simdProbe: boolean | undefined;

/** A memory of `bytes` (rounded up to 64 KiB pages) with `fns` instantiated on it. */
export function instantiate<T>(fns: Fn[], bytes: number): { exports: T; memory: WasmMemory } {
  const pages = Math.ceil(bytes / 65536) + 1;
  const memory = new WA.Memory({ initial: pages });
  const inst = new WA.Instance(new WA.Module(assemble(fns)), { env: { memory } });
  return { exports: inst.exports as T, memory };
}
