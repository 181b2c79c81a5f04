// The project's own kernels for the wasm backend, registered once when wasm is chosen.
import { registerConvGradKernels } from './conv_grad.js';

let registered = false;

export function registerWasmKernels(): void {
  if (registered) return;
  registerConvGradKernels('wasm');
  registered = true;
}

export { conv2dBackpropFilter, conv2dBackpropInput, registerConvGradKernels } from './conv_grad.js';
