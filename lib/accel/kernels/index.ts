// The project's own kernels for the wasm backend, registered once when wasm is chosen.
import { registerBatchNormKernels } from './batchnorm.js';
import { registerConvGradKernels } from './conv_grad.js';
import { registerPhasedConvInputGrad } from './conv_input_grad.js';
import { registerCopyKernels } from './wasm_copy.js';
import { registerFastWasmKernels } from './wasm_fast.js';

let registered = false;

export function registerWasmKernels(): void {
  if (registered) return;
  registerConvGradKernels('wasm');
  // The input gradient in phases (one per stride offset): no zero-inserted dy, no Reverse kernel.
  registerPhasedConvInputGrad('wasm');
  registerFastWasmKernels('wasm');
  registerCopyKernels('wasm');
  registerBatchNormKernels('wasm');
  registered = true;
}

export { BATCH_NORM_INFER, BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD, registerBatchNormKernels } from './batchnorm.js';
export { conv2dBackpropFilter, registerConvGradKernels } from './conv_grad.js';
export { callerFor, KernelCaller, provideKernel, replaceKernel } from './call.js';
export { axisPhases, conv2dBackpropInputPhased, registerPhasedConvInputGrad } from './conv_input_grad.js';
export { joinRows, registerCopyKernels, splitRows } from './wasm_copy.js';
export { maxPoolBackward, registerFastWasmKernels } from './wasm_fast.js';
