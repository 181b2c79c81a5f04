// Dense kernels (the MCR² loss, nearest subspace) as WebAssembly SIMD on a memory of their own: float32 products
// in 4 x 8 register tiles (C (+)= A·B, or AᵀB for Gram matrices, of which only the blocks on and
// above the diagonal are computed), and the float64 Cholesky factorisation and inverse of
// linalg.ts with f64x2 inner products.
//
// Why: at batch 1000, p = 128, k = 10 the loss is ~50M multiply-adds in products and 11 p x p
// (or n_j x n_j) factorisations. Through tfjs ops each product pays an op's overhead, a Gram
// matrix costs a full GEMM, and the JS factorisations (one add chain per dot product) ran at
// ~1 GFLOP/s; here the Gram matrices cost half, and the factorisations ~2.5x less.
// Arithmetic is the same as linalg.ts up to the order of the sums (four partial sums per dot).
import { add, andI32, bump, cellAt, type Code, elementAt, f32x4, f32load, f32store, f64, f64load, f64store, f64x2 } from './wasm_asm.js';
import { type Fn, get, i32, i32load, instantiate, load, load32Splat, loop, mul, readAt, ret, set, setSum } from './wasm_asm.js';
import { simdAvailable, store, sub, v128zero, type WasmMemory, when } from './wasm_asm.js';

/** Rows and columns of a product tile: N (columns) must be a multiple of this. */
export const TILE_ROWS = 4;
export const TILE_COLS = 8;

/**
 * gemm(a, lda, b, ldb, c, ldc, kk, n, acc): C[0..4, 0..n) (+)= A[0..4, 0..kk)·B[0..kk, 0..n) in
 * float32, strides in bytes, n a multiple of 8, acc ≠ 0: add to C. transA: A's element (r, k)
 * at a + k·lda + 4r (so A is stored transposed: a Gram matrix XᵀX has a = b = X).
 */
function gemmKernel(transA: boolean): Fn {
  const [a, lda, b, ldb, c, ldc, kk, n, acc] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [cb, k, pa, pb, pr1, pr2, pr3, pc] = [9, 10, 11, 12, 13, 14, 15, 16];
  const v0 = 17; // 8 accumulators, b0, b1, s
  const [b0, b1, sv] = [v0 + 8, v0 + 9, v0 + 10];
  const rowPtr = [pa, pr1, pr2, pr3];
  const [lo, hi] = [(r: number) => v0 + 2 * r, (r: number) => v0 + 2 * r + 1]; // row r's two accumulators
  const splatA = (r: number): Code => (transA ? [...get(pa), ...load32Splat(4 * r)] : [...get(rowPtr[r]), ...load32Splat(0)]);
  const kStep: Code = [
    ...[...get(pb), ...load(0), ...set(b0), ...get(pb), ...load(16), ...set(b1)],
    ...Array.from({ length: 4 }, (_, r) => [
      ...[...splatA(r), ...set(sv)],
      ...[...get(lo(r)), ...get(sv), ...get(b0), ...f32x4.mul, ...f32x4.add, ...set(lo(r))],
      ...[...get(hi(r)), ...get(sv), ...get(b1), ...f32x4.mul, ...f32x4.add, ...set(hi(r))],
    ]).flat(),
    ...bump(pb, get(ldb)),
    ...(transA ? bump(pa, get(lda)) : rowPtr.flatMap((p) => bump(p, i32(4)))),
  ];
  const storeRow = (r: number): Code => [
    ...[...get(c), ...get(ldc), ...i32(r), ...mul, ...add, ...get(cb), ...add, ...set(pc)], // pc = c + r·ldc + cb
    ...when(get(acc), [
      ...[...get(lo(r)), ...get(pc), ...load(0), ...f32x4.add, ...set(lo(r))],
      ...[...get(hi(r)), ...get(pc), ...load(16), ...f32x4.add, ...set(hi(r))],
    ]),
    ...[...get(pc), ...get(lo(r)), ...store(0), ...get(pc), ...get(hi(r)), ...store(16)],
  ];
  const body: Code = [
    ...loop(cb, i32(0), [...get(n), ...i32(4), ...mul], i32(32), [
      ...Array.from({ length: 8 }, (_, i) => [...v128zero, ...set(v0 + i)]).flat(),
      ...get(a),
      ...set(pa),
      ...(transA ? [] : [1, 2, 3].flatMap((r) => [...get(a), ...get(lda), ...i32(r), ...mul, ...add, ...set(rowPtr[r])])),
      ...setSum(pb, b, cb),
      ...loop(k, i32(0), get(kk), i32(1), kStep),
      ...[0, 1, 2, 3].flatMap(storeRow),
    ]),
  ];
  return { name: transA ? 'gemmTN' : 'gemmNN', params: 9, i32s: 8, v128s: 11, body };
}

