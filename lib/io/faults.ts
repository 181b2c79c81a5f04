// Named fault points for the crash tests (test/faults.test.ts, scripts/faults.ts): every place where
// a run folder changes on disk calls faultPoint(label), every write that can be cut calls
// tornWrite(label + ':torn'). Production code reads nothing here: they are no-ops until a test
// installs a FaultInjector (test/fault_cli.ts does, in the CLI processes it kills), which may
// record the labels reached or kill the process at one, as a `kill -9` from outside would.

/** What a test does at the fault points; each method optional. */
export interface FaultInjector {
  /** Called with each label reached (`write:…`, `rename:…`, `append:…`, `remove:…`). */
  point?(label: string): void;
  /** True when the write at this ':torn' label must stop half-way (the caller then calls tornDie). */
  torn?(label: string): boolean;
}

let injector: FaultInjector | undefined;

/** Installs the test's injector (undefined: none). */
export function injectFaults(f: FaultInjector | undefined): void {
  injector = f;
}

/** A place where a run folder changes on disk. */
export function faultPoint(label: string): void {
  injector?.point?.(label);
}

/** True when the write at this ':torn' label must stop half-way. */
export function tornWrite(label: string): boolean {
  return injector?.torn?.(label) === true;
}

/** Dies mid-write, as a kill at that moment would (after tornWrite said so). */
export function tornDie(): never {
  process.kill(process.pid, 'SIGKILL');
  // SIGKILL is delivered at once; never reached.
  throw new Error('unreachable');
}
