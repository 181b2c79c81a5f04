// Python's str() of numbers, so run-folder names match the official code's
// (5e-4 → "0.0005", 1 as a float → "1.0", 1e-5 → "1e-05").

/** str(float(x)) in Python. */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mant, expStr] = x.toExponential().split('e');
  const exp = Number(expStr);
  if (exp >= -4 && exp < 16) {
    const digits = mant.replace('-', '').replace('.', '');
    const sign = x < 0 ? '-' : '';
    let s: string;
    if (exp >= 0) {
      const intLen = exp + 1;
      s =
        digits.length <= intLen ? `${digits + '0'.repeat(intLen - digits.length)}.0` : `${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
    } else {
      s = `0.${'0'.repeat(-exp - 1)}${digits}`;
    }
    return sign + s;
  }
  const e = Math.abs(exp) < 10 ? `0${Math.abs(exp)}` : String(Math.abs(exp));
  return `${mant}e${exp < 0 ? '-' : '+'}${e}`;
}

/** str(int(x)) in Python. */
export function pyInt(x: number): string {
  return String(Math.trunc(x));
}
