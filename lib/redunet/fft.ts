// The orthonormal discrete Fourier transform (numpy's `fft(..., norm='ortho')`) of any length, by
// mixed-radix decimation in time (a naive DFT for each prime factor above 5), and the half spectra
// of real signals that the shift-invariant layers keep: a real signal's spectrum is conjugate-
// symmetric, X[-k] = conj(X[k]), so ReduNet's per-frequency operators at -k are the conjugates of
// those at k and only ⌊T/2⌋+1 frequencies (1-D) or H·(⌊W/2⌋+1) (2-D, numpy's rfft2 layout) are kept.
// Complex numbers are interleaved (re, im) in Float64Arrays throughout lib/redunet/.

/** A transform of one length: twiddles and the factorisation, computed once. */
export class FFT {
  readonly n: number;
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly factors: number[];
  private readonly scratch: Float64Array;
  private readonly work: Float64Array;

  constructor(n: number) {
    if (!(Number.isInteger(n) && n >= 1)) throw new Error(`FFT: the length must be a positive integer, got ${n}`);
    this.n = n;
    this.cos = new Float64Array(n);
    this.sin = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      // exp(-2πi j/n), with the quarter turns exact.
      const a = (2 * Math.PI * j) / n;
      this.cos[j] = (4 * j) % n === 0 ? [1, 0, -1, 0][(4 * j) / n] : Math.cos(a);
      this.sin[j] = (4 * j) % n === 0 ? -[0, 1, 0, -1][(4 * j) / n] : -Math.sin(a);
    }
    this.factors = [];
    let m = n;
    for (const p of [4, 2, 3, 5]) {
      while (m % p === 0) {
        this.factors.push(p);
        m /= p;
      }
    }
    for (let p = 7; m > 1; p += 2) {
      while (m % p === 0) {
        this.factors.push(p);
        m /= p;
      }
    }
    this.scratch = new Float64Array(2 * n);
    this.work = new Float64Array(2 * n);
  }

  /**
   * In place: x (n complex numbers from `offset`, `stride` complex numbers apart) becomes its
   * orthonormal DFT, or the inverse with `inverse`.
   */
  transform(x: Float64Array, offset = 0, stride = 1, inverse = false): void {
    const n = this.n;
    const a = this.work;
    for (let j = 0; j < n; j++) {
      const s = 2 * (offset + j * stride);
      a[2 * j] = x[s];
      a[2 * j + 1] = inverse ? -x[s + 1] : x[s + 1];
    }
    this.rec(a, 0, 1, n, 0, this.scratch);
    const scale = 1 / Math.sqrt(n);
    for (let j = 0; j < n; j++) {
      const s = 2 * (offset + j * stride);
      x[s] = a[2 * j] * scale;
      x[s + 1] = (inverse ? -a[2 * j + 1] : a[2 * j + 1]) * scale;
    }
  }

  /**
   * The unnormalised forward DFT of the `len` numbers a[start], a[start+step], ... (complex
   * indices), written in place over those positions; `fi` indexes this.factors; `tmp` is scratch.
   */
  private rec(a: Float64Array, start: number, step: number, len: number, fi: number, tmp: Float64Array): void {
    if (len === 1) return;
    const p = this.factors[fi];
    const m = len / p;
    // Sub-transforms of the p interleaved subsequences (each stays strided inside a).
    for (let r = 0; r < p; r++) this.rec(a, start + r * step, step * p, m, fi + 1, tmp);
    // Combine: X[k + q·m] = Σ_r W_len^{r·k} · W_p^{r·q} · Y_r[k], Y_r[k] at a[start + (r + k·p)·step].
    const n = this.n;
    const tw = n / len; // W_len^e = W_n^{e·tw}
    for (let k = 0; k < m; k++) {
      for (let q = 0; q < p; q++) {
        let re = 0;
        let im = 0;
        for (let r = 0; r < p; r++) {
          const y = 2 * (start + (r + k * p) * step);
          const e = (((r * (k + q * m)) % len) * tw) % n;
          const c = this.cos[e];
          const s = this.sin[e];
          re += a[y] * c - a[y + 1] * s;
          im += a[y] * s + a[y + 1] * c;
        }
        tmp[2 * (k + q * m)] = re;
        tmp[2 * (k + q * m) + 1] = im;
      }
    }
    for (let j = 0; j < len; j++) {
      const y = 2 * (start + j * step);
      a[y] = tmp[2 * j];
      a[y + 1] = tmp[2 * j + 1];
    }
  }
}

