// A SIMD kernel as a declarative config, as tfjs-backend-wasm's KernelConfig names a kernel and its
// function: the exported name, the parameters (byte addresses into the wasm memory and counts, all
// i32), the extra locals, and the body written against them by name. rowsKernel adds the loop every
// streaming kernel over row-major [rows, c] float32 data shares, four channels a step.
import { add, type Code, f32x4, f64x2, type Fn, get, i32, load, loop, mul, set, simd, store, v128and } from '../../wasm_asm.js';

export interface SimdKernelConfig {
  /** The exported function's name. */
  kernelName: string;
  /** Parameters in order (all i32). */
  params: readonly string[];
  /** Extra i32 locals, then v128 locals, by name. */
  i32s?: readonly string[];
  v128s?: readonly string[];
  /** The instructions, given the index of every parameter and local by name. */
  body(v: Readonly<Record<string, number>>): Code;
}

/** The assembler's function of a config (parameters first, then the i32 and the v128 locals). */
export function toFn(k: SimdKernelConfig): Fn {
  const names = [...k.params, ...(k.i32s ?? []), ...(k.v128s ?? [])];
  const v = Object.fromEntries(names.map((n, i) => [n, i]));
  return { name: k.kernelName, params: k.params.length, i32s: k.i32s?.length ?? 0, v128s: k.v128s?.length ?? 0, body: k.body(v) };
}

/**
 * A kernel over row-major [rows, c] float32 data (c a multiple of 4): `step` is one step of four
 * channels, run for every row r and byte offset j = 0, 16, ... < 4c within it; `row` is the row's
 * byte offset r·4c, so element (r, j) is at base + row + j. `params` must hold `rows` and `c`.
 */
export function rowsKernel(
  k: Omit<SimdKernelConfig, 'body' | 'i32s'> & { step(v: Readonly<Record<string, number>>): Code },
): SimdKernelConfig {
  return {
    kernelName: k.kernelName,
    params: k.params,
    i32s: ['r', 'row', 'j', 'cb'],
    v128s: k.v128s,
    body: (v) => [
      ...get(v.c),
      ...i32(4),
      ...mul,
      ...set(v.cb),
      ...i32(0),
      ...set(v.row),
      ...loop(v.r, i32(0), get(v.rows), i32(1), [
        ...loop(v.j, i32(0), get(v.cb), i32(16), k.step(v)),
        ...get(v.row),
        ...get(v.cb),
        ...add,
        ...set(v.row),
      ]),
    ],
  };
}

/** base + a·b (i32 address arithmetic; each argument code producing an i32). */
export const plusProduct = (base: Code, a: Code, b: Code): Code => [...base, ...a, ...b, ...mul, ...add];
/** v += by (an i32 local). */
export const advance = (v: number, by: Code): Code => [...get(v), ...by, ...add, ...set(v)];

// Addresses within a rows kernel's step.
/** Element (r, j) of the [rows, c] array at `base`. */
export const at = (v: Readonly<Record<string, number>>, base: string): Code => [
  ...get(v[base]),
  ...get(v.row),
  ...add,
  ...get(v.j),
  ...add,
];
/** Channel j of the [c] array at `base`. */
export const chan = (v: Readonly<Record<string, number>>, base: string): Code => [...get(v[base]), ...get(v.j), ...add];
/** The four floats of element (r, j) of `base`, and of channel j of `base`, on the stack. */
export const loadAt = (v: Readonly<Record<string, number>>, base: string): Code => [...at(v, base), ...load()];
export const loadChan = (v: Readonly<Record<string, number>>, base: string): Code => [...chan(v, base), ...load()];
/** Channel j of the [c] float64 accumulator at `base` (byte offset of float j is j, of double j is 2j). */
export const acc64 = (v: Readonly<Record<string, number>>, base: string): Code => [
  ...get(v[base]),
  ...get(v.j),
  ...get(v.j),
  ...add,
  ...add,
];

/** Lanes 2, 3 of a f32x4 moved to lanes 0, 1 (for the second promote). */
const highHalf = simd(0x0d, 8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15);
/** f32x4 of zeros. */
export const f32zero: Code = [0x43, 0, 0, 0, 0, ...f32x4.splat];

/** dy at (r, j), through a fused ReLU when asked: dy where out > 0, else 0 (batch norm's backward passes). */
export function gradThroughRelu(v: Readonly<Record<string, number>>, relu: boolean): Code {
  return [...loadAt(v, 'dy'), ...(relu ? [...loadAt(v, 'out'), ...f32zero, ...f32x4.gt, ...v128and] : [])];
}

/** acc += [v lanes 0,1] and acc+16 += [v lanes 2,3]; acc: code of an f64 address, v: a v128 local. */
export function accumulate64(acc: Code, v: number): Code {
  return [
    ...acc,
    ...acc,
    ...load(0),
    ...get(v),
    ...f64x2.promoteLow,
    ...f64x2.add,
    ...store(0),
    ...acc,
    ...acc,
    ...load(16),
    ...get(v),
    ...get(v),
    ...highHalf,
    ...f64x2.promoteLow,
    ...f64x2.add,
    ...store(16),
  ];
}
