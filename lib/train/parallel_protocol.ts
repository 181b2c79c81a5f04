// Shared-memory protocol between the training thread and its data-parallel workers.
// Each worker has a control block of Int32 slots; the main thread and the worker hand a step back
// and forth by storing a step number in a slot and waking the other side (Atomics.wait/notify):
//   GO      main → worker: a batch slice is in `input`, weights version in PARAMS
//   Z       worker → main: the slice's features are in `z`
//   DZ      main → worker: ∂loss/∂features of the slice are in `dz`
//   GRADS   worker → main: the slice's parameter gradients are in `grads`
export const SLOT = {
  GO: 0,
  Z: 1,
  DZ: 2,
  GRADS: 3,
  ROWS: 4,
  H: 5,
  W: 6,
  C: 7,
  PARAMS: 8,
  ERROR: 9,
  STOP: 10,
} as const;
export const CTRL_SLOTS = 16;
export const ERROR_BYTES = 4096;

export interface WorkerInit {
  arch: string;
  fd: number;
  seed: number;
  inputShape: [number, number, number];
  logits?: number;
  chunk: number;
  backend: string;
  ctrl: SharedArrayBuffer;
  input: SharedArrayBuffer;
  z: SharedArrayBuffer;
  dz: SharedArrayBuffer;
  grads: SharedArrayBuffer;
  params: SharedArrayBuffer;
  paramsVersion: SharedArrayBuffer;
  error: SharedArrayBuffer;
}

/** Blocks until ctrl[slot] equals `want` (or an error is flagged); false on timeout. */
export function waitFor(ctrl: Int32Array, slot: number, want: number, timeoutMs: number): boolean {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = Atomics.load(ctrl, slot);
    if (v === want || Atomics.load(ctrl, SLOT.ERROR) !== 0) return true;
    const left = deadline - Date.now();
    if (left <= 0) return false;
    Atomics.wait(ctrl, slot, v, Math.min(left, 1000));
  }
}

export function signal(ctrl: Int32Array, slot: number, value: number): void {
  Atomics.store(ctrl, slot, value);
  Atomics.notify(ctrl, slot);
}

export function writeError(buf: SharedArrayBuffer, ctrl: Int32Array, message: string): void {
  const bytes = new TextEncoder().encode(message).subarray(0, ERROR_BYTES);
  new Uint8Array(buf).fill(0).set(bytes);
  Atomics.store(ctrl, SLOT.ERROR, 1);
  for (let s = 0; s < CTRL_SLOTS; s++) Atomics.notify(ctrl, s);
}

export function readError(buf: SharedArrayBuffer): string {
  const b = new Uint8Array(buf);
  const end = b.indexOf(0);
  return new TextDecoder().decode(b.slice(0, end < 0 ? b.length : end));
}
