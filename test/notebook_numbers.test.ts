// Every decimal number in a notebook's prose is printed by one of its cells or cited from
// docs/reference-results.md: a reader can tell measured from remembered. Each number in the
// markdown cells must appear in that notebook's code or outputs, or in reference-results.md, as
// written or rounded from a longer printed value (a printed 0.4055 backs 0.406 or 0.41, never 0.40).
// The few that are neither (a theorem's number, a version) are listed below with the reason.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './helpers.js';

/** Numbers in prose that no cell prints and that are not results: notebook → number → why. */
const EXCEPTIONS: Record<string, Record<string, string>> = {
  '00_toy.ipynb': { '2.1': "the paper's Theorem 2.1, a theorem's number" },
};

interface Cell {
  cell_type: string;
  source: string | string[];
  outputs?: unknown[];
}

const joined = (s: string | string[]) => (Array.isArray(s) ? s.join('') : s);

/** Decimal numbers standing alone (not part of a word, a version or a longer number). */
export function decimals(text: string): string[] {
  return [...text.matchAll(/(?<![\w.])\d+\.\d+(?![\w.])/g)].map((m) => m[0]);
}

/** `v` (a decimal string) rounded half up to `d` decimals, as a person rounds a printed number. */
export function roundDecimal(v: string, d: number): string {
  const [int, frac] = v.split('.');
  if (frac.length <= d) return v;
  const digits = (int + frac.slice(0, d)).split('').map(Number);
  if (Number(frac[d]) >= 5) {
    let i = digits.length - 1;
    while (i >= 0 && digits[i] === 9) digits[i--] = 0;
    if (i < 0) digits.unshift(1);
    else digits[i]++;
  }
  const s = digits.join('');
  const cut = s.length - d;
  return `${s.slice(0, cut).replace(/^0+(?=\d)/, '') || '0'}${d > 0 ? `.${s.slice(cut)}` : ''}`;
}

/** Every way a printed decimal may be quoted: as printed, or rounded to fewer (≥ 1) decimals. */
export function backed(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(/\d+\.\d+/g)) {
    const v = m[0];
    const places = v.split('.')[1].length;
    for (let d = 1; d <= places; d++) out.add(roundDecimal(v, d));
  }
  return out;
}

test('roundDecimal rounds the printed digits half up', () => {
  assert.equal(roundDecimal('0.4055', 3), '0.406');
  assert.equal(roundDecimal('0.4055', 2), '0.41');
  assert.equal(roundDecimal('0.0725', 3), '0.073');
  assert.equal(roundDecimal('9.96', 1), '10.0');
  assert.equal(roundDecimal('12.44', 1), '12.4');
  assert.deepEqual(decimals('ratio 0.5 (v1.2.0, 2.6x, 0.41).'), ['0.5', '0.41']);
});

test('every decimal number in the notebooks’ prose is printed by a cell or cited from docs/reference-results.md', () => {
  const ref = backed(fs.readFileSync(path.join(ROOT, 'docs', 'reference-results.md'), 'utf8'));
  const dir = path.join(ROOT, 'notebooks');
  const problems: string[] = [];
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.ipynb'));
  assert.ok(files.length >= 8, 'notebooks 00 to 07 at least');
  for (const f of files.sort()) {
    const cells: Cell[] = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')).cells;
    const prose = cells
      .filter((c) => c.cell_type === 'markdown')
      .map((c) => joined(c.source))
      .join('\n');
    const code = cells
      .filter((c) => c.cell_type === 'code')
      .map((c) => joined(c.source) + JSON.stringify(c.outputs ?? []))
      .join('\n');
    const have = backed(code);
    const except = EXCEPTIONS[f] ?? {};
    const missing = [...new Set(decimals(prose))].filter((n) => !have.has(n) && !ref.has(n) && !(n in except));
    if (missing.length > 0) problems.push(`${f}: ${missing.join(' ')}`);
    for (const n of Object.keys(except))
      if (!decimals(prose).includes(n)) problems.push(`${f}: the exception for ${n} is no longer needed`);
  }
  assert.deepEqual(
    problems,
    [],
    `numbers in notebook prose that no cell prints and reference-results.md does not hold:\n${problems.join('\n')}`,
  );
});
