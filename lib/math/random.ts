// numpy's legacy RandomState (MT19937), bit-exact for the draws this project needs, so that a
// seed gives the same shuffles, label corruptions and test data as the official Python code:
//   seed(s), randint, permutation/shuffle, choice (with and without replacement), random_sample,
//   standard_normal (legacy polar Box–Muller with the cached second value), uniform.
// Checked against Debian's python3-numpy 1.24 (test/fixtures/numpy_random.json).

import { logExact } from './log.js';

const N = 624;
const M = 397;

export class RandomState {
  private readonly mt = new Uint32Array(N);
  private pos = N;
  private hasGauss = false;
  private gauss = 0;

  constructor(seed = 0) {
    this.seed(seed);
  }

  /** numpy `RandomState.seed(int)`: init_genrand with the seed's low 32 bits. */
  seed(seed: number): void {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new Error(`seed must be an integer in 0..2**32-1, got ${seed}`);
    }
    const mt = this.mt;
    mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      // 1812433253 * prev + i, modulo 2^32, without losing bits to float rounding.
      mt[i] = (((((prev & 0xffff0000) >>> 16) * 1812433253) << 16) + (prev & 0x0000ffff) * 1812433253 + i) >>> 0;
    }
    this.pos = N;
    this.hasGauss = false;
    this.gauss = 0;
  }

  private generate(): void {
    const mt = this.mt;
    let kk = 0;
    let y: number;
    for (; kk < N - M; kk++) {
      y = (mt[kk] & 0x80000000) | (mt[kk + 1] & 0x7fffffff);
      mt[kk] = mt[kk + M] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    for (; kk < N - 1; kk++) {
      y = (mt[kk] & 0x80000000) | (mt[kk + 1] & 0x7fffffff);
      mt[kk] = mt[kk + (M - N)] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    y = (mt[N - 1] & 0x80000000) | (mt[0] & 0x7fffffff);
    mt[N - 1] = mt[M - 1] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    this.pos = 0;
  }

  /** One tempered 32-bit output. */
  nextUint32(): number {
    if (this.pos >= N) this.generate();
    let y = this.mt[this.pos++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** Uniform double in [0, 1) with 53 random bits (numpy `random_sample`). */
  nextDouble(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
  }

  /** Uniform integer in 0..max inclusive by masked rejection (numpy `random_interval`, max < 2^32). */
  interval(max: number): number {
    if (max === 0) return 0;
    if (max > 0xffffffff) throw new Error('interval: max above 2^32-1 is not supported');
    let mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    mask >>>= 0;
    let v: number;
    do v = (this.nextUint32() & mask) >>> 0;
    while (v > max);
    return v;
  }

  /** `randint(low, high, size)`: integers in [low, high) (legacy int64 path, masked rejection). */
  randint(low: number, high: number, size: number): Int32Array {
    if (!(high > low)) throw new Error(`randint: low (${low}) must be below high (${high})`);
    const out = new Int32Array(size);
    for (let i = 0; i < size; i++) out[i] = low + this.interval(high - low - 1);
    return out;
  }

  /** In-place Fisher–Yates as numpy's legacy `shuffle` of a 1-D array. */
  shuffle<T extends { length: number; [i: number]: number }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.interval(i);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** `permutation(n)`: a shuffled arange(n). */
  permutation(n: number): Int32Array {
    const a = new Int32Array(n);
    for (let i = 0; i < n; i++) a[i] = i;
    return this.shuffle(a);
  }

  /** `choice(n, size, replace)` for a population arange(n) with uniform probabilities. */
  choice(n: number, size: number, replace = true): Int32Array {
    if (replace) return this.randint(0, n, size);
    if (size > n) throw new Error(`choice: cannot take ${size} samples without replacement from ${n}`);
    return this.permutation(n).slice(0, size);
  }

  /** `random_sample(size)`. */
  random(size: number): Float64Array {
    const out = new Float64Array(size);
    for (let i = 0; i < size; i++) out[i] = this.nextDouble();
    return out;
  }

  /** `uniform(low, high, size)`. */
  uniform(low: number, high: number, size: number): Float64Array {
    const out = new Float64Array(size);
    for (let i = 0; i < size; i++) out[i] = low + (high - low) * this.nextDouble();
    return out;
  }

  /** One legacy standard normal (polar Box–Muller; the second value is cached). */
  nextGauss(): number {
    if (this.hasGauss) {
      this.hasGauss = false;
      return this.gauss;
    }
    let x1: number;
    let x2: number;
    let r2: number;
    do {
      x1 = 2.0 * this.nextDouble() - 1.0;
      x2 = 2.0 * this.nextDouble() - 1.0;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1.0 || r2 === 0.0);
    // glibc's log, which numpy calls, is correctly rounded where Math.log is off by an ulp (1 in ~40).
    const f = Math.sqrt((-2.0 * logExact(r2)) / r2);
    this.gauss = f * x1;
    this.hasGauss = true;
    return f * x2;
  }

  /**
   * One binomial(n, p) draw as numpy's `random_binomial` (inversion for n·min(p, 1−p) ≤ 30, which
   * is all this project needs: multinomial(1, ·) over class-transition rows).
   */
  binomial(n: number, p: number): number {
    if (n === 0 || p === 0) return 0;
    const flip = p > 0.5;
    const pp = flip ? 1 - p : p;
    if (pp * n > 30) throw new Error('binomial: the BTPE branch (n·p > 30) is not implemented');
    const q = 1 - pp;
    const qn = Math.exp(n * Math.log(q));
    const np = n * pp;
    const bound = Math.min(n, np + 10 * Math.sqrt(np * q + 1));
    let x = 0;
    let px = qn;
    let u = this.nextDouble();
    while (u > px) {
      x++;
      if (x > bound) {
        x = 0;
        px = qn;
        u = this.nextDouble();
      } else {
        u -= px;
        px = ((n - x + 1) * pp * px) / (x * q);
      }
    }
    return flip ? n - x : x;
  }

  /** One `multinomial(n, pvals)` draw (counts per category), numpy's legacy algorithm. */
  multinomial(n: number, pvals: ArrayLike<number>): Int32Array {
    const d = pvals.length;
    const out = new Int32Array(d);
    let sum = 1.0;
    let dn = n;
    for (let j = 0; j < d - 1; j++) {
      out[j] = this.binomial(dn, pvals[j] / sum);
      dn -= out[j];
      if (dn <= 0) break;
      sum -= pvals[j];
    }
    if (dn > 0) out[d - 1] = dn;
    return out;
  }

  /** `standard_normal(size)` / `randn(size)`. */
  randn(size: number): Float64Array {
    const out = new Float64Array(size);
    for (let i = 0; i < size; i++) out[i] = this.nextGauss();
    return out;
  }
}
