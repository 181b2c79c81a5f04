// What each CLI value may be, by flag name (a flag means the same in every command): checked right
// after parsing, so `--bs 0`, `--lcr 1.5` or `--arch nope` are a usage error naming the flag and
// the allowed values, before any data is loaded.
import { CORRUPTIONS } from '../data/corrupt.js';
import { DATASET_NAMES, normaliseDatasetName } from '../data/index.js';
import { TRANSFORMS } from '../data/transforms.js';
import { ARCH_NAMES } from '../models/index.js';

type Check = (v: unknown) => string | undefined;

const intAtLeast =
  (min: number): Check =>
  (v) =>
    typeof v === 'number' && v < min ? `must be an integer ≥ ${min}` : undefined;
const positive: Check = (v) => (typeof v === 'number' && !(v > 0) ? 'must be > 0' : undefined);
const nonNegative: Check = (v) => (typeof v === 'number' && !(v >= 0) ? 'must be ≥ 0' : undefined);
const within =
  (lo: number, hi: number, hiOpen = false): Check =>
  (v) =>
    typeof v === 'number' && !(v >= lo && (hiOpen ? v < hi : v <= hi)) ? `must be in [${lo}, ${hi}${hiOpen ? ')' : ']'}` : undefined;
const oneOf =
  (names: readonly string[], norm: (s: string) => string = (s) => s.toLowerCase()): Check =>
  (v) =>
    typeof v === 'string' && !names.includes(norm(v)) ? `must be one of ${names.join(', ')}` : undefined;

export const FLAG_RANGES: Record<string, Check> = {
  bs: intAtLeast(1),
  fd: intAtLeast(1),
  epo: intAtLeast(1),
  aug: intAtLeast(1),
  k: intAtLeast(1),
  n: intAtLeast(1),
  n_comp: intAtLeast(1),
  gam: intAtLeast(1),
  subset: intAtLeast(0),
  lcs: intAtLeast(0),
  seed: intAtLeast(0),
  epoch: intAtLeast(0),
  pretrain_epo: intAtLeast(0),
  workers: intAtLeast(-1),
  chunk: intAtLeast(-1),
  lr: positive,
  eps: positive,
  gam1: positive,
  gam2: positive,
  tau: positive,
  wd: nonNegative,
  mom: within(0, 1, true),
  lcr: within(0, 1),
  milestones: (v) => (Array.isArray(v) && v.some((m) => m < 0) ? 'must be epoch numbers ≥ 0' : undefined),
  arch: oneOf(ARCH_NAMES),
  data: oneOf(DATASET_NAMES, normaliseDatasetName),
  transform: oneOf(Object.keys(TRANSFORMS)),
  sampler: oneOf(['random', 'balance'], (s) => s),
  loss: oneOf(['mcr2', 'ce'], (s) => s),
  corrupt: oneOf(CORRUPTIONS, (s) => s),
  profile: oneOf(['smoke', 'cpu', 'paper'], (s) => s),
};

/** The problem with `--name value`, in words, or undefined when the value is allowed. */
export function flagRangeError(name: string, value: unknown): string | undefined {
  const why = FLAG_RANGES[name]?.(value);
  return why === undefined ? undefined : `--${name} ${Array.isArray(value) ? value.join(',') : String(value)}: ${why}`;
}
