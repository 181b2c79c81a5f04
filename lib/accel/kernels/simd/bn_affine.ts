// bnAffine[R][Relu](x, mean, a, beta, r, y, rows, c): y = (x − mean)·a + beta [+ r] [ReLU]: batch
// norm's output in one pass, with the residual add and the ReLU that follow it fused when asked.
import { f32x4, store } from '../../wasm_asm.js';
import { at, f32zero, loadAt, loadChan, rowsKernel, type SimdKernelConfig } from './kernel.js';

export function bnAffineConfig(residual: boolean, relu: boolean): SimdKernelConfig {
  return rowsKernel({
    kernelName: `bnAffine${residual ? 'R' : ''}${relu ? 'Relu' : ''}`,
    params: ['x', 'mean', 'a', 'beta', 'res', 'y', 'rows', 'c'],
    step: (v) => [
      ...at(v, 'y'),
      ...loadAt(v, 'x'),
      ...loadChan(v, 'mean'),
      ...f32x4.sub,
      ...loadChan(v, 'a'),
      ...f32x4.mul,
      ...loadChan(v, 'beta'),
      ...f32x4.add,
      ...(residual ? [...loadAt(v, 'res'), ...f32x4.add] : []),
      ...(relu ? [...f32zero, ...f32x4.max] : []),
      ...store(),
    ],
  });
}
