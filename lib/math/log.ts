// The natural logarithm rounded correctly to the nearest double, as glibc's log (what numpy's
// legacy normal draws call) returns it in all but rare cases, where V8's Math.log is off by one ulp
// for about one argument in forty: computed in double-double arithmetic (~106 bits), then rounded
// once. Slow next to Math.log (~0.5 µs), for the few draws that must equal numpy's bit for bit.

/** a + b exactly, as (sum, error). */
function twoSum(a: number, b: number): [number, number] {
  const s = a + b;
  const bb = s - a;
  return [s, a - (s - bb) + (b - bb)];
}

const SPLIT = 134217729; // 2^27 + 1

/** a · b exactly, as (product, error) (Dekker). */
function twoProd(a: number, b: number): [number, number] {
  const p = a * b;
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return [p, ah * bh - p + ah * bl + al * bh + al * bl];
}

type DD = [number, number];

function add(a: DD, b: DD): DD {
  const [s, e] = twoSum(a[0], b[0]);
  const [h, l] = twoSum(s, e + a[1] + b[1]);
  return [h, l];
}

function mul(a: DD, b: DD): DD {
  const [p, e] = twoProd(a[0], b[0]);
  return twoSum(p, e + a[0] * b[1] + a[1] * b[0]);
}

function div(a: DD, b: DD): DD {
  const q1 = a[0] / b[0];
  let r = add(a, mul(b, [-q1, 0]));
  const q2 = r[0] / b[0];
  r = add(r, mul(b, [-q2, 0]));
  const q3 = r[0] / b[0];
  return add(twoSum(q1, q2), [q3, 0]);
}

const LN2: DD = [0.6931471805599453, 2.3190468138462996e-17];

/** ln x for a finite x > 0, correctly rounded (to ~2⁻¹⁰⁶ relative before the final rounding). */
export function logExact(x: number): number {
  if (!(x > 0 && x < Infinity)) return Math.log(x);
  // x = m · 2^e with m in [√½, √2): scaled by powers of two, exactly.
  let e = Math.floor(Math.log2(x));
  let m = x / 2 ** e;
  if (m < 1) {
    m *= 2;
    e -= 1;
  } else if (m >= 2) {
    m /= 2;
    e += 1;
  }
  if (m > Math.SQRT2) {
    m /= 2;
    e += 1;
  }
  // ln m = 2 atanh(s), s = (m − 1)/(m + 1), |s| ≤ 0.172: 2(s + s³/3 + s⁵/5 + …).
  const s = div([m - 1, 0], twoSum(m, 1));
  const s2 = mul(s, s);
  let sum: DD = [0, 0];
  for (let k = 41; k >= 1; k -= 2) sum = add(div([1, 0], [k, 0]), mul(sum, s2));
  const lnm = mul(mul(sum, s), [2, 0]);
  const r = add(mul(LN2, [e, 0]), lnm);
  return r[0] + r[1];
}
