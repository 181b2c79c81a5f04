// bnAffine[R][Relu](x, mean, a, beta, r, y, rows, c): y = (x − mean)·a + beta [+ r] [ReLU]: batch
// norm's output in one pass, with the residual add and the ReLU that follow it fused when asked.
import { f32x4, load, store } from '../wasm_asm.js';
import { at, chan, f32zero, rowsKernel, type SimdKernelConfig } from './kernel.js';

export function bnAffineConfig(residual: boolean, relu: boolean): SimdKernelConfig {
  return rowsKernel({
    kernelName: `bnAffine${residual ? 'R' : ''}${relu ? 'Relu' : ''}`,
    params: ['x', 'mean', 'a', 'beta', 'res', 'y', 'rows', 'c'],
    step: (v) => [
      ...at(v, 'y'),
      ...at(v, 'x'),
      ...load(),
      ...chan(v, 'mean'),
      ...load(),
      ...f32x4.sub,
      ...chan(v, 'a'),
      ...load(),
      ...f32x4.mul,
      ...chan(v, 'beta'),
      ...load(),
      ...f32x4.add,
      ...(residual ? [...at(v, 'res'), ...load(), ...f32x4.add] : []),
      ...(relu ? [...f32zero, ...f32x4.max] : []),
      ...store(),
    ],
  });
}