/** The kept half spectrum of real signals of spatial shape [T] or [H, W]. */
export interface HalfSpectrum {
  /** Spatial shape of the signals. */
  spatial: readonly number[];
  /** Frequencies kept: ⌊T/2⌋+1, or H·(⌊W/2⌋+1). */
  bins: number;
  /** How many frequencies of the full spectrum each kept one stands for (1 or 2: itself and its conjugate). */
  weights: Float64Array;
  /** Points of the full spectrum (T or H·W): Σ weights. */
  total: number;
}

export function halfSpectrum(spatial: readonly number[]): HalfSpectrum {
  if (spatial.length === 0) return { spatial, bins: 1, weights: Float64Array.of(1), total: 1 };
  if (spatial.length > 2) throw new Error(`shift invariance is 1-D or 2-D; got a spatial shape [${spatial}]`);
  const W = spatial[spatial.length - 1];
  const H = spatial.length === 2 ? spatial[0] : 1;
  const half = Math.floor(W / 2) + 1;
  const weights = new Float64Array(H * half);
  for (let h = 0; h < H; h++) for (let w = 0; w < half; w++) weights[h * half + w] = w === 0 || (W % 2 === 0 && w === W / 2) ? 1 : 2;
  return { spatial, bins: H * half, weights, total: H * W };
}

/**
 * Orthonormal spectra of real signals: `x` is n x C x spatial (row-major, real); the result is
 * n x bins x C complex (interleaved), the frequency axis before the channels so that each
 * frequency's C-vector is contiguous.
 */
/** The transforms and buffers of one spatial shape: rows of W along the last axis, columns of H. */
function planes(hs: HalfSpectrum) {
  const W = hs.spatial[hs.spatial.length - 1];
  const H = hs.spatial.length === 2 ? hs.spatial[0] : 1;
  const half = Math.floor(W / 2) + 1;
  return {
    W,
    H,
    half,
    size: H * W,
    fw: new FFT(W),
    fh: H > 1 ? new FFT(H) : undefined,
    row: new Float64Array(2 * W),
    plane: new Float64Array(2 * H * half),
  };
}

export function realSpectra(x: Float64Array, n: number, channels: number, hs: HalfSpectrum): Float64Array {
  const { bins } = hs;
  const { W, H, half, size, fw, fh, row, plane } = planes(hs);
  const out = new Float64Array(n * bins * channels * 2);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < channels; c++) {
      const src = (i * channels + c) * size;
      for (let h = 0; h < H; h++) {
        for (let w = 0; w < W; w++) {
          row[2 * w] = x[src + h * W + w];
          row[2 * w + 1] = 0;
        }
        fw.transform(row);
        for (let w = 0; w < half; w++) {
          plane[2 * (h * half + w)] = row[2 * w];
          plane[2 * (h * half + w) + 1] = row[2 * w + 1];
        }
      }
      if (fh) for (let w = 0; w < half; w++) fh.transform(plane, w, half);
      for (let b = 0; b < bins; b++) {
        const o = 2 * ((i * bins + b) * channels + c);
        out[o] = plane[2 * b];
        out[o + 1] = plane[2 * b + 1];
      }
    }
  }
  return out;
}

/** The inverse of realSpectra: n x bins x C complex half spectra back to n x C x spatial real signals. */
export function realSignals(v: Float64Array, n: number, channels: number, hs: HalfSpectrum): Float64Array {
  const { bins } = hs;
  const { W, H, half, size, fw, fh, row, plane } = planes(hs);
  const out = new Float64Array(n * channels * size);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < channels; c++) {
      for (let b = 0; b < bins; b++) {
        const o = 2 * ((i * bins + b) * channels + c);
        plane[2 * b] = v[o];
        plane[2 * b + 1] = v[o + 1];
      }
      if (fh) for (let w = 0; w < half; w++) fh.transform(plane, w, half, true);
      const dst = (i * channels + c) * size;
      for (let h = 0; h < H; h++) {
        // The full row from its half: Y[h][W−w] = conj(Y[h][w]).
        for (let w = 0; w < W; w++) {
          const ww = w < half ? w : W - w;
          row[2 * w] = plane[2 * (h * half + ww)];
          row[2 * w + 1] = w < half ? plane[2 * (h * half + ww) + 1] : -plane[2 * (h * half + ww) + 1];
        }
        fw.transform(row, 0, 1, true);
        for (let w = 0; w < W; w++) out[dst + h * W + w] = row[2 * w];
      }
    }
  }
  return out;
}
