// bnGrad1[Relu][R](dy, x, out, mean, rstd, dr, rows, c, db, dg): d = dy·[out > 0] (through a fused
// ReLU) or dy; [dr = d] (the residual's gradient); db[j] += d, dg[j] += d·(x − mean)·rstd (f64):
// batch norm's backward pass, first half (the sums over the batch).
import { f32x4, get, set, store } from '../../wasm_asm.js';
import { acc64, accumulate64, at, gradThroughRelu, loadAt, loadChan, rowsKernel, type SimdKernelConfig } from './kernel.js';

export function bnGrad1Config(relu: boolean, residual: boolean): SimdKernelConfig {
  return rowsKernel({
    kernelName: `bnGrad1${relu ? 'Relu' : ''}${residual ? 'R' : ''}`,
    params: ['dy', 'x', 'out', 'mean', 'rstd', 'dr', 'rows', 'c', 'db', 'dg'],
    v128s: ['d', 'p'],
    step: (v) => [
      ...gradThroughRelu(v, relu),
      ...set(v.d),
      ...(residual ? [...at(v, 'dr'), ...get(v.d), ...store()] : []),
      // p = d·(x − mean)·rstd
      ...[
        ...get(v.d),
        ...loadAt(v, 'x'),
        ...loadChan(v, 'mean'),
        ...f32x4.sub,
        ...loadChan(v, 'rstd'),
        ...f32x4.mul,
        ...f32x4.mul,
        ...set(v.p),
      ],
      ...accumulate64(acc64(v, 'db'), v.d),
      ...accumulate64(acc64(v, 'dg'), v.p),
    ],
  });
}
