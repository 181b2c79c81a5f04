// filterGrad (one module per window size K = kh·kw·ci ≤ 12): acc[v][k][4] (f64) += Σ_p cols[p, k] ·
// dy[p, 4v..4v+3] for a pixel-major im2col matrix cols [m, K] and dy [m, co], co a multiple of 4:
// the filter gradient of a layer with a small window (a network's first layers). The K accumulators
// live in registers; pixels go in chunks (the chunk's dy rows stay in cache across the co/4 passes),
// each chunk's f32 sums added into the f64 acc.
import { add, type Code, f32load, f32x4, get, gtU, i32, load, loop, mul, select, set } from '../../wasm_asm.js';
import { accumulate64, advance, f32zero, plusProduct, type SimdKernelConfig } from './kernel.js';

/** Largest window (kh·kw·ci): its accumulators must fit in registers. */
export const FILTER_GRAD_MAX_K = 12;

export function filterGradConfig(K: number): SimdKernelConfig {
  const a = Array.from({ length: K }, (_, k) => `a${k}`);
  return {
    kernelName: 'filterGrad',
    params: ['cols', 'dy', 'm', 'co', 'acc', 'chunk'],
    i32s: ['c0', 'cend', 'vb', 'cb', 'p', 'pc', 'pd', 'ob'],
    v128s: [...a, 'd'],
    body: (v) => {
      const each = (f: (k: number) => Code): Code => a.flatMap((_, k) => f(k));
      return [
        ...get(v.co),
        ...i32(4),
        ...mul,
        ...set(v.cb),
        ...loop(v.c0, i32(0), get(v.m), get(v.chunk), [
          // cend = min(c0 + chunk, m)
          ...get(v.m),
          ...[...get(v.c0), ...get(v.chunk), ...add],
          ...[...get(v.c0), ...get(v.chunk), ...add, ...get(v.m), ...gtU],
          ...select,
          ...set(v.cend),
          ...loop(v.vb, i32(0), get(v.cb), i32(16), [
            ...each((k) => [...f32zero, ...set(v[a[k]])]),
            // pc = cols + c0·4K, pd = dy + c0·cb + vb
            ...plusProduct(get(v.cols), get(v.c0), i32(4 * K)),
            ...set(v.pc),
            ...plusProduct(get(v.dy), get(v.c0), get(v.cb)),
            ...get(v.vb),
            ...add,
            ...set(v.pd),
            ...loop(v.p, get(v.c0), get(v.cend), i32(1), [
              ...get(v.pd),
              ...load(),
              ...set(v.d),
              ...each((k) => [
                ...get(v[a[k]]),
                ...get(v.pc),
                ...f32load(4 * k),
                ...f32x4.splat,
                ...get(v.d),
                ...f32x4.mul,
                ...f32x4.add,
                ...set(v[a[k]]),
              ]),
              ...advance(v.pc, i32(4 * K)),
              ...advance(v.pd, get(v.cb)),
            ]),
            // the acc block of this vb: acc + (vb/16)·K·32 bytes = acc + vb·2K
            ...plusProduct(get(v.acc), get(v.vb), i32(2 * K)),
            ...set(v.ob),
            ...each((k) => accumulate64([...get(v.ob), ...i32(32 * k), ...add], v[a[k]])),
          ]),
        ]),
      ];
    },
  };
}