/**
 * Code leaving on the stack the float64 dot product of n doubles at byte addresses pa, pb
 * (locals), with locals kb (i32), s (f64) and two v128 accumulators u, w.
 */
function dotCode(pa: number, pb: number, n: number, kb: number, s: number, u: number, w: number): Code {
  const at = (p: number, off: number): Code => readAt(p, kb, load(off));
  return [
    ...[...v128zero, ...set(u), ...v128zero, ...set(w), ...f64.const(0), ...set(s)],
    // Four doubles a step (two f64x2 sums), then one at a time.
    ...loop(kb, i32(0), [...get(n), ...i32(-4), ...andI32, ...i32(8), ...mul], i32(32), [
      ...[...get(u), ...at(pa, 0), ...at(pb, 0), ...f64x2.mul, ...f64x2.add, ...set(u)],
      ...[...get(w), ...at(pa, 16), ...at(pb, 16), ...f64x2.mul, ...f64x2.add, ...set(w)],
    ]),
    ...loop(kb, [...get(n), ...i32(-4), ...andI32, ...i32(8), ...mul], [...get(n), ...i32(8), ...mul], i32(8), [
      ...[...get(s), ...readAt(pa, kb, f64load(0)), ...readAt(pb, kb, f64load(0))],
      ...[...f64.mul, ...f64.add, ...set(s)],
    ]),
    ...[...get(u), ...get(w), ...f64x2.add, ...set(u)],
    ...[...get(u), ...f64x2.lane(0), ...get(u), ...f64x2.lane(1), ...f64.add, ...get(s), ...f64.add],
  ];
}

/**
 * chol(a, l, p) → 0, or j + 1 when pivot j is not positive: L (lower triangle of row-major p x p
 * doubles at l) with A = LLᵀ, row by row as linalg.ts cholesky: l[i][j] = (a[i][j] − l_i·l_j)/l_jj.
 */
function cholKernel(): Fn {
  const [a, l, p] = [0, 1, 2];
  const [rb, j, i, rj, ri, kb] = [3, 4, 5, 6, 7, 8];
  const [u, w] = [9, 10];
  const [s, d, inv] = [11, 12, 13];
  const el = (base: number, row: number, col: number): Code => cellAt(base, row, rb, col, 8);
  const body: Code = [
    ...[...get(p), ...i32(8), ...mul, ...set(rb)],
    ...loop(j, i32(0), get(p), i32(1), [
      ...[...get(l), ...get(j), ...get(rb), ...mul, ...add, ...set(rj)], // rj: row j of l
      ...[...el(a, j, j), ...f64load(0), ...dotCode(rj, rj, j, kb, s, u, w), ...f64.sub, ...set(d)], // d = a[j][j] − l_j·l_j
      ...when([...get(d), ...f64.const(0), ...f64.gt, 0x45 /* eqz: !(d > 0) */], [...get(j), ...i32(1), ...add, ...ret]),
      ...[...el(l, j, j), ...get(d), ...f64.sqrt, ...f64store(0), ...f64.const(1), ...get(d), ...f64.sqrt, ...f64.div, ...set(inv)],
      ...loop(i, [...get(j), ...i32(1), ...add], get(p), i32(1), [
        ...[...get(l), ...get(i), ...get(rb), ...mul, ...add, ...set(ri)], // ri: row i of l
        // l[i][j] = (a[i][j] − l_i·l_j) / l[j][j]
        ...[
          ...el(l, i, j),
          ...el(a, i, j),
          ...f64load(0),
          ...dotCode(ri, rj, j, kb, s, u, w),
          ...f64.sub,
          ...get(inv),
          ...f64.mul,
          ...f64store(0),
        ],
      ]),
    ]),
    ...i32(0),
  ];
  return { name: 'chol', params: 3, i32s: 6, v128s: 2, f64s: 3, result: true, body };
}

