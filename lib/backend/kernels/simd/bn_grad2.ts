// bnGrad2[Relu](dy, x, out, mean, kd, kx, k0, dx, rows, c): dx = kd·d + kx·(mean − x) + k0, d as in
// bnGrad1: batch norm's backward pass, second half (the input gradient from the sums).
import { f32x4, load, store, v128and } from '../wasm_asm.js';
import { at, chan, f32zero, rowsKernel, type SimdKernelConfig } from './kernel.js';

export function bnGrad2Config(relu: boolean): SimdKernelConfig {
  return rowsKernel({
    kernelName: `bnGrad2${relu ? 'Relu' : ''}`,
    params: ['dy', 'x', 'out', 'mean', 'kd', 'kx', 'k0', 'dx', 'rows', 'c'],
    step: (v) => [
      ...at(v, 'dx'),
      ...at(v, 'dy'),
      ...load(),
      ...(relu ? [...at(v, 'out'), ...load(), ...f32zero, ...f32x4.gt, ...v128and] : []),
      ...chan(v, 'kd'),
      ...load(),
      ...f32x4.mul,
      ...chan(v, 'mean'),
      ...load(),
      ...at(v, 'x'),
      ...load(),
      ...f32x4.sub,
      ...chan(v, 'kx'),
      ...load(),
      ...f32x4.mul,
      ...f32x4.add,
      ...chan(v, 'k0'),
      ...load(),
      ...f32x4.add,
      ...store(),
    ],
  });
}
