// moments(x, rows, c, k, s, q): d = x − k[j]; s[j] += d, q[j] += d² (f64; d² of the f32 d): batch
// norm's variance about a shift k, in one pass.
import { f32x4, get, set } from '../../wasm_asm.js';
import { acc64, accumulate64, loadAt, loadChan, rowsKernel } from './kernel.js';

export const momentsConfig = rowsKernel({
  kernelName: 'moments',
  params: ['x', 'rows', 'c', 'k', 's', 'q'],
  v128s: ['d', 'sq'],
  step: (v) => [
    ...loadAt(v, 'x'),
    ...loadChan(v, 'k'),
    ...f32x4.sub,
    ...set(v.d),
    ...get(v.d),
    ...get(v.d),
    ...f32x4.mul,
    ...set(v.sq),
    ...accumulate64(acc64(v, 's'), v.d),
    ...accumulate64(acc64(v, 'q'), v.sq),
  ],
});