/**
 * inv(l, mt, out, p, ldo, scale): out = c·A⁻¹ = c·L⁻ᵀL⁻¹ as float32 (full p x p, row stride ldo
 * floats), c the double at `scale`, from the factor at l (linalg.ts inverseFromCholesky); mt
 * (p x p doubles of scratch) holds L⁻¹ transposed.
 */
function invKernel(): Fn {
  const [l, mt, out, p, ldo, scale] = [0, 1, 2, 3, 4, 5];
  const [rb, j, i, pa, pb, kb, len] = [6, 7, 8, 9, 10, 11, 12];
  const [u, w] = [13, 14];
  const [s, c] = [15, 16];
  const el = (base: number, row: number, col: number): Code => cellAt(base, row, rb, col, 8);
  const outAt = (row: number, col: number): Code => elementAt(out, row, ldo, col, 4);
  const demote = [0xb6]; // f32.demote_f64
  const body: Code = [
    ...[...get(p), ...i32(8), ...mul, ...set(rb), ...get(scale), ...f64load(0), ...set(c)],
    // mt[j][i] = −(Σ_{j≤k<i} l[i][k]·mt[j][k]) / l[i][i]
    ...loop(j, i32(0), get(p), i32(1), [
      ...[...el(mt, j, j), ...f64.const(1), ...el(l, j, j), ...f64load(0), ...f64.div, ...f64store(0)],
      ...loop(i, [...get(j), ...i32(1), ...add], get(p), i32(1), [
        ...[...el(l, i, j), ...set(pa), ...el(mt, j, j), ...set(pb), ...get(i), ...get(j), ...sub, ...set(len)],
        ...[...el(mt, j, i), ...f64.const(0), ...dotCode(pa, pb, len, kb, s, u, w), ...f64.sub],
        ...[...el(l, i, i), ...f64load(0), ...f64.div, ...f64store(0)],
      ]),
    ]),
    // out[i][j] = out[j][i] = c·Σ_{k≥i} mt[i][k]·mt[j][k], j ≤ i
    ...loop(i, i32(0), get(p), i32(1), [
      ...loop(j, i32(0), [...get(i), ...i32(1), ...add], i32(1), [
        ...[...el(mt, i, i), ...set(pa), ...el(mt, j, i), ...set(pb), ...get(p), ...get(i), ...sub, ...set(len)],
        ...[...dotCode(pa, pb, len, kb, s, u, w), ...get(c), ...f64.mul, ...set(s)],
        ...[...outAt(i, j), ...get(s), ...demote, ...f32store(0), ...outAt(j, i), ...get(s), ...demote, ...f32store(0)],
      ]),
    ]),
  ];
  return { name: 'inv', params: 6, i32s: 7, v128s: 2, f64s: 2, body };
}

/**
 * transpose(src, lds, rows, cols, dst, ldd): dst[c][r] = src[r][c] (float32, strides in floats):
 * the scalar loop, without the JS typed arrays' per-access checks.
 */
function transposeKernel(): Fn {
  const [src, lds, rows, cols, dst, ldd] = [0, 1, 2, 3, 4, 5];
  const [r, c] = [6, 7];
  const body: Code = loop(r, i32(0), get(rows), i32(1), [
    ...loop(c, i32(0), get(cols), i32(1), [
      ...elementAt(dst, c, ldd, r, 4),
      ...elementAt(src, r, lds, c, 4),
      ...f32load(0),
      ...f32store(0),
    ]),
  ]);
  return { name: 'transpose', params: 6, i32s: 2, v128s: 0, body };
}

