// A few streaming kernels as WebAssembly SIMD, assembled here at load time and run on the wasm
// backend's own memory (the tensors stay where they are).
//
// Why: the project's JS kernels over the wasm heap (column sums, batch norm, max-pool gradient)
// are scalar, bounds-checked loops; on the Intel Xeon machine they ran at 3-10 ns per element,
// 5-10x slower than XNNPACK's vectorised elementwise kernels on the same data. These are the same
// loops four lanes wide. Sums are accumulated in float64 (two f64x2 lanes per four floats).
// Every kernel works on row-major [rows, c] float32 data with c a multiple of 4 (the callers fall
// back to the JS versions otherwise) and takes byte addresses into the wasm memory.
//
// The assembler is wasm_asm.ts: one module of functions that import the memory, all arguments i32
// (addresses, counts).

import { add, assemble, type Code, f32x4, type Fn, get, i32, load, loop, mul, set, simd, store, uleb, v128and, WA } from './wasm_asm.js';

const f64x2 = { add: simd(0xf0), promoteLow: simd(0x5f) };
/** Lanes 2, 3 of a f32x4 moved to lanes 0, 1 (for the second promote). */
const highHalf = simd(0x0d, 8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15);
const f32zero: Code = [0x43, 0, 0, 0, 0, ...f32x4.splat];

// ---------------------------------------------------------------- kernels
// Shared pattern: rows r = 0..rows, within a row byte offset j = 0..4c step 16; `row` is the
// running byte offset of the row (r·4c), so element (r, j) is at base + row + j.

