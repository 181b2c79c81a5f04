// A command of `mcr2`: what it does, its option spec (lib/options/spec.ts: flags, --help, the
// docs/cli.md table, the flag names of error messages) and what it runs on the parsed options.
import type { InputOf, Spec } from '../options/spec.js';
import type { TrainHooks } from '../train/callbacks.js';
import { parseArgs } from '../options/flags.js';

/** What a caller of main() may add to a run (test/fault_cli.ts injects its faults). */
export interface MainOptions {
  /** Hooks for the training commands' Trainer. */
  trainHooks?: TrainHooks;
}

export interface Command {
  about: string;
  spec: Spec;
  /** Arguments after a leading positional one (mcr2 download <dataset>), named in the usage line. */
  positional?: string;
  run(argv: string[], m: MainOptions): Promise<void>;
}

/** A command whose flags are `spec`'s, run on the options they give (typed by the spec). */
export function command<S extends Spec>(about: string, spec: S, run: (o: InputOf<S>, m: MainOptions) => Promise<void>): Command {
  return { about, spec, run: (argv, m) => run(parseArgs(argv, spec), m) };
}
