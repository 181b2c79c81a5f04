// The project's own kernels for the wasm backend, registered once when wasm is chosen.
import { registerConvGradKernels } from './conv_grad.js';
import { registerFastWasmKernels } from './wasm_fast.js';

let registered = false;

export function registerWasmKernels(): void {
  if (registered) return;
  registerConvGradKernels('wasm');
  registerFastWasmKernels('wasm');
  registered = true;
}

export { conv2dBackpropFilter, conv2dBackpropInput, registerConvGradKernels } from './conv_grad.js';
export { maxPoolBackward, registerFastWasmKernels } from './wasm_fast.js';