/** acc += [v lanes 0,1] and acc+16 += [v lanes 2,3], acc: f64 address code. v: a v128 local. */
function accumulate64(acc: Code, v: number): Code {
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

/** Address code of f64 accumulator j (byte offset of float j is `j`, of double j is 2j). */
const acc64 = (base: number, j: number): Code => [...get(base), ...get(j), ...get(j), ...add, ...add];
const at = (base: number, row: number, j: number): Code => [...get(base), ...get(row), ...add, ...get(j), ...add];
const chan = (base: number, j: number): Code => [...get(base), ...get(j), ...add];

/** colsum(x, rows, c, acc): acc[j] (f64) += Σ_r x[r, j]. */
function colsum(): Fn {
  const [x, rows, c, acc, r, row, j, cb] = [0, 1, 2, 3, 4, 5, 6, 7];
  const v = 8;
  return {
    name: 'colsum',
    params: 4,
    i32s: 4,
    v128s: 1,
    body: [
      ...get(c),
      ...i32(4),
      ...mul,
      ...set(cb),
      ...i32(0),
      ...set(row),
      ...loop(r, i32(0), get(rows), i32(1), [
        ...loop(j, i32(0), get(cb), i32(16), [...at(x, row, j), ...load(), ...set(v), ...accumulate64(acc64(acc, j), v)]),
        ...get(row),
        ...get(cb),
        ...add,
        ...set(row),
      ]),
    ],
  };
}

/** moments(x, rows, c, k, s, q): d = x − k[j]; s[j] += d, q[j] += d² (f64; d² of the f32 d). */
function moments(): Fn {
  const [x, rows, c, k, s, q, r, row, j, cb] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const [d, sq] = [10, 11];
  return {
    name: 'moments',
    params: 6,
    i32s: 4,
    v128s: 2,
    body: [
      ...get(c),
      ...i32(4),
      ...mul,
      ...set(cb),
      ...i32(0),
      ...set(row),
      ...loop(r, i32(0), get(rows), i32(1), [
        ...loop(j, i32(0), get(cb), i32(16), [
          ...at(x, row, j),
          ...load(),
          ...chan(k, j),
          ...load(),
          ...f32x4.sub,
          ...set(d),
          ...get(d),
          ...get(d),
          ...f32x4.mul,
          ...set(sq),
          ...accumulate64(acc64(s, j), d),
          ...accumulate64(acc64(q, j), sq),
        ]),
        ...get(row),
        ...get(cb),
        ...add,
        ...set(row),
      ]),
    ],
  };
}

/** bnAffine(x, mean, a, beta, r, y, rows, c): y = (x − mean)·a + beta [+ r] [ReLU]. */
function bnAffine(residual: boolean, relu: boolean): Fn {
  const [x, mean, a, beta, res, y, rows, c, r, row, j, cb] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  return {
    name: `bnAffine${residual ? 'R' : ''}${relu ? 'Relu' : ''}`,
    params: 8,
    i32s: 4,
    v128s: 0,
    body: [
      ...get(c),
      ...i32(4),
      ...mul,
      ...set(cb),
      ...i32(0),
      ...set(row),
      ...loop(r, i32(0), get(rows), i32(1), [
        ...loop(j, i32(0), get(cb), i32(16), [
          ...at(y, row, j),
          ...at(x, row, j),
          ...load(),
          ...chan(mean, j),
          ...load(),
          ...f32x4.sub,
          ...chan(a, j),
          ...load(),
          ...f32x4.mul,
          ...chan(beta, j),
          ...load(),
          ...f32x4.add,
          ...(residual ? [...at(res, row, j), ...load(), ...f32x4.add] : []),
          ...(relu ? [...f32zero, ...f32x4.max] : []),
          ...store(),
        ]),
        ...get(row),
        ...get(cb),
        ...add,
        ...set(row),
      ]),
    ],
  };
}

/**
 * bnGrad1(dy, x, out, mean, rstd, dr, rows, c, db, dg): d = dy·[out > 0] (ReLU) or dy;
 * [dr = d]; db[j] += d, dg[j] += d·(x − mean)·rstd (f64).
 */
function bnGrad1(relu: boolean, residual: boolean): Fn {
  const [dy, x, out, mean, rstd, dr, rows, c, db, dg, r, row, j, cb] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13];
  const [d, p] = [14, 15];
  return {
    name: `bnGrad1${relu ? 'Relu' : ''}${residual ? 'R' : ''}`,
    params: 10,
    i32s: 4,
    v128s: 2,
    body: [
      ...get(c),
      ...i32(4),
      ...mul,
      ...set(cb),
      ...i32(0),
      ...set(row),
      ...loop(r, i32(0), get(rows), i32(1), [
        ...loop(j, i32(0), get(cb), i32(16), [
          ...at(dy, row, j),
          ...load(),
          ...(relu ? [...at(out, row, j), ...load(), ...f32zero, ...f32x4.gt, ...v128and] : []),
          ...set(d),
          ...(residual ? [...at(dr, row, j), ...get(d), ...store()] : []),
          ...get(d),
          ...at(x, row, j),
          ...load(),
          ...chan(mean, j),
          ...load(),
          ...f32x4.sub,
          ...chan(rstd, j),
          ...load(),
          ...f32x4.mul,
          ...f32x4.mul,
          ...set(p),
          ...accumulate64(acc64(db, j), d),
          ...accumulate64(acc64(dg, j), p),
        ]),
        ...get(row),
        ...get(cb),
        ...add,
        ...set(row),
      ]),
    ],
  };
}

/** bnGrad2(dy, x, out, mean, kd, kx, k0, dx, rows, c): dx = kd·d + kx·(mean − x) + k0. */
function bnGrad2(relu: boolean): Fn {
  const [dy, x, out, mean, kd, kx, k0, dx, rows, c, r, row, j, cb] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13];
  return {
    name: `bnGrad2${relu ? 'Relu' : ''}`,
    params: 10,
    i32s: 4,
    v128s: 0,
    body: [
      ...get(c),
      ...i32(4),
      ...mul,
      ...set(cb),
      ...i32(0),
      ...set(row),
      ...loop(r, i32(0), get(rows), i32(1), [
        ...loop(j, i32(0), get(cb), i32(16), [
          ...at(dx, row, j),
          ...at(dy, row, j),
          ...load(),
          ...(relu ? [...at(out, row, j), ...load(), ...f32zero, ...f32x4.gt, ...v128and] : []),
          ...chan(kd, j),
          ...load(),
          ...f32x4.mul,
          ...chan(mean, j),
          ...load(),
          ...at(x, row, j),
          ...load(),
          ...f32x4.sub,
          ...chan(kx, j),
          ...load(),
          ...f32x4.mul,
          ...f32x4.add,
          ...chan(k0, j),
          ...load(),
          ...f32x4.add,
          ...store(),
        ]),
        ...get(row),
        ...get(cb),
        ...add,
        ...set(row),
      ]),
    ],
  };
}

