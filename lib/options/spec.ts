// One row per option, and everything else derived from it: the option types (OptionsOf), the
// defaults objects (defaultsOf), the checks (resolve: defaults filled in, values normalised,
// every row's check; errors name the option), the params.json record of a run (toParams /
// fromParams: the rows' flags are the official names, used as params.json keys), which options
// say which run folder it is (identityKeys), and, in flags.ts, the CLI flags (abbreviations too), --help and
// the flag tables of docs/cli.md. A row:
//
//   featureDim: opt.int(128, { flag: 'fd', min: 1, identity: true, help: 'dimension of feature dimension' }),
//
// Adding an option is adding a row to its spec (docs/layout.md shows one, end to end).
import { checkInt, checkInts, checkKnownKeys, checkNumber, checkOneOf, type OptionNamer } from './checks.js';

/** How a flag's text is read. */
export type ValueKind = 'int' | 'float' | 'string' | 'bool' | 'ints';

/** One option: its default, what it means, how it is checked and named outside the library. */
export interface Option<T> {
  kind: ValueKind;
  default: T;
  /** One line for --help and the docs (the official script's help text where there is one). */
  help: string;
  /** The official name: the CLI flag (`--fd`) and, for training, the params.json key. Undefined: library only. */
  flag?: string;
  /** A bool option whose flag sets it to false: `--no_shuffle` → shuffle: false. */
  negate?: boolean;
  /** Part of which run folder it is: must equal the folder's params.json to resume it (and names it). */
  identity?: boolean;
  /** The command cannot run without it (the CLI says, as argparse, `the following arguments are required: --model_dir`). */
  required?: boolean;
  /** Checks the (normalised) value, throwing an OptionError that names `key`. */
  check?(o: object, key: string): void;
  /** The value as the library uses it (a dataset's official name, a default folder for null). */
  normalise?(v: T): T;
}

/** A spec: option name (camelCase, as the library and notebooks spell it) → its row. */
export type Spec = Record<string, Option<unknown>>;

/** The resolved options of a spec: every option, typed by its row. */
export type OptionsOf<S extends Spec> = { -readonly [K in keyof S]: S[K] extends Option<infer T> ? T : never };

type RequiredKeys<S extends Spec> = { [K in keyof S]: S[K] extends { required: true } ? K : never }[keyof S];

/** What a caller passes: any option, and those the spec requires. */
export type InputOf<S extends Spec> = Partial<OptionsOf<S>> & Pick<OptionsOf<S>, RequiredKeys<S>>;

interface Named {
  help: string;
  flag?: string;
  identity?: boolean;
}

const row = <T>(kind: ValueKind, def: T, o: Named, check?: (o: object, key: string) => void): Option<T> => ({
  kind,
  default: def,
  ...o,
  ...(check ? { check } : {}),
});

/** The row constructors: each option's type, default, check and names in one call. */
export const opt = {
  /** An integer in [min, max]. */
  int: (def: number, o: Named & { min: number; max?: number }): Option<number> =>
    row('int', def, pick(o), (x, k) => checkInt(x, k, o.min, o.max)),
  /** An integer ≥ min, or null (not given: e.g. "the latest"). */
  intOrNull: (def: number | null, o: Named & { min: number }): Option<number | null> =>
    row('int', def, pick(o), (x, k) => {
      if (Reflect.get(x, k) !== null) checkInt(x, k, o.min);
    }),
  /** A finite number, optionally in [min, max] or above a bound. */
  float: (def: number, o: Named & { min?: number; max?: number; above?: number }): Option<number> =>
    row('float', def, pick(o), (x, k) => checkNumber(x, k, { min: o.min, max: o.max, above: o.above })),
  /** One of `values` (typed as their union). */
  choice: <const T extends string>(def: T, values: readonly T[], o: Named & { normalise?: (v: T) => T }): Option<T> =>
    withNormalise(
      row('string', def, pick(o), (x, k) => checkOneOf(x, k, values)),
      o.normalise,
    ),
  /** Free text (a name, a tail, a folder). */
  text: (def: string, o: Named): Option<string> => row('string', def, pick(o)),
  /** A folder or file, or null: the library's own choice (normalise fills it in). */
  path: (def: string | null, o: Named & { normalise?: (v: string | null) => string | null }): Option<string | null> =>
    withNormalise(row('string', def, pick(o)), o.normalise),
  /** An integer ≥ min, or undefined: not given (e.g. "the latest epoch"). */
  maybeInt: (o: Named & { min: number }): Option<number | undefined> =>
    row('int', undefined, pick(o), (x, k) => {
      if (Reflect.get(x, k) !== undefined) checkInt(x, k, o.min);
    }),
  /** Text or undefined: not given (the library's own choice, e.g. the run's dataset folder). */
  maybeText: (o: Named): Option<string | undefined> => row('string', undefined, pick(o)),
  /** A path the command needs (no default). */
  required: (o: Named): Option<string> & { required: true } => requiredRow(row('string', '', pick(o))),
  /** On or off; `negate`: its flag turns it off (--no_<flag>). */
  bool: (def: boolean, o: Named & { negate?: boolean }): Option<boolean> => ({
    ...row('bool', def, pick(o)),
    ...(o.negate ? { negate: true } : {}),
  }),
  /** Integers ≥ min (comma-separated on the CLI; `none` for an empty list). */
  ints: (def: number[], o: Named & { min: number; what: string }): Option<number[]> =>
    row('ints', def, pick(o), (x, k) => checkInts(x, k, o.min, o.what)),
};

