// Dot products of every row with a few centres (k-means++ candidates, Lloyd's centres) in float64
// as WebAssembly SIMD: one pass over the rows serves up to 8 centres, two rows' coordinates in
// each f64x2 product. k-means spends most of its time here (37 passes over 50,000 x 128 for the
// k-means++ seeds of one restart at k = 10, n x k products in Lloyd's first assignment); the JS
// loops ran at ~0.6 G multiply-adds/s, these at ~2-3.
//
// The sums are float64 in another order than the JS loops' (two lanes of pairs, then the lanes),
// so a product may differ in its last bits; the distances rounded to float32 for k-means++ (as
// scikit-learn's float32 distances) are then the same but for a rare last-bit tie.
import { add, bump, type Code, f64, f64load, f64store, f64x2, type Fn, get, i32, instantiate, load, loop, mul } from './wasm_asm.js';
import { readAt, set, simdAvailable, v128zero, type WasmMemory } from './wasm_asm.js';

/** Centres per pass (accumulators in registers). */
const MAX_CENTRES = 8;

/**
 * dots{nc}(x, n, dim, c, out): out[i·nc + t] = x_i · c_t for rows i < n of x (n x dim doubles)
 * and centres t < nc (nc x dim doubles at c).
 */
function dotsKernel(nc: number): Fn {
  const [x, n, dim, c, out] = [0, 1, 2, 3, 4];
  const [i, jb, px, pairsEnd, rowB, po] = [5, 6, 7, 8, 9, 10];
  const acc0 = 11; // nc accumulators, then the row's pair
  const xv = acc0 + nc;
  const cAt = (t: number): Code => [...get(c), ...get(dim), ...i32(8 * t), ...mul, ...add, ...get(jb), ...add];
  const body: Code = [
    ...[...get(dim), ...i32(8), ...mul, ...set(rowB)],
    // Byte length of the even part of a row.
    ...[...get(dim), ...i32(-2), 0x71 /* i32.and */, ...i32(8), ...mul, ...set(pairsEnd)],
    ...[...get(x), ...set(px), ...get(out), ...set(po)],
    ...loop(i, i32(0), get(n), i32(1), [
      ...Array.from({ length: nc }, (_, t) => [...v128zero, ...set(acc0 + t)]).flat(),
      ...loop(jb, i32(0), get(pairsEnd), i32(16), [
        ...[...readAt(px, jb, load(0)), ...set(xv)],
        ...Array.from({ length: nc }, (_, t) => [
          ...get(acc0 + t),
          ...get(xv),
          ...cAt(t),
          ...load(0),
          ...f64x2.mul,
          ...f64x2.add,
          ...set(acc0 + t),
        ]).flat(),
      ]),
      // The two lanes' sums, then (odd dim) the last coordinate's product.
      ...Array.from({ length: nc }, (_, t) => [
        ...get(po),
        ...get(acc0 + t),
        ...f64x2.lane(0),
        ...get(acc0 + t),
        ...f64x2.lane(1),
        ...f64.add,
        ...f64store(8 * t),
      ]).flat(),
      ...[...get(pairsEnd), ...get(rowB), 0x49 /* i32.lt_u: an odd coordinate left */, 0x04, 0x40 /* if */],
      ...Array.from({ length: nc }, (_, t) => [
        ...[...get(po), ...get(po), ...f64load(8 * t), ...readAt(px, pairsEnd, f64load(0))],
        ...[...get(c), ...get(dim), ...i32(8 * t), ...mul, ...add, ...get(pairsEnd), ...add, ...f64load(0)],
        ...[...f64.mul, ...f64.add, ...f64store(8 * t)],
      ]).flat(),
      0x0b, // end if
      ...[...bump(px, get(rowB)), ...bump(po, i32(8 * nc))],
    ]),
  ];
  return { name: `dots${nc}`, params: 5, i32s: 6, v128s: nc + 1, body };
}

/** The module's functions (for the tests: WebAssembly.validate). */
export function dotsModuleFns(): Fn[] {
  return Array.from({ length: MAX_CENTRES }, (_, t) => dotsKernel(t + 1));
}

type DotsFn = (x: number, n: number, dim: number, c: number, out: number) => void;

/** The rows of one k-means problem in a kernel memory, and their products with given centres. */
export class RowDots {
  private readonly fns: DotsFn[];
  private readonly memory: WasmMemory;
  private readonly cAt: number;
  private readonly outAt: number;

  private constructor(
    x: Float64Array,
    private readonly n: number,
    private readonly dim: number,
  ) {
    const xBytes = x.length * 8;
    this.cAt = xBytes;
    this.outAt = xBytes + MAX_CENTRES * dim * 8;
    const { exports, memory } = instantiate<Record<string, DotsFn>>(dotsModuleFns(), this.outAt + n * MAX_CENTRES * 8);
    this.fns = Array.from({ length: MAX_CENTRES }, (_, t) => exports[`dots${t + 1}`]);
    this.memory = memory;
    new Float64Array(memory.buffer, 0, x.length).set(x);
  }

  /** The kernels on a copy of x (n x dim), or undefined without WebAssembly SIMD (MCR2_SIMD_KERNELS=0). */
  static create(x: Float64Array, n: number, dim: number): RowDots | undefined {
    return simdAvailable() ? new RowDots(x, n, dim) : undefined;
  }

  /**
   * out[t][i] = x_i · (row t of `centres`, rows[t] of it) for t < rows.length (any count: passes
   * of up to 8). `centres` holds rows of dim doubles.
   */
  dots(centres: Float64Array, rows: ArrayLike<number>, out: Array<Float64Array>): void {
    const { n, dim } = this;
    for (let t0 = 0; t0 < rows.length; t0 += MAX_CENTRES) {
      const nc = Math.min(MAX_CENTRES, rows.length - t0);
      const c = new Float64Array(this.memory.buffer, this.cAt, nc * dim);
      for (let t = 0; t < nc; t++) c.set(centres.subarray(rows[t0 + t] * dim, (rows[t0 + t] + 1) * dim), t * dim);
      this.fns[nc - 1](0, n, dim, this.cAt, this.outAt);
      const o = new Float64Array(this.memory.buffer, this.outAt, n * nc);
      for (let t = 0; t < nc; t++) {
        const dst = out[t0 + t];
        for (let i = 0; i < n; i++) dst[i] = o[i * nc + t];
      }
    }
  }
}