/**
 * maxPool2x2Grad(x, dy, dx, n, h, w, c, oh, ow): 2x2 windows, stride 2, no padding; each window's
 * gradient goes to its first maximum, the other three entries get 0. Rows/columns past 2·oh, 2·ow
 * are left alone (the caller zeroes them).
 */
function maxPool2x2Grad(): Fn {
  const [x, dy, dx, n, h, w, c, oh, ow] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [b, y, xo, j, cb, rowB, p, g, pdy] = [9, 10, 11, 12, 13, 14, 15, 16, 17];
  const [v0, v1, v2, v3, best, m1, m2, m3, gv] = [18, 19, 20, 21, 22, 23, 24, 25, 26];
  const lv = (off: Code, dst: number): Code => [...get(x), ...get(p), ...add, ...off, ...add, ...load(), ...set(dst)];
  const zero: Code = i32(0);
  const right: Code = get(cb);
  const down: Code = get(rowB);
  const downRight: Code = [...get(rowB), ...get(cb), ...add];
  const sel = (a: number, bb: number, m: number): Code => [...get(a), ...get(bb), ...get(m), ...simd(0x52)]; // bitselect
  const st = (off: Code, mask: Code): Code => [...get(dx), ...get(p), ...add, ...off, ...add, ...get(gv), ...mask, ...v128and, ...store()];
  const not = simd(0x4d);
  const andnot = simd(0x4f);
  return {
    name: 'maxPool2x2Grad',
    params: 9,
    i32s: 9,
    v128s: 9,
    body: [
      ...get(c),
      ...i32(4),
      ...mul,
      ...set(cb),
      ...get(w),
      ...get(cb),
      ...mul,
      ...set(rowB),
      ...get(dy),
      ...set(pdy),
      ...loop(b, i32(0), get(n), i32(1), [
        ...loop(y, i32(0), get(oh), i32(1), [
          // p = byte offset of the window's top-left: ((b·h + 2y)·w)·4c
          ...get(b),
          ...get(h),
          ...mul,
          ...get(y),
          ...get(y),
          ...add,
          ...add,
          ...get(rowB),
          ...mul,
          ...set(g),
          ...loop(xo, i32(0), get(ow), i32(1), [
            ...loop(j, i32(0), get(cb), i32(16), [
              ...get(g),
              ...get(xo),
              ...get(cb),
              ...mul,
              ...get(xo),
              ...get(cb),
              ...mul,
              ...add,
              ...add,
              ...get(j),
              ...add,
              ...set(p),
              ...lv(zero, v0),
              ...lv(right, v1),
              ...lv(down, v2),
              ...lv(downRight, v3),
              // m1 = v1 > v0; best = max so far (first wins ties); m2 = v2 > best; m3 = v3 > best
              ...get(v1),
              ...get(v0),
              ...f32x4.gt,
              ...set(m1),
              ...sel(v1, v0, m1),
              ...set(best),
              ...get(v2),
              ...get(best),
              ...f32x4.gt,
              ...set(m2),
              ...sel(v2, best, m2),
              ...set(best),
              ...get(v3),
              ...get(best),
              ...f32x4.gt,
              ...set(m3),
              ...get(pdy),
              ...load(),
              ...set(gv),
              ...get(pdy),
              ...i32(16),
              ...add,
              ...set(pdy),
              // winner 3: m3; 2: m2 & ~m3; 1: m1 & ~m2 & ~m3; 0: ~(m1 | m2 | m3)
              ...st(downRight, get(m3)),
              ...st(down, [...get(m2), ...get(m3), ...andnot]),
              ...st(right, [...get(m1), ...get(m2), ...andnot, ...get(m3), ...andnot]),
              ...st(zero, [...get(m1), ...get(m2), ...simd(0x50), ...get(m3), ...simd(0x50), ...not]),
            ]),
          ]),
        ]),
      ]),
    ],
  };
}