const pick = (o: Named): Named => ({
  help: o.help,
  ...(o.flag !== undefined ? { flag: o.flag } : {}),
  ...(o.identity ? { identity: true } : {}),
});

function withNormalise<T>(r: Option<T>, f?: (v: T) => T): Option<T> {
  return f ? { ...r, normalise: f } : r;
}

/** The row, required: callers must give it (its type says so) and the CLI refuses to run without it. */
export function requiredRow<R extends Option<unknown>>(r: R): R & { required: true } {
  return { ...r, required: true };
}

/** The same row with another default (and help): one kind's default where it differs from another's. */
export function withDefault<R extends Option<unknown>>(r: R, def: R['default'], help?: string): R {
  return { ...r, default: def, ...(help !== undefined ? { help } : {}) };
}

/** One row per name (a flag per evaluation method, per figure), each from `make`. */
export function rowsFor<K extends string, T>(names: readonly K[], make: (name: K) => Option<T>): Record<K, Option<T>> {
  const out: Partial<Record<K, Option<T>>> = {};
  for (const k of names) out[k] = make(k);
  return out as Record<K, Option<T>>;
}

/** The same row with another help line (where a command uses it for something narrower). */
export function withHelp<R extends Option<unknown>>(r: R, help: string): R {
  return { ...r, help };
}

/** The defaults of a spec (arrays copied). */
export function defaultsOf<S extends Spec>(spec: S): OptionsOf<S> {
  const out: Record<string, unknown> = {};
  for (const [k, r] of Object.entries(spec)) out[k] = Array.isArray(r.default) ? [...r.default] : r.default;
  return out as OptionsOf<S>;
}

/**
 * The options: defaults filled in for what is not given (undefined counts as not given), unknown
 * names refused (`what` names the spec in that error), values normalised, then every row's check
 * in row order. Errors are OptionErrors naming the option key.
 */
export function resolve<S extends Spec>(spec: S, given: Partial<OptionsOf<S>>, what: string): OptionsOf<S> {
  checkKnownKeys(given, spec, what);
  const o: Record<string, unknown> = defaultsOf(spec);
  for (const [k, v] of Object.entries(given)) if (v !== undefined) o[k] = v;
  for (const [k, r] of Object.entries(spec)) if (r.normalise) o[k] = r.normalise(o[k]);
  for (const [k, r] of Object.entries(spec)) r.check?.(o, k);
  return o as OptionsOf<S>;
}

/** Options as params.json records them: each flagged option under its flag. */
export function toParams<S extends Spec>(spec: S, o: OptionsOf<S>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, r] of Object.entries(spec)) if (r.flag !== undefined) out[r.flag] = Reflect.get(o, k);
  return out;
}

/** Options from params.json: each flagged option its recorded value (absent: left out, so the default applies). */
export function fromParams<S extends Spec>(spec: S, params: Record<string, unknown>): Partial<OptionsOf<S>> {
  const out: Record<string, unknown> = {};
  for (const [k, r] of Object.entries(spec)) if (r.flag !== undefined && params[r.flag] !== undefined) out[k] = params[r.flag];
  return out as Partial<OptionsOf<S>>;
}

/** The params.json keys of the options that say which run folder it is. */
export function identityKeys(spec: Spec): string[] {
  return Object.values(spec).flatMap((r) => (r.identity && r.flag !== undefined ? [r.flag] : []));
}

/** The flag as typed on the CLI (without --): `no_<flag>` for a negating one. */
export function cliName(r: Option<unknown>): string | undefined {
  return r.flag === undefined ? undefined : r.negate ? `no_${r.flag}` : r.flag;
}

/** Option key → the flag a CLI user typed ('batchSize' → '--bs'); keys without a flag stay as they are. */
export function flagNamer(spec: Spec): OptionNamer {
  return (key) => {
    const n = key in spec ? cliName(spec[key]) : undefined;
    return n === undefined ? key : `--${n}`;
  };
}
