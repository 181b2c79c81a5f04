// Option specs (spec.ts) on the command line, the official style: `--flag value` or `--flag=value`,
// booleans as bare `--flag`, a list as `--classes 0,1` or `--classes 0 1`, a flag abbreviated to any unique prefix (argparse's allow_abbrev: an
// exact name wins, an ambiguous prefix is refused naming its candidates), every value read by its
// row's kind and every unknown flag reported by name. `--help` and the flag tables of docs/cli.md
// are written from the same rows.
import { cliName, type InputOf, type Option, type Spec } from './spec.js';

export class UsageError extends Error {}

function convert(name: string, r: Option<unknown>, raw: string): unknown {
  switch (r.kind) {
    case 'int': {
      const v = Number(raw);
      if (raw.trim() === '' || !Number.isInteger(v)) throw new UsageError(`--${name}: expected an integer, got '${raw}'`);
      return v;
    }
    case 'float': {
      const v = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(v)) throw new UsageError(`--${name}: expected a number, got '${raw}'`);
      return v;
    }
    case 'ints': {
      if (raw.trim() === '' || raw === 'none') return [];
      return raw.split(',').map((s) => {
        const v = Number(s);
        if (!Number.isInteger(v)) throw new UsageError(`--${name}: expected comma-separated integers, got '${raw}'`);
        return v;
      });
    }
    case 'bool':
      if (['1', 'true', 'yes'].includes(raw.toLowerCase())) return true;
      if (['0', 'false', 'no'].includes(raw.toLowerCase())) return false;
      throw new UsageError(`--${name}: expected true or false, got '${raw}'`);
    default:
      return raw;
  }
}

/** The spec's flags as typed (without --) → option key. */
function flagsOf(spec: Spec): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, r] of Object.entries(spec)) {
    const n = cliName(r);
    if (n !== undefined) out.set(n, k);
  }
  return out;
}

/**
 * The flag `typed` (without its --) stands for: itself, or the one flag it begins (argparse's
 * abbreviations); an ambiguous or unknown one is a UsageError naming the candidates.
 */
export function resolveFlag(typed: string, spec: Spec): string {
  return matchFlag(typed, flagsOf(spec));
}

function matchFlag(typed: string, flags: Map<string, string>): string {
  if (flags.has(typed)) return typed;
  const candidates = typed === '' ? [] : [...flags.keys()].filter((f) => f.startsWith(typed));
  if (candidates.length === 1) return candidates[0];
  if (candidates.length > 1)
    throw new UsageError(
      `ambiguous flag --${typed}: could be ${candidates
        .map((c) => `--${c}`)
        .join(', ')
        .replace(/, ([^,]*)$/, ' or $1')}`,
    );
  const known = [...flags.keys()].map((f) => `--${f}`).join(' ');
  throw new UsageError(`unknown flag --${typed}; this command takes: ${known}`);
}

/**
 * The options the flags give (only those given: the library fills in the defaults), typed by the
 * spec; a flag the command requires and lacks is a UsageError.
 */
export function parseArgs<S extends Spec>(argv: readonly string[], spec: S): InputOf<S> {
  const flags = flagsOf(spec);
  const out: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new UsageError(`unexpected argument '${a}' (flags start with --)`);
    const eq = a.indexOf('=');
    const name = matchFlag(a.slice(2, eq < 0 ? undefined : eq), flags);
    const key = flags.get(name) ?? name;
    const r = spec[key];
    let raw: string | undefined = eq < 0 ? undefined : a.slice(eq + 1);
    if (raw === undefined && r.kind !== 'bool') {
      raw = argv[++i];
      if (raw === undefined) throw new UsageError(`--${name} needs a value`);
      // A list takes the values that follow as well (argparse's nargs='+': `--classes 0 1 7`).
      if (r.kind === 'ints') while (i + 1 < argv.length && !argv[i + 1].startsWith('--')) raw += `,${argv[++i]}`;
    }
    const v = raw === undefined ? true : convert(name, r, raw);
    out[key] = r.negate ? v !== true : v;
  }
  const missing = Object.entries(spec).flatMap(([k, r]) =>
    r.required && (out[k] === undefined || out[k] === '') ? [`--${cliName(r) ?? k}`] : [],
  );
  if (missing.length > 0) throw new UsageError(`the following arguments are required: ${missing.join(', ')}`);
  return out as InputOf<S>;
}

function showDefault(r: Option<unknown>, empty: string): string {
  const v = r.default;
  if (r.kind === 'bool' || r.required || v === undefined || v === null) return empty;
  if (Array.isArray(v)) return v.length === 0 ? 'none' : v.join(',');
  if (v === '') return "''";
  return String(v);
}

/** `mcr2 <command> --help`: every flag of the spec with its help and default. */
export function usage(command: string, about: string, spec: Spec): string {
  const rows = Object.values(spec).flatMap((r) => {
    const n = cliName(r);
    if (n === undefined) return [];
    const d = showDefault(r, '');
    const def = d === '' ? '' : ` (default: ${d === "''" ? '' : d})`;
    const arg = r.kind === 'bool' ? '' : ` ${r.kind === 'ints' ? 'A,B,..' : r.kind.toUpperCase()}`;
    return [`  --${n}${arg}\n      ${r.help}${def}`];
  });
  return `usage: mcr2 ${command} [flags]\n\n${about}\n\n${rows.join('\n')}\n`;
}

/** docs/cli.md's table of one command's flags (test/flags.test.ts compares; scripts/cli-doc-flags.ts writes). */
export function flagTableMarkdown(spec: Spec): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  const rows = Object.entries(spec).flatMap(([k, r]) => {
    const n = cliName(r);
    return n === undefined
      ? []
      : [`| \`--${n}\` | \`${k}\`${r.negate ? ' = false' : ''} | ${cell(showDefault(r, ''))} | ${cell(r.help)} |`];
  });
  return ['| flag | option | default | help |', '|---|---|---|---|', ...rows].join('\n');
}
