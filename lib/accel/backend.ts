// Picks the fastest tfjs backend that really works here and reports it.
//
// Order: tfjs-node-gpu (CUDA, when it really found a CUDA device), webgpu (Dawn, only on a hardware
// adapter: NVIDIA/AMD/Intel on Vulkan, Apple on Metal, D3D12 on Windows), tfjs-node (libtensorflow),
// wasm (XNNPACK, with this project's own gradient kernels), cpu (pure JS, ~100x slower: evaluation
// only). MCR2_BACKEND forces one (webgpu forced also takes a software adapter, for testing).
// tfjs-node(-gpu) are optional: `npm ci` never installs them (libtensorflow is downloaded by their
// install script). Note that danfojs' dependency override makes `require('@tensorflow/tfjs-node')`
// succeed with plain tfjs inside, so success is judged by the 'tensorflow' backend registering.
import * as tf from '@tensorflow/tfjs';
import { registerWasmKernels } from './kernels/index.js';
import { type AdapterSummary, startWebgpu } from './webgpu.js';

export type BackendName = 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';

export interface BackendInfo {
  /** tfjs backend name now active. */
  name: BackendName;
  /** What provides it, e.g. '@tensorflow/tfjs-node-gpu' or 'tfjs-backend-wasm (SIMD)'. */
  provider: string;
  /** Why the faster candidates were not used. */
  skipped: string[];
  /** webgpu: the adapter it runs on. */
  adapter?: AdapterSummary;
}

const CHOICES = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const;
type Choice = (typeof CHOICES)[number];

let current: BackendInfo | undefined;

function tryNode(pkg: string): string | undefined {
  if (tf.findBackendFactory('tensorflow') !== null) return undefined;
  try {
    require(pkg);
  } catch (e) {
    return `${pkg} not installed (${(e as Error).message.split('\n')[0]})`;
  }
  if (tf.findBackendFactory('tensorflow') === null) {
    return `${pkg} loaded but registered no 'tensorflow' backend (not the real package, or another tfjs-core copy)`;
  }
  return undefined;
}

async function activate(choice: Choice, forced: boolean): Promise<BackendInfo | string> {
  switch (choice) {
    case 'tensorflow-gpu':
    case 'tensorflow': {
      const pkg = choice === 'tensorflow-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
      const why = tryNode(pkg);
      if (why !== undefined) return why;
      if (!(await tf.setBackend('tensorflow'))) return `${pkg}: backend failed to initialise`;
      // libtensorflow 2.9.1 wants CUDA 11.2 / cuDNN 8.1; without them the GPU package runs on the CPU.
      if (choice === 'tensorflow-gpu' && !forced && (tf.backend() as { isUsingGpuDevice?: boolean }).isUsingGpuDevice === false) {
        return `${pkg} loaded but found no CUDA device (it needs CUDA 11.2 and cuDNN 8.1): runs on the CPU`;
      }
      return { name: 'tensorflow', provider: pkg, skipped: [] };
    }
    case 'webgpu': {
      const r = await startWebgpu(forced);
      if (typeof r === 'string') return r;
      return { name: 'webgpu', provider: r.provider, skipped: [], adapter: r.adapter };
    }
    case 'wasm': {
      try {
        require('@tensorflow/tfjs-backend-wasm');
      } catch (e) {
        return `@tensorflow/tfjs-backend-wasm not installed (${(e as Error).message.split('\n')[0]})`;
      }
      if (!(await tf.setBackend('wasm'))) return 'wasm backend failed to initialise';
      registerWasmKernels();
      const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
      return { name: 'wasm', provider: `@tensorflow/tfjs-backend-wasm (XNNPACK, ${simd ? 'SIMD' : 'no SIMD'})`, skipped: [] };
    }
    case 'cpu':
      if (!(await tf.setBackend('cpu'))) return 'cpu backend failed to initialise';
      return { name: 'cpu', provider: '@tensorflow/tfjs-backend-cpu (pure JS)', skipped: [] };
  }
}

function parseChoice(s: string): Choice {
  const v = s.trim().toLowerCase();
  const alias: Record<string, Choice> = {
    gpu: 'tensorflow-gpu',
    'tfjs-node-gpu': 'tensorflow-gpu',
    node: 'tensorflow',
    'tfjs-node': 'tensorflow',
    'tfjs-backend-webgpu': 'webgpu',
  };
  const c = (alias[v] ?? v) as Choice;
  if (!CHOICES.includes(c)) {
    throw new Error(`MCR2_BACKEND=${s}: unknown backend; use one of ${CHOICES.join(', ')}`);
  }
  return c;
}

/**
 * Selects the backend once per process (later calls return the same answer).
 * `force` (or the MCR2_BACKEND environment variable) names one backend and fails if it cannot start.
 */
export async function initBackend(force?: string): Promise<BackendInfo> {
  const wanted = force ?? process.env.MCR2_BACKEND;
  if (current !== undefined && (wanted === undefined || wanted === '' || current.name === parseChoice(wanted).replace('-gpu', ''))) {
    return current;
  }
  if (wanted !== undefined && wanted !== '') {
    const c = parseChoice(wanted);
    const r = await activate(c, true);
    if (typeof r === 'string') throw new Error(`backend ${c} was requested (MCR2_BACKEND) but cannot start: ${r}`);
    current = r;
    return r;
  }
  const skipped: string[] = [];
  for (const c of CHOICES) {
    const r = await activate(c, false);
    if (typeof r === 'string') {
      skipped.push(r);
      continue;
    }
    r.skipped = skipped;
    current = r;
    return r;
  }
  throw new Error(`no tfjs backend could start:\n  ${skipped.join('\n  ')}`);
}

/** The backend chosen by initBackend, if any. */
export function backendInfo(): BackendInfo | undefined {
  return current;
}

export function describeBackend(info: BackendInfo): string {
  return `backend: ${info.name} via ${info.provider}`;
}

/**
 * The backend a worker thread starts for JS-heavy work split over cores (EnSC's lasso solves):
 * cpu when this thread computes on cpu, else wasm (a worker does not load libtensorflow or a GPU again).
 */
export function workerBackend(): 'cpu' | 'wasm' {
  return tf.getBackend() === 'cpu' ? 'cpu' : 'wasm';
}
