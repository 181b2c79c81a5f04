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
// One kernel a file under simd/, each a declarative config (simd/kernel.ts); this file lists them,
// assembles them (wasm_asm.ts) and instantiates them on a memory.
import { bnAffineConfig } from './simd/bn_affine.js';
import { bnGrad1Config } from './simd/bn_grad1.js';
import { bnGrad2Config } from './simd/bn_grad2.js';
import { colsumConfig } from './simd/colsum.js';
import { FILTER_GRAD_MAX_K, filterGradConfig } from './simd/filter_grad.js';
import { type SimdKernelConfig, toFn } from './simd/kernel.js';
import { maxPool2x2GradConfig } from './simd/max_pool_grad.js';
import { momentsConfig } from './simd/moments.js';
import { assemble, WA } from '../wasm_asm.js';

export { FILTER_GRAD_MAX_K };

/** The kernels of the one module, in its export order. */
export const SIMD_KERNELS: readonly SimdKernelConfig[] = [
  colsumConfig,
  momentsConfig,
  bnAffineConfig(false, false),
  bnAffineConfig(false, true),
  bnAffineConfig(true, false),
  bnAffineConfig(true, true),
  bnGrad1Config(false, false),
  bnGrad1Config(true, false),
  bnGrad1Config(false, true),
  bnGrad1Config(true, true),
  bnGrad2Config(false),
  bnGrad2Config(true),
  maxPool2x2GradConfig,
];

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
  return assemble(SIMD_KERNELS.map(toFn));
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

export type FilterGradSmallK = (cols: number, dy: number, m: number, co: number, acc: number, chunk: number) => void;

const filterGradModules = new Map<number, object>();
const filterGradInstances = new WeakMap<object, Map<number, FilterGradSmallK>>();

/** The small-window filter-gradient kernel for K = kh·kw·ci on `memory` (or undefined: no SIMD). */
export function filterGradKernel(memory: object | undefined, K: number): FilterGradSmallK | undefined {
  if (K < 1 || K > FILTER_GRAD_MAX_K || simdKernels(memory) === undefined) return undefined;
  let mod = filterGradModules.get(K);
  if (mod === undefined) {
    mod = new WA.Module(filterGradModuleBytes(K));
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
  return assemble([toFn(filterGradConfig(K))]);
}
