// The mcr2 CLI with the crash tests' faults injected (what test/fault_harness.ts launches): the same
// main() as dist/lib/cli/main.js, with a FaultInjector and a training fault built here from the
// test's environment, so that production code reads no test switch.
//   MCR2_FAULT_TRACE=<file>              append each fault label reached (to learn a run's kill points)
//   MCR2_FAULT_KILL_AT=<label>[|<label>] SIGKILL this process at the first of those labels it reaches
//   MCR2_FAULT_NAN_AT=<epoch>:<step>     that step's loss reads NaN (how training stops)
import * as fs from 'node:fs';
import { injectFaults } from '../lib/io/faults.js';
import { main } from '../lib/cli/main.js';

const trace = process.env.MCR2_FAULT_TRACE;
const killAt = new Set((process.env.MCR2_FAULT_KILL_AT ?? '').split('|').filter((s) => s !== ''));
const nanAt = process.env.MCR2_FAULT_NAN_AT;

const reached = (label: string): boolean => {
  if (trace) fs.appendFileSync(trace, `${label}\n`);
  return killAt.has(label);
};

injectFaults({
  point: (label) => {
    if (reached(label)) process.kill(process.pid, 'SIGKILL');
  },
  torn: reached,
});

// Without a command (a test runner loading every file of test/) there is nothing to run.
if (process.argv.length > 2)
  main(process.argv.slice(2), { trainHooks: { faults: { nanLoss: (epoch, step) => nanAt === `${epoch}:${step}` } } }).then(
    (code) => process.exit(code),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
