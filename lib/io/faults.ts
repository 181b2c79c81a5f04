// Named fault points for the crash tests (test/faults.test.ts, scripts/faults.ts): every place where
// a run folder changes on disk calls faultPoint(label). Unless the environment asks for it this is a
// no-op. MCR2_FAULT_TRACE=<file> appends each label reached (to learn a run's kill points);
// MCR2_FAULT_KILL_AT=<label>[|<label>...] makes the process SIGKILL itself at the first of those
// labels it reaches, as a `kill -9` from outside would at that moment. Labels ending in ':torn' are where a write is cut:
// the caller writes only part of its bytes when tornWrite(label) says so, then dies.
import * as fs from 'node:fs';

const trace = process.env.MCR2_FAULT_TRACE;
const killAt = process.env.MCR2_FAULT_KILL_AT ? new Set(process.env.MCR2_FAULT_KILL_AT.split('|')) : undefined;

function die(): never {
  process.kill(process.pid, 'SIGKILL');
  // SIGKILL is delivered at once; never reached.
  throw new Error('unreachable');
}

/** Records label (when tracing) and dies there when asked to. */
export function faultPoint(label: string): void {
  if (trace) fs.appendFileSync(trace, `${label}\n`);
  if (killAt?.has(label)) die();
}

/** True when the write at this ':torn' label must stop half-way (the caller then calls tornDie). */
export function tornWrite(label: string): boolean {
  if (trace) fs.appendFileSync(trace, `${label}\n`);
  return killAt?.has(label) === true;
}

export function tornDie(): never {
  return die();
}

const nanAt = process.env.MCR2_FAULT_NAN_AT;

/** MCR2_FAULT_NAN_AT=<epoch>:<step>: that step's loss reads NaN (to test how training stops). */
export function injectedNaN(epoch: number, step: number): boolean {
  return nanAt === `${epoch}:${step}`;
}