export interface SimdKernels {
  colsum(x: number, rows: number, c: number, acc: number): void;
  moments(x: number, rows: number, c: number, k: number, s: number, q: number): void;
  bnAffine(x: number, mean: number, a: number, beta: number, r: number, y: number, rows: number, c: number): void;
  bnAffineRelu(x: number, mean: number, a: number, beta: number, r: number, y: number, rows: number, c: number): void;
  bnAffineR(x: number, mean: number, a: number, beta: number, r: number, y: number, rows: number, c: number): void;
  bnAffineRRelu(x: number, mean: number, a: number, beta: number, r: number, y: number, rows: number, c: number): void;
  [grad1: `bnGrad1${string}`]: (
    dy: number,
    x: number,
    out: number,
    mean: number,
    rstd: number,
    dr: number,
    rows: number,
    c: number,
    db: number,
    dg: number,
  ) => void;
  bnGrad2(dy: number, x: number, out: number, mean: number, kd: number, kx: number, k0: number, dx: number, rows: number, c: number): void;
  bnGrad2Relu(
    dy: number,
    x: number,
    out: number,
    mean: number,
    kd: number,
    kx: number,
    k0: number,
    dx: number,
    rows: number,
    c: number,
  ): void;
  maxPool2x2Grad(x: number, dy: number, dx: number, n: number, h: number, w: number, c: number, oh: number, ow: number): void;
}

/** The module's bytes (exported for the tests: WebAssembly.validate). */
export function simdModuleBytes(): Uint8Array {
  return assemble([
    colsum(),
    moments(),
    bnAffine(false, false),
    bnAffine(false, true),
    bnAffine(true, false),
    bnAffine(true, true),
    bnGrad1(false, false),
    bnGrad1(true, false),
    bnGrad1(false, true),
    bnGrad1(true, true),
    bnGrad2(false),
    bnGrad2(true),
    maxPool2x2Grad(),
  ]);
}

let compiled: object | null | undefined;
const instances = new WeakMap<object, SimdKernels>();

/**
 * The kernels on `memory` (a WebAssembly.Memory), or undefined where this engine has no
 * WebAssembly SIMD or MCR2_SIMD_KERNELS=0 turns them off (then the callers' JS loops run).
 */
export function simdKernels(memory: object | undefined): SimdKernels | undefined {
  if (memory === undefined || process.env.MCR2_SIMD_KERNELS === '0') return undefined;
  if (compiled === undefined) {
    const bytes = simdModuleBytes();
    compiled = WA.validate(bytes) ? new WA.Module(bytes) : null;
  }
  if (compiled === null) return undefined;
  let k = instances.get(memory);
  if (k === undefined) {
    k = new WA.Instance(compiled, { env: { memory } }).exports as unknown as SimdKernels;
    instances.set(memory, k);
  }
  return k;
}

/** The wasm backend's memory (tfjs-backend-wasm's Emscripten module exports it as asm.memory). */
export function wasmMemoryOf(backend: unknown): object | undefined {
  const m = (backend as { wasm?: { asm?: { memory?: unknown } } }).wasm?.asm?.memory;
  return m instanceof WA.Memory ? (m as object) : undefined;
}

/** Byte address of a wasm-backend tensor's data in the wasm memory. */
export function heapAddress(backend: unknown, t: { dataId: object }): number {
  const map = (backend as { dataIdMap: { get(id: object): { memoryOffset: number } } }).dataIdMap;
  return map.get(t.dataId).memoryOffset;
}

/**
 * filterGradK{K}(cols, dy, m, co, acc, chunk): acc[v][k][4] (f64) += Σ_p cols[p, k] · dy[p, 4v..4v+3]
 * for a pixel-major im2col matrix cols [m, K] and dy [m, co], co a multiple of 4: the filter
 * gradient of a layer with a small window K = kh·kw·ci. K accumulators live in registers; pixels
 * go in chunks (the chunk's dy rows stay in cache across the co/4 passes), each chunk's f32 sums
 * are added into the f64 acc.
 */
