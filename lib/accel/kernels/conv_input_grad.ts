// Conv2DBackpropInput for the wasm backend without wasted arithmetic, replacing the one of
// conv_grad.ts (which it matches, and which stays the reference for the other backends' layout).
//
// conv_grad.ts computes dx as one stride-1 convolution of dy with zeros inserted between its rows
// and columns. With stride s that spends s² times the forward convolution's arithmetic on zeros
// (measured 4.5x a ResNet stride-2 layer's forward time), and the filter flip went through the wasm
// Reverse kernel (~80 ms for a 3x3x512x512 filter, as long as the convolution itself).
//
// Here dx is split by phase: the rows i with (i + pad) mod s = r only receive filter taps
// r, r + s, r + 2s, ..., so each of the s² phases is a stride-1 convolution of dy (not
// zero-inserted) with that phase's sub-filter, flipped, in/out swapped; the phases are then
// interleaved into dx. In 1-D, with i + pad = q·s + r:
//   dx[i] = Σ_j dy[q − j] · w[r + s·j]
// a full correlation of dy with the flipped sub-filter over the q that land inside [0, h).
// The arithmetic equals the forward convolution's. Stride 1 is the single phase r = 0.
import * as tf from '@tensorflow/tfjs';
import { callerFor, type ConvAttrs, convGeometry, provideKernel, type KernelBackend, type KernelCaller, type TensorInfo } from './call.js';

interface WasmBackend extends KernelBackend {
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

interface ConvGradAttrs extends ConvAttrs {
  inputShape: number[];
}

/** One phase along one axis: which taps, which dy rows (with zero padding), which dx rows. */
export interface Phase {
  /** First tap r and number of taps (r, r+s, ...). */
  r: number;
  taps: number;
  /** dx rows q·s + r − pad for q = q0 .. q0 + count − 1. */
  q0: number;
  count: number;
  /** dy rows [from, from + len) enter the convolution, padded by lo/hi zeros. */
  from: number;
  len: number;
  lo: number;
  hi: number;
}

/** The phases of one axis of a convolution (input size h, kernel k, stride s, leading pad p, output size oh). */
export function axisPhases(h: number, k: number, s: number, p: number, oh: number): Phase[] {
  const out: Phase[] = [];
  for (let r = 0; r < s; r++) {
    const taps = r < k ? Math.ceil((k - r) / s) : 0;
    const q0 = Math.ceil((p - r) / s);
    const q1 = Math.floor((h - 1 + p - r) / s);
    const count = q1 - q0 + 1;
    if (count <= 0) continue;
    // out[m] = Σ_t dyExt[m + t] · wflip[t], dyExt[v] = dy[q0 − (taps − 1) + v], v < count + taps − 1.
    const start = q0 - (taps - 1);
    const end = q1; // last dy row read (inclusive)
    const from = Math.max(0, start);
    const to = Math.min(oh - 1, end);
    out.push({ r, taps, q0, count, from, len: Math.max(0, to - from + 1), lo: from - start, hi: end - Math.max(to, from - 1) });
  }
  return out;
}

/**
 * Sub-filter of phase (ry, rx), flipped in space and with in/out channels swapped:
 * out[a, b, o, i] = f[ry + sh·(ty − 1 − a), rx + sw·(tx − 1 − b), i, o], f: [kh, kw, ci, co].
 */
export function flippedSubFilter(
  f: Float32Array,
  kw: number,
  ci: number,
  co: number,
  ry: number,
  rx: number,
  sh: number,
  sw: number,
  ty: number,
  tx: number,
  out: Float32Array,
): void {
  const block = ci * co;
  for (let a = 0; a < ty; a++) {
    const ky = ry + sh * (ty - 1 - a);
    for (let b = 0; b < tx; b++) {
      const kx = rx + sw * (tx - 1 - b);
      const src = (ky * kw + kx) * block;
      const dst = (a * tx + b) * block;
      // [ci, co] → [co, ci], in tiles that stay in cache.
      const T = 32;
      for (let i0 = 0; i0 < ci; i0 += T) {
        const i1 = Math.min(ci, i0 + T);
        for (let o0 = 0; o0 < co; o0 += T) {
          const o1 = Math.min(co, o0 + T);
          for (let i = i0; i < i1; i++) {
            const s = src + i * co;
            for (let o = o0; o < o1; o++) out[dst + o * ci + i] = f[s + o];
          }
        }
      }
    }
  }
}

/** dx of a conv2d from dy [n, oh, ow, co] and the filter [kh, kw, ci, co]. */
export function conv2dBackpropInputPhased(
  k: KernelCaller,
  wb: WasmBackend,
  dy: TensorInfo,
  filter: TensorInfo,
  attrs: ConvGradAttrs,
): TensorInfo {
  const { kh, kw, sh, sw, oh, ow, h, w, n, ci, co, top, left } = convGeometry(attrs.inputShape, filter.shape, attrs);
  const ys = axisPhases(h, kh, sh, top, oh);
  const xs = axisPhases(w, kw, sw, left, ow);
  const single = sh === 1 && sw === 1;
  const dx = single ? undefined : wb.makeOutput([n, h, w, ci], 'float32');
  let covered = 0;
  for (const py of ys) {
    for (const px of xs) {
      if (py.taps === 0 || px.taps === 0 || py.len === 0 || px.len === 0) continue;
      covered += py.count * px.count;
      const sub = wb.makeOutput([py.taps, px.taps, co, ci], 'float32');
      flippedSubFilter(
        wb.typedArrayFromHeap(filter) as Float32Array,
        kw,
        ci,
        co,
        py.r,
        px.r,
        sh,
        sw,
        py.taps,
        px.taps,
        wb.typedArrayFromHeap(sub) as Float32Array,
      );
      const whole = py.from === 0 && py.len === oh && px.from === 0 && px.len === ow;
      const src = whole ? dy : k.slice(dy, [0, py.from, px.from, 0], [n, py.len, px.len, co]);
      const part = k.conv2d(src, sub, [
        [py.lo, py.hi],
        [px.lo, px.hi],
      ]);
      if (src !== dy) k.free(src);
      k.free(sub);
      if (part.shape[1] !== py.count || part.shape[2] !== px.count || part.shape[3] !== ci) {
        throw new Error(`internal: Conv2DBackpropInput phase produced [${part.shape}], expected [${n},${py.count},${px.count},${ci}]`);
      }
      if (dx === undefined) return part;
      scatterPhase(
        wb.typedArrayFromHeap(part) as Float32Array,
        wb.typedArrayFromHeap(dx) as Float32Array,
        n,
        h,
        w,
        ci,
        py.count,
        px.count,
        py.q0 * sh + py.r - top,
        sh,
        px.q0 * sw + px.r - left,
        sw,
      );
      k.free(part);
    }
  }
  if (dx === undefined) {
    // Stride 1 with no tap landing in dx (cannot happen with a non-empty filter): zeros.
    return k.run('Fill', {}, { shape: [n, h, w, ci], value: 0, dtype: 'float32' });
  }
  if (covered < h * w) zeroUncovered(wb.typedArrayFromHeap(dx) as Float32Array, n, h, w, ci, ys, xs, sh, sw, top, left);
  return dx;
}

/** dx[b, y0 + my·sh, x0 + mx·sw, :] = part[b, my, mx, :]. */
function scatterPhase(
  part: Float32Array,
  dx: Float32Array,
  n: number,
  h: number,
  w: number,
  c: number,
  my: number,
  mx: number,
  y0: number,
  sh: number,
  x0: number,
  sw: number,
): void {
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let yy = 0; yy < my; yy++) {
      const row = (b * h + y0 + yy * sh) * w;
      for (let xx = 0; xx < mx; xx++) {
        const d = (row + x0 + xx * sw) * c;
        for (let j = 0; j < c; j++) dx[d + j] = part[o + j];
        o += c;
      }
    }
  }
}