/**
 * addRows(a, b, lda, perm, out, ldo, rows, n): out row perm[r] = a row r + b row r (float32,
 * n a multiple of 4 columns, strides in floats, perm: rows i32).
 */
function addRowsKernel(): Fn {
  const [a, b, lda, perm, out, ldo, rows, n] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [r, cb, pa, pb, po] = [8, 9, 10, 11, 12];
  const body: Code = loop(r, i32(0), get(rows), i32(1), [
    ...[...get(r), ...get(lda), ...mul, ...i32(4), ...mul, ...set(cb), ...setSum(pa, a, cb), ...setSum(pb, b, cb)],
    // po = out + perm[r]·ldo·4
    ...[
      ...get(out),
      ...get(perm),
      ...get(r),
      ...i32(4),
      ...mul,
      ...add,
      ...i32load(0),
      ...get(ldo),
      ...mul,
      ...i32(4),
      ...mul,
      ...add,
      ...set(po),
    ],
    ...loop(cb, i32(0), [...get(n), ...i32(4), ...mul], i32(16), [
      ...[...get(po), ...get(cb), ...add, ...readAt(pa, cb, load(0)), ...readAt(pb, cb, load(0)), ...f32x4.add, ...store(0)],
    ]),
  ]);
  return { name: 'addRows', params: 8, i32s: 5, v128s: 0, body };
}

interface Exports {
  gemmNN(a: number, lda: number, b: number, ldb: number, c: number, ldc: number, kk: number, n: number, acc: number): void;
  gemmTN(a: number, lda: number, b: number, ldb: number, c: number, ldc: number, kk: number, n: number, acc: number): void;
  chol(a: number, l: number, p: number): number;
  inv(l: number, mt: number, out: number, p: number, ldo: number, scale: number): void;
  transpose(src: number, lds: number, rows: number, cols: number, dst: number, ldd: number): void;
  addRows(a: number, b: number, lda: number, perm: number, out: number, ldo: number, rows: number, n: number): void;
}

/** The module's functions (for the tests: WebAssembly.validate). */
export function denseModuleFns(): Fn[] {
  return [gemmKernel(false), gemmKernel(true), cholKernel(), invKernel(), transposeKernel(), addRowsKernel()];
}

/**
 * The kernels on a growable memory, with a bump allocator: `reset()`, then `alloc(bytes)` byte
 * addresses (16-aligned). Growing the memory detaches the views taken before: `reserve` first.
 */
export class DenseKernels {
  private readonly k: Exports;
  private readonly memory: WasmMemory;
  private top = 0;
  /** Counts the resets: what was allocated before the last one may have been overwritten. */
  generation = 0;

  private constructor() {
    const { exports, memory } = instantiate<Exports>(denseModuleFns(), 1 << 20);
    this.k = exports;
    this.memory = memory;
  }

  private static one: DenseKernels | undefined;

  /** This thread's kernels, or undefined where WebAssembly SIMD does not run (or MCR2_SIMD_KERNELS=0). */
  static get(): DenseKernels | undefined {
    if (!simdAvailable()) return undefined;
    DenseKernels.one ??= new DenseKernels();
    return DenseKernels.one;
  }

  reset(): void {
    this.top = 0;
    this.generation++;
  }

  /** Makes room for `bytes` more from the current top, so that views taken now stay attached. */
  reserve(bytes: number): void {
    const need = this.top + bytes - this.memory.buffer.byteLength;
    if (need > 0) this.memory.grow(Math.ceil(need / 65536));
  }

  alloc(bytes: number): number {
    const at = this.top;
    this.top = Math.ceil((at + bytes) / 16) * 16;
    const need = this.top - this.memory.buffer.byteLength;
    if (need > 0) this.memory.grow(Math.ceil(need / 65536));
    return at;
  }

