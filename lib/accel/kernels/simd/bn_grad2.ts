// bnGrad2[Relu](dy, x, out, mean, kd, kx, k0, dx, rows, c): dx = kd·d + kx·(mean − x) + k0, d as in
// bnGrad1: batch norm's backward pass, second half (the input gradient from the sums).
import { f32x4, store } from '../../wasm_asm.js';
import { at, gradThroughRelu, loadAt, loadChan, rowsKernel, type SimdKernelConfig } from './kernel.js';

export function bnGrad2Config(relu: boolean): SimdKernelConfig {
  return rowsKernel({
    kernelName: `bnGrad2${relu ? 'Relu' : ''}`,
    params: ['dy', 'x', 'out', 'mean', 'kd', 'kx', 'k0', 'dx', 'rows', 'c'],
    step: (v) => [
      ...at(v, 'dx'),
      ...gradThroughRelu(v, relu),
      // kd·d + kx·(mean − x) + k0
      ...[...loadChan(v, 'kd'), ...f32x4.mul, ...loadChan(v, 'mean'), ...loadAt(v, 'x'), ...f32x4.sub, ...loadChan(v, 'kx'), ...f32x4.mul],
      ...[...f32x4.add, ...loadChan(v, 'k0'), ...f32x4.add],
      ...store(),
    ],
  });
}
