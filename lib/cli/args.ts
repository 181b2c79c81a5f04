// A small flag parser for the official-style CLI: `--flag value` or `--flag=value`, booleans as
// bare `--flag`, every value checked and every unknown flag reported by name. As Python's argparse
// (allow_abbrev=True, what the official scripts use), a unique prefix stands for its flag
// (`--ar resnet18`, `--save_d runs/`), an exact name wins over longer ones, and an ambiguous prefix
// is refused naming the candidates (`--ep`: `--epo` or `--eps`).

export type FlagType = 'int' | 'float' | 'string' | 'bool' | 'ints';

export interface FlagSpec {
  type: FlagType;
  help: string;
  default?: unknown;
}

export type FlagSpecs = Record<string, FlagSpec>;

export class UsageError extends Error {}

function convert(name: string, spec: FlagSpec, raw: string): unknown {
  switch (spec.type) {
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

/**
 * The flag that `typed` (without its --) stands for: itself when it is a flag, else the one flag
 * it is a prefix of. An ambiguous or unknown prefix is a UsageError naming the candidates.
 */
export function resolveFlag(typed: string, specs: FlagSpecs): string {
  if (Object.hasOwn(specs, typed)) return typed;
  const matches = typed === '' ? [] : Object.keys(specs).filter((k) => k.startsWith(typed));
  if (matches.length === 1) return matches[0];
  if (matches.length > 1)
    throw new UsageError(
      `ambiguous flag --${typed}: could be ${matches
        .map((k) => `--${k}`)
        .join(', ')
        .replace(/, ([^,]*)$/, ' or $1')}`,
    );
  const known = Object.keys(specs)
    .map((k) => `--${k}`)
    .join(' ');
  throw new UsageError(`unknown flag --${typed}; this command takes: ${known}`);
}

export function parseFlags(argv: string[], specs: FlagSpecs): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(specs)) if (s.default !== undefined) out[k] = s.default;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new UsageError(`unexpected argument '${a}' (flags start with --)`);
    const eq = a.indexOf('=');
    const name = resolveFlag(a.slice(2, eq < 0 ? undefined : eq), specs);
    const spec = specs[name];
    let raw: string | undefined = eq < 0 ? undefined : a.slice(eq + 1);
    if (raw === undefined) {
      if (spec.type === 'bool') {
        out[name] = true;
        continue;
      }
      raw = argv[++i];
      if (raw === undefined) throw new UsageError(`--${name} needs a value`);
    }
    out[name] = convert(name, spec, raw);
  }
  return out;
}

export function usage(command: string, about: string, specs: FlagSpecs): string {
  const rows = Object.entries(specs).map(([k, s]) => {
    const def =
      s.default === undefined || s.default === null
        ? ''
        : ` (default: ${Array.isArray(s.default) ? s.default.join(',') || 'none' : String(s.default)})`;
    const arg = s.type === 'bool' ? '' : ` ${s.type === 'ints' ? 'A,B,..' : s.type.toUpperCase()}`;
    return `  --${k}${arg}\n      ${s.help}${def}`;
  });
  return `usage: mcr2 ${command} [flags]\n\n${about}\n\n${rows.join('\n')}\n`;
}