  f32(at: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, at, length);
  }

  i32(at: number, length: number): Int32Array {
    return new Int32Array(this.memory.buffer, at, length);
  }

  f64(at: number, length: number): Float64Array {
    return new Float64Array(this.memory.buffer, at, length);
  }

  /**
   * C (+)= A·B in float32: A m x kk (row stride lda floats; m rows, a multiple of 4 readable),
   * B kk x n (stride ldb), C m x n (stride ldc), n a multiple of 8.
   */
  gemm(
    a: number,
    lda: number,
    b: number,
    ldb: number,
    c: number,
    ldc: number,
    m: number,
    kk: number,
    n: number,
    accumulate: boolean,
  ): void {
    for (let r = 0; r < m; r += TILE_ROWS)
      this.k.gemmNN(a + r * lda * 4, lda * 4, b, ldb * 4, c + r * ldc * 4, ldc * 4, kk, n, accumulate ? 1 : 0);
  }

  /**
   * G = XᵀX for X rows x q (stride ldx floats, q a multiple of 8) into G (q x q, stride q): the
   * 4-row blocks from the diagonal's 8-column block on, so G[i][j] is set for j ≥ i (and a few below).
   */
  gram(x: number, ldx: number, rows: number, q: number, g: number): void {
    for (let r = 0; r < q; r += TILE_ROWS) {
      const c0 = Math.floor(r / TILE_COLS) * TILE_COLS;
      this.k.gemmTN(x + r * 4, ldx * 4, x + c0 * 4, ldx * 4, g + (r * q + c0) * 4, q * 4, rows, q - c0, 0);
    }
  }

  /** Cholesky factor of the p x p doubles at a into l: 0, or pivot + 1 where A is not positive definite. */
  cholesky(a: number, l: number, p: number): number {
    return this.k.chol(a, l, p);
  }

  /**
   * c·A⁻¹ as float32 (p x p, row stride ldo floats) into out from A's factor at l; mt: p x p
   * doubles of scratch, where c is kept too.
   */
  inverse(l: number, mt: number, out: number, p: number, ldo: number, c: number): void {
    this.f64(mt, 1)[0] = c; // read before mt is written
    this.k.inv(l, mt, out, p, ldo, mt);
  }

  /**
   * Room for C = A·B, A `rows` x k and B k x `cols` (strides k and cols padded to 8; rows a multiple
   * of 4): the memory reset, B copied in (zero padded); A and C's addresses and the strides.
   */
  productSpace(
    rows: number,
    k: number,
    b: Float32Array,
    cols: number,
  ): { aAt: number; bAt: number; cAt: number; lda: number; ldc: number } {
    const lda = Math.ceil(k / 8) * 8;
    const ldc = Math.ceil(cols / 8) * 8;
    this.reset();
    this.reserve((rows * lda + lda * ldc + rows * ldc) * 4 + 64);
    const [aAt, bAt, cAt] = [this.alloc(rows * lda * 4), this.alloc(lda * ldc * 4), this.alloc(rows * ldc * 4)];
    const bv = this.f32(bAt, lda * ldc);
    bv.fill(0);
    for (let i = 0; i < k; i++) bv.set(b.subarray(i * cols, (i + 1) * cols), i * ldc);
    return { aAt, bAt, cAt, lda, ldc };
  }

  /** Rows [from, from + m) of x (rows of k floats) into A at aAt (stride lda, `cap` rows, zero padded). */
  putRows(aAt: number, lda: number, cap: number, x: Float32Array, from: number, m: number, k: number): void {
    const a = this.f32(aAt, cap * lda);
    a.fill(0);
    if (lda === k) a.set(x.subarray(from * k, (from + m) * k));
    else for (let i = 0; i < m; i++) a.set(x.subarray((from + i) * k, (from + i + 1) * k), i * lda);
  }

  /** dst[c][r] = src[r][c] for a rows x cols float32 block (strides in floats). */
  transpose(src: number, lds: number, rows: number, cols: number, dst: number, ldd: number): void {
    this.k.transpose(src, lds, rows, cols, dst, ldd);
  }

  /** out row perm[r] = a row r + b row r, r < rows (float32, n a multiple of 4; perm: i32 at `perm`). */
  addRows(a: number, b: number, lda: number, perm: number, out: number, ldo: number, rows: number, n: number): void {
    this.k.addRows(a, b, lda, perm, out, ldo, rows, n);
  }
}