function filterGradSmallK(K: number): Fn {
  const [cols, dy, m, co, acc, chunk] = [0, 1, 2, 3, 4, 5];
  const [c0, cend, vb, cb, p, pc, pd, ob] = [6, 7, 8, 9, 10, 11, 12, 13];
  const a0 = 14; // K accumulators, then d
  const d = a0 + K;
  const f32load = (off: number): Code => [0x2a, 2, ...uleb(off)];
  const body: Code = [
    ...get(co),
    ...i32(4),
    ...mul,
    ...set(cb),
    ...loop(c0, i32(0), get(m), get(chunk), [
      // cend = min(c0 + chunk, m)
      ...get(m),
      ...get(c0),
      ...get(chunk),
      ...add,
      ...get(c0),
      ...get(chunk),
      ...add,
      ...get(m),
      0x4b, // i32.gt_u
      0x1b, // select
      ...set(cend),
      ...loop(vb, i32(0), get(cb), i32(16), [
        ...Array.from({ length: K }, (_, k) => [...f32zero, ...set(a0 + k)]).flat(),
        // pc = cols + c0·4K, pd = dy + c0·cb + vb
        ...get(cols),
        ...get(c0),
        ...i32(4 * K),
        ...mul,
        ...add,
        ...set(pc),
        ...get(dy),
        ...get(c0),
        ...get(cb),
        ...mul,
        ...add,
        ...get(vb),
        ...add,
        ...set(pd),
        ...loop(p, get(c0), get(cend), i32(1), [
          ...get(pd),
          ...load(),
          ...set(d),
          ...Array.from({ length: K }, (_, k) => [
            ...get(a0 + k),
            ...get(pc),
            ...f32load(4 * k),
            ...f32x4.splat,
            ...get(d),
            ...f32x4.mul,
            ...f32x4.add,
            ...set(a0 + k),
          ]).flat(),
          ...get(pc),
          ...i32(4 * K),
          ...add,
          ...set(pc),
          ...get(pd),
          ...get(cb),
          ...add,
          ...set(pd),
        ]),
        // acc block of this vb: acc + (vb/16)·K·32 bytes = acc + vb·2K
        ...get(acc),
        ...get(vb),
        ...i32(2 * K),
        ...mul,
        ...add,
        ...set(ob),
        ...Array.from({ length: K }, (_, k) => accumulate64([...get(ob), ...i32(32 * k), ...add], a0 + k)).flat(),
      ]),
    ]),
  ];
  return { name: 'filterGrad', params: 6, i32s: 8, v128s: K + 1, body };
}

export type FilterGradSmallK = (cols: number, dy: number, m: number, co: number, acc: number, chunk: number) => void;

/** Largest window (kh·kw·ci) of filterGradSmallK: its accumulators must fit in registers. */
export const FILTER_GRAD_MAX_K = 12;

const filterGradModules = new Map<number, object>();
const filterGradInstances = new WeakMap<object, Map<number, FilterGradSmallK>>();

/** The small-window filter-gradient kernel for K = kh·kw·ci on `memory` (or undefined: no SIMD). */
export function filterGradKernel(memory: object | undefined, K: number): FilterGradSmallK | undefined {
  if (K < 1 || K > FILTER_GRAD_MAX_K || simdKernels(memory) === undefined) return undefined;
  let mod = filterGradModules.get(K);
  if (mod === undefined) {
    mod = new WA.Module(assemble([filterGradSmallK(K)]));
    filterGradModules.set(K, mod);
  }
  let byK = filterGradInstances.get(memory!);
  if (byK === undefined) {
    byK = new Map();
    filterGradInstances.set(memory!, byK);
  }
  let f = byK.get(K);
  if (f === undefined) {
    f = (new WA.Instance(mod, { env: { memory } }).exports as { filterGrad: FilterGradSmallK }).filterGrad;
    byK.set(K, f);
  }
  return f;
}

/** The module bytes for window size K (for the tests: WebAssembly.validate). */
export function filterGradModuleBytes(K: number): Uint8Array {
  return assemble([filterGradSmallK(K)]);
}
