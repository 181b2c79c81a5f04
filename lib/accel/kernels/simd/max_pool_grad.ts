// maxPool2x2Grad(x, dy, dx, n, h, w, c, oh, ow): the gradient of a 2x2 max-pool of stride 2 without
// padding; each window's gradient goes to its first maximum, the other three entries get 0. Rows
// and columns past 2·oh, 2·ow are left alone (the caller zeroes them).
import { add, type Code, f32x4, get, i32, load, loop, mul, set, simd, store, v128and } from '../../wasm_asm.js';
import { advance, type SimdKernelConfig } from './kernel.js';

const bitselect = simd(0x52);
const not = simd(0x4d);
const andnot = simd(0x4f);
const or = simd(0x50);

export const maxPool2x2GradConfig: SimdKernelConfig = {
  kernelName: 'maxPool2x2Grad',
  params: ['x', 'dy', 'dx', 'n', 'h', 'w', 'c', 'oh', 'ow'],
  i32s: ['b', 'y', 'xo', 'j', 'cb', 'rowB', 'p', 'g', 'pdy'],
  v128s: ['v0', 'v1', 'v2', 'v3', 'best', 'm1', 'm2', 'm3', 'gv'],
  body: (v) => {
    // The window's four entries: top-left, right, down, down-right (byte offsets from p).
    const zero: Code = i32(0);
    const right: Code = get(v.cb);
    const down: Code = get(v.rowB);
    const downRight: Code = [...get(v.rowB), ...get(v.cb), ...add];
    const lv = (off: Code, dst: number): Code => [...get(v.x), ...get(v.p), ...add, ...off, ...add, ...load(), ...set(dst)];
    const sel = (a: number, b: number, m: number): Code => [...get(a), ...get(b), ...get(m), ...bitselect];
    /** mask = a > b, lane by lane. */
    const beats = (a: number, b: number, mask: number): Code => [...get(a), ...get(b), ...f32x4.gt, ...set(mask)];
    const st = (off: Code, mask: Code): Code => [
      ...get(v.dx),
      ...get(v.p),
      ...add,
      ...off,
      ...add,
      ...get(v.gv),
      ...mask,
      ...v128and,
      ...store(),
    ];
    return [
      ...[...get(v.c), ...i32(4), ...mul],
      ...set(v.cb),
      ...[...get(v.w), ...get(v.cb), ...mul],
      ...set(v.rowB),
      ...get(v.dy),
      ...set(v.pdy),
      ...loop(v.b, i32(0), get(v.n), i32(1), [
        ...loop(v.y, i32(0), get(v.oh), i32(1), [
          // g = byte offset of the window row's start: ((b·h + 2y)·w)·4c
          ...[...get(v.b), ...get(v.h), ...mul, ...get(v.y), ...get(v.y), ...add, ...add],
          ...get(v.rowB),
          ...mul,
          ...set(v.g),
          ...loop(v.xo, i32(0), get(v.ow), i32(1), [
            ...loop(v.j, i32(0), get(v.cb), i32(16), [
              // p = g + 2·xo·4c + j
              ...[...get(v.g), ...get(v.xo), ...get(v.cb), ...mul, ...get(v.xo), ...get(v.cb), ...mul, ...add, ...add],
              ...get(v.j),
              ...add,
              ...set(v.p),
              ...lv(zero, v.v0),
              ...lv(right, v.v1),
              ...lv(down, v.v2),
              ...lv(downRight, v.v3),
              // m1 = v1 > v0; best = max so far (first wins ties); m2 = v2 > best; m3 = v3 > best
              ...beats(v.v1, v.v0, v.m1),
              ...sel(v.v1, v.v0, v.m1),
              ...set(v.best),
              ...beats(v.v2, v.best, v.m2),
              ...sel(v.v2, v.best, v.m2),
              ...set(v.best),
              ...beats(v.v3, v.best, v.m3),
              ...[...get(v.pdy), ...load()],
              ...set(v.gv),
              ...advance(v.pdy, i32(16)),
              // winner 3: m3; 2: m2 & ~m3; 1: m1 & ~m2 & ~m3; 0: ~(m1 | m2 | m3)
              ...st(downRight, get(v.m3)),
              ...st(down, [...get(v.m2), ...get(v.m3), ...andnot]),
              ...st(right, [...get(v.m1), ...get(v.m2), ...andnot, ...get(v.m3), ...andnot]),
              ...st(zero, [...get(v.m1), ...get(v.m2), ...or, ...get(v.m3), ...or, ...not]),
            ]),
          ]),
        ]),
      ]),
    ];
  },
};