/** Zeros the dx positions of phases that received no convolution (no taps, e.g. a 1x1 kernel with stride 2). */
function zeroUncovered(
  dx: Float32Array,
  n: number,
  h: number,
  w: number,
  c: number,
  ys: Phase[],
  xs: Phase[],
  sh: number,
  sw: number,
  top: number,
  left: number,
): void {
  const rowLive = new Uint8Array(h);
  const colLive = new Uint8Array(w);
  // A position is written iff its row phase and column phase both had taps and input.
  const liveY = new Map<number, boolean>(ys.map((p) => [p.r, p.taps > 0 && p.len > 0]));
  const liveX = new Map<number, boolean>(xs.map((p) => [p.r, p.taps > 0 && p.len > 0]));
  for (let y = 0; y < h; y++) rowLive[y] = liveY.get((((y + top) % sh) + sh) % sh) ? 1 : 0;
  for (let x = 0; x < w; x++) colLive[x] = liveX.get((((x + left) % sw) + sw) % sw) ? 1 : 0;
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        if (rowLive[y] && colLive[x]) continue;
        dx.fill(0, ((b * h + y) * w + x) * c, ((b * h + y) * w + x + 1) * c);
      }
    }
  }
}

/** Registers the phased Conv2DBackpropInput for `backendName` (wasm), replacing the existing one. */
export function registerPhasedConvInputGrad(backendName = 'wasm'): void {
  provideKernel(tf.Conv2DBackpropInput, backendName, ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as unknown as { dy: TensorInfo; filter: TensorInfo };
    const b = backend as unknown as WasmBackend;
    return conv2dBackpropInputPhased(callerFor(b, backendName), b, dy, filter, attrs as unknown as ConvGradAttrs) as never;
  });
}
