// colsum(x, rows, c, acc): acc[j] (f64) += Σ_r x[r, j] (column sums: batch norm's means, bias gradients).
import { set } from '../../wasm_asm.js';
import { acc64, accumulate64, loadAt, rowsKernel } from './kernel.js';

export const colsumConfig = rowsKernel({
  kernelName: 'colsum',
  params: ['x', 'rows', 'c', 'acc'],
  v128s: ['v'],
  step: (v) => [...loadAt(v, 'x'), ...set(v.v), ...accumulate64(acc64(v, 'acc'), v.v)],
});
