// Synchronous GPU → CPU reads on dawn.node (npm `webgpu`), so that `dataSync()` works on the webgpu
// backend in Node as it does on wasm: the whole library (the MCR² loss reading its Gram matrices,
// checkpoints, augmentation) reads tensors synchronously.
//
// WebGPU only offers `buffer.mapAsync()`. dawn.node completes it when its "async runner" calls the
// Dawn instance's ProcessEvents, which it schedules with the global `setImmediate` (a native,
// unnamed, argument-less callback that re-schedules itself while work is pending). We wrap
// `setImmediate` before dawn.node loads, keep the latest such callback, and while a map is pending
// run it ourselves instead of returning to the event loop. tfjs-backend-webgpu's own readSync needs
// OffscreenCanvas, which Node does not have. If a dawn.node version stops scheduling this way,
// mapReadSync fails with an error saying so (it never hangs).
const realSetImmediate = globalThis.setImmediate;
let pendingTick: (() => void) | undefined;
let installed = false;
const sleeper = new Int32Array(new SharedArrayBuffer(4));
// Pause between polls (ms): leaves the cores to a software adapter's threads; 1 ms measured no better.
const POLL_MS = 0.02;

function isDawnTick(fn: unknown, args: unknown[]): fn is () => void {
  return typeof fn === 'function' && args.length === 0 && fn.name === '' && Function.prototype.toString.call(fn).includes('[native code]');
}

/** Wraps the global setImmediate; must run before `webgpu` is loaded. */
export function installTickCapture(): void {
  if (installed) return;
  installed = true;
  const wrapped = (fn: (...a: unknown[]) => void, ...args: unknown[]) => {
    if (!isDawnTick(fn, args)) return realSetImmediate(fn, ...args);
    let done = false;
    const run = () => {
      if (done) return;
      done = true;
      fn();
    };
    pendingTick = run;
    return realSetImmediate(() => {
      if (pendingTick === run) pendingTick = undefined;
      run();
    });
  };
  // Keep util.promisify(setImmediate) and any other property of the original.
  Object.assign(wrapped, realSetImmediate);
  Object.defineProperty(wrapped, Symbol.for('nodejs.util.promisify.custom'), {
    value: (realSetImmediate as unknown as Record<symbol, unknown>)[Symbol.for('nodejs.util.promisify.custom')],
  });
  globalThis.setImmediate = wrapped as unknown as typeof setImmediate;
}

/** The slice of a GPUBuffer used here. */
export interface MappableBuffer {
  mapAsync(mode: number): Promise<void>;
  readonly mapState: string;
}

/**
 * Maps `buffer` for reading and waits for it, running dawn.node's event processing on this thread.
 * `timeoutMs` bounds the wait (a long GPU queue is waited for: the map completes after it).
 */
export function mapReadSync(buffer: MappableBuffer, mode: number, timeoutMs = 600_000): void {
  if (!installed) throw new Error('webgpu: synchronous reads need installTickCapture() before the webgpu package loads');
  let failure: unknown;
  buffer.mapAsync(mode).catch((e: unknown) => {
    failure = e;
  });
  const t0 = Date.now();
  let idleSince = Date.now();
  while (buffer.mapState === 'pending') {
    if (Date.now() - t0 > timeoutMs) throw new Error(`webgpu: a synchronous read took over ${timeoutMs / 1000} s`);
    const tick = pendingTick;
    if (tick !== undefined) {
      pendingTick = undefined;
      tick();
      idleSince = Date.now();
      if (buffer.mapState === 'pending') Atomics.wait(sleeper, 0, 0, POLL_MS);
      continue;
    }
    if (Date.now() - idleSince > 2000) {
      throw new Error(
        'webgpu: a synchronous read waited 2 s without dawn.node scheduling its event processing ' +
          '(this webgpu package version schedules differently; use await tensor.data())',
      );
    }
    Atomics.wait(sleeper, 0, 0, 0.05);
  }
  if (buffer.mapState !== 'mapped') {
    throw new Error(`webgpu: mapping a buffer for reading failed (${failure === undefined ? buffer.mapState : String(failure)})`);
  }
}
