// The webgpu backend in Node: Dawn (npm `webgpu`, Chromium's WebGPU as a Node addon, binaries inside
// the package) under @tensorflow/tfjs-backend-webgpu. Runs on Vulkan (Linux: NVIDIA's driver, Mesa's
// radv/anv, or Mesa's lavapipe, the CPU posing as a GPU), Metal (macOS) or D3D12 (Windows).
// Both packages are optional dependencies, loaded only here and only when webgpu is tried.
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { registerWebgpuConvGrad } from './kernels/webgpu_conv_grad.js';
import { installTickCapture, mapReadSync } from './webgpu_sync.js';

export interface AdapterSummary {
  /** What the driver calls the device, e.g. 'NVIDIA GeForce RTX 4090' or 'llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)'. */
  description: string;
  vendor: string;
  architecture: string;
  /** A CPU implementation (lavapipe/llvmpipe, SwiftShader, WARP): right for testing, never for speed. */
  software: boolean;
}

interface GpuAdapterInfo {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

interface Gpu {
  requestAdapter(o?: { powerPreference?: string }): Promise<{ info: GpuAdapterInfo } | null>;
}

interface WebgpuModule {
  create(flags: string[]): Gpu;
  globals: Record<string, unknown>;
}

const SOFTWARE = /llvmpipe|lavapipe|swiftshader|software|microsoft basic render/i;

export function describeAdapter(info: GpuAdapterInfo): AdapterSummary {
  const description = (info.description || info.device || `${info.vendor ?? '?'} ${info.architecture ?? ''}`).trim();
  const software = info.isFallbackAdapter === true || info.architecture === 'software' || SOFTWARE.test(description);
  return { description, vendor: info.vendor ?? '', architecture: info.architecture ?? '', software };
}

let gpu: Gpu | undefined;
let adapter: AdapterSummary | undefined;
let loadFailure: string | undefined;

async function loadDawn(): Promise<Gpu | string> {
  if (gpu !== undefined) return gpu;
  if (loadFailure !== undefined) return loadFailure;
  installTickCapture();
  let mod: WebgpuModule;
  try {
    // An ES module; the specifier is a variable so that TypeScript does not need its types.
    const name = 'webgpu';
    mod = (await import(name)) as WebgpuModule;
  } catch (e) {
    loadFailure = `webgpu (Dawn) not installed (${(e as Error).message.split('\n')[0]}): npm install webgpu@0.6.2 @tensorflow/tfjs-backend-webgpu@4.22.0`;
    return loadFailure;
  }
  try {
    Object.assign(globalThis, mod.globals);
    gpu = mod.create([]);
  } catch (e) {
    loadFailure = `webgpu (Dawn) failed to start: ${(e as Error).message.split('\n')[0]}`;
    return loadFailure;
  }
  return gpu;
}

/** The adapter WebGPU would use here (high-performance preference), or why there is none. */
export async function probeAdapter(): Promise<AdapterSummary | string> {
  if (adapter !== undefined) return adapter;
  const g = await loadDawn();
  if (typeof g === 'string') return g;
  let a: Awaited<ReturnType<Gpu['requestAdapter']>>;
  try {
    a = await g.requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    return `webgpu: requesting an adapter failed (${(e as Error).message.split('\n')[0]})`;
  }
  if (a === null) {
    return (
      'webgpu: no adapter (no GPU driver Dawn can use; on Linux WebGPU needs Vulkan: ' +
      'the GPU vendor driver, or Mesa ≥ 23 e.g. Debian bookworm-backports libvulkan1 mesa-vulkan-drivers)'
    );
  }
  adapter = describeAdapter(a.info);
  return adapter;
}

/** tfjs-backend-webgpu's readSync needs OffscreenCanvas; this one maps a staging buffer (webgpu_sync.ts). */
interface WebgpuBackendInternals {
  tensorMap: { get(id: object): { values: unknown; dtype: tf.DataType; resource?: { size: number } } | undefined };
  bufferManager: { acquireBuffer(size: number, usage: number): GpuBuffer; releaseBuffer(b: GpuBuffer): void };
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
  commandEncoder: { copyBufferToBuffer(src: unknown, so: number, dst: unknown, d: number, n: number): void };
  convertAndCacheOnCPU(id: object, v: unknown): unknown;
  readSync(id: object): unknown;
}

interface GpuBuffer {
  mapAsync(mode: number): Promise<void>;
  readonly mapState: string;
  getMappedRange(): ArrayBuffer;
  unmap(): void;
}

const patched = new WeakSet<object>();
let kernelsRegistered = false;

function patchReadSync(backend: WebgpuBackendInternals): void {
  if (patched.has(backend)) return;
  patched.add(backend);
  const g = globalThis as unknown as { GPUBufferUsage: Record<string, number>; GPUMapMode: Record<string, number> };
  const usage = g.GPUBufferUsage.COPY_DST | g.GPUBufferUsage.MAP_READ;
  const original = backend.readSync.bind(backend);
  backend.readSync = function (this: WebgpuBackendInternals, dataId: object) {
    const d = this.tensorMap.get(dataId);
    if (d === undefined) throw new Error('webgpu readSync: tensor is not registered (disposed?)');
    if (d.values != null || d.dtype === 'string' || d.dtype === 'complex64' || d.resource === undefined) return original(dataId);
    const size = d.resource.size;
    const staging = this.bufferManager.acquireBuffer(size, usage);
    this.ensureCommandEncoderReady();
    this.endComputePassEncoder();
    this.commandEncoder.copyBufferToBuffer(d.resource, 0, staging, 0, size);
    this.submitQueue();
    mapReadSync(staging, g.GPUMapMode.READ);
    const bytes = staging.getMappedRange().slice(0);
    staging.unmap();
    this.bufferManager.releaseBuffer(staging);
    const vals = tf.util.convertBackendValuesAndArrayBuffer(bytes, d.dtype);
    this.convertAndCacheOnCPU(dataId, vals);
    return vals;
  };
}

/**
 * Linux without any GPU device node cannot have a hardware adapter: the automatic choice then skips
 * webgpu without loading Dawn (which would find only lavapipe, and print its driver's warnings).
 */
export function noGpuDeviceNode(): string | undefined {
  if (process.platform !== 'linux') return undefined;
  const nodes = ['/dev/nvidia0', '/dev/dxg'];
  try {
    for (const f of fs.readdirSync('/dev/dri')) if (f.startsWith('renderD')) nodes.push(`/dev/dri/${f}`);
  } catch {
    // no /dev/dri
  }
  if (nodes.some((n) => fs.existsSync(n))) return undefined;
  return 'webgpu: no GPU here (no /dev/dri/renderD*, /dev/nvidia0 or /dev/dxg); MCR2_BACKEND=webgpu tries a software adapter';
}

export interface WebgpuStart {
  provider: string;
  adapter: AdapterSummary;
}

/**
 * Makes webgpu the active tfjs backend. `allowSoftware` false (the automatic choice) refuses a
 * software adapter: lavapipe is ~30x slower than wasm.
 */
export async function startWebgpu(allowSoftware: boolean): Promise<WebgpuStart | string> {
  if (!allowSoftware) {
    const none = noGpuDeviceNode();
    if (none !== undefined) return none;
  }
  const a = await probeAdapter();
  if (typeof a === 'string') return a;
  if (a.software && !allowSoftware) {
    return `webgpu: only a software adapter (${a.description}), the CPU posing as a GPU and slower than wasm; MCR2_BACKEND=webgpu uses it anyway`;
  }
  const nav = (globalThis as { navigator?: Record<string, unknown> }).navigator;
  if (nav?.gpu !== gpu) {
    // Node ≥ 21 has a navigator without `gpu`; Node 20 has none.
    Object.defineProperty(globalThis, 'navigator', {
      value: { userAgent: nav?.userAgent ?? `Node.js/${process.versions.node}`, gpu },
      configurable: true,
      writable: true,
    });
  }
  if (tf.findBackendFactory('webgpu') === null) {
    try {
      require('@tensorflow/tfjs-backend-webgpu');
    } catch (e) {
      return `@tensorflow/tfjs-backend-webgpu not installed (${(e as Error).message.split('\n')[0]})`;
    }
    if (tf.findBackendFactory('webgpu') === null) return '@tensorflow/tfjs-backend-webgpu loaded but registered no webgpu backend';
  }
  try {
    if (!(await tf.setBackend('webgpu'))) return 'webgpu backend failed to initialise';
  } catch (e) {
    return `webgpu backend failed to initialise (${(e as Error).message.split('\n')[0]})`;
  }
  patchReadSync(tf.backend() as unknown as WebgpuBackendInternals);
  if (!kernelsRegistered) {
    registerWebgpuConvGrad();
    kernelsRegistered = true;
  }
  const version = (require('webgpu/package.json') as { version: string }).version;
  return {
    provider: `@tensorflow/tfjs-backend-webgpu on Dawn (webgpu ${version}), adapter ${a.description}${a.software ? ' (software adapter: the CPU, for testing only)' : ''}`,
    adapter: a,
  };
}
