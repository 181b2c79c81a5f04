// Validation of option objects, with messages that name the option as the caller spelled it: the
// library and notebooks see `batchSize`, the CLI rewrites the same error as `--bs` (lib/options/spec.ts's
// maps one to the other). An OptionError carries the option's key and a message template; `message`
// names the key itself.

/** Turns an option key (e.g. 'batchSize') into what the caller typed (e.g. '--bs'). */
export type OptionNamer = (option: string) => string;

export class OptionError extends Error {
  /**
   * option: the key in the options object; text: the message with `name` standing for the option,
   * e.g. (n) => `${n} must be a positive integer, got 0`.
   */
  constructor(
    readonly option: string,
    private readonly text: (name: string) => string,
  ) {
    super(text(option));
    this.name = 'OptionError';
  }

  /** The same message with the option called `name(option)` (the CLI passes its flag names). */
  messageFor(name: OptionNamer): string {
    return this.text(name(this.option));
  }
}

/**
 * The checks every option object uses (training options, the estimators); each throws an
 * OptionError naming `key`, after `where: ` when given (e.g. 'KMeans'). checkInt returns the value.
 */
export function checkInt(o: object, key: string, min: number, max = Infinity, where?: string): number {
  const v = (o as Record<string, unknown>)[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    const what = max !== Infinity ? `in ${min}..${max}` : min === 1 ? 'a positive integer' : `an integer ≥ ${min}`;
    const at = where === undefined ? '' : `${where}: `;
    throw new OptionError(key, (n) => `${at}${n} must be ${what}, got ${String(v)}`);
  }
  return v;
}

export function checkNumber(o: object, key: string, range: { min?: number; max?: number; above?: number } = {}): void {
  const v = (o as Record<string, unknown>)[key];
  const ok =
    typeof v === 'number' &&
    Number.isFinite(v) &&
    (range.min === undefined || v >= range.min) &&
    (range.max === undefined || v <= range.max) &&
    (range.above === undefined || v > range.above);
  if (ok) return;
  let what = 'a finite number';
  if (range.min !== undefined && range.max !== undefined) what = `in [${range.min}, ${range.max}]`;
  else if (range.min !== undefined) what = `a number ≥ ${range.min}`;
  else if (range.above !== undefined) what = `a number > ${range.above}`;
  throw new OptionError(key, (n) => `${n} must be ${what}, got ${String(v)}`);
}

export function checkOneOf(o: object, key: string, allowed: readonly string[]): void {
  const v = (o as Record<string, unknown>)[key];
  if (typeof v !== 'string' || !allowed.includes(v))
    throw new OptionError(key, (n) => `unknown ${n} '${String(v)}'; available: ${allowed.join(', ')}`);
}

export function checkInts(o: object, key: string, min: number, what: string): void {
  const v = (o as Record<string, unknown>)[key];
  if (!Array.isArray(v) || v.some((x) => !Number.isInteger(x) || x < min))
    throw new OptionError(key, (n) => `${n} must be ${what}, got ${JSON.stringify(v)}`);
}

/** Options the object does not know (a typo such as `batchsize`) are errors, not silently ignored. */
export function checkKnownKeys(o: object, known: object, what: string): void {
  const keys = Object.keys(known);
  for (const k of Object.keys(o)) {
    if ((o as Record<string, unknown>)[k] === undefined) continue;
    if (!keys.includes(k)) throw new OptionError(k, (n) => `unknown ${what} option ${n}; known: ${keys.join(', ')}`);
  }
}
