// Promise 2, a bad or hostile file gets a clear error: every reader of outside bytes fuzzed with
// seeded mutations and hand-made hostile files (test/fuzz_harness.ts). CI-sized here; `npm run
// faults` runs many more (MCR2_FUZZ_CASES). Each case must end in a result or an Error naming the
// file, within CASE_MS and 64 MB + 16x its size of memory growth.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { FORMATS, fuzzFormat } from './fuzz_harness.js';

const CASES = Number(process.env.MCR2_FUZZ_CASES ?? 150);

test(`every reader, ${CASES} seeded mutations per format plus hostile files: a result or a named error, bounded time and memory`, async (t) => {
  let total = 0;
  const failures: string[] = [];
  for (const [i, fmt] of FORMATS.entries()) {
    const s = await fuzzFormat(fmt, fmt.async ? Math.ceil(CASES / 3) : CASES, 1000 + i);
    total += s.cases;
    t.diagnostic(
      `${s.format}: ${s.cases} cases, ${s.errors} named errors, ${s.ok} loaded; slowest ${s.maxMs.toFixed(1)} ms, most memory ${s.maxMB.toFixed(1)} MB`,
    );
    failures.push(...s.failures);
  }
  t.diagnostic(`${total} cases in all`);
  assert.deepEqual(failures, [], failures.slice(0, 30).join('\n'));
});

test('archives never write outside their destination: .., absolute paths, pax and long names, symlinks, hard links', async () => {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const { extractTar } = await import('../lib/data/tar.js');
  const { makeTar, paxRecord } = await import('./fuzz_harness.js');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-escape-'));
  const outside = path.join(root, 'outside');
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'keep.txt'), 'original');
  const extract = async (entries: Parameters<typeof makeTar>[0], prepare?: (dest: string) => void) => {
    const box = fs.mkdtempSync(path.join(root, 'box-'));
    const file = path.join(box, 'a.tar');
    fs.writeFileSync(file, makeTar(entries));
    const dest = path.join(box, 'dest');
    fs.mkdirSync(dest);
    prepare?.(dest);
    let error: string | undefined;
    try {
      await extractTar(file, dest);
    } catch (e) {
      error = (e as Error).message;
    }
    return { dest, error, box };
  };
  const refused = [
    ['../evil', [{ name: '../evil', data: 'x' }]],
    ['a/../../evil', [{ name: 'a/../../evil', data: 'x' }]],
    ['an absolute path', [{ name: path.join(outside, 'evil'), data: 'x' }]],
    [
      'a pax path',
      [
        { name: 'p', type: 'x', data: paxRecord('path', '../evil') },
        { name: 'f', data: 'x' },
      ],
    ],
    [
      'a GNU long name',
      [
        { name: 'L', type: 'L', data: '../evil\0' },
        { name: 'f', data: 'x' },
      ],
    ],
    ['a folder entry ../d', [{ name: '../d/', type: '5' }]],
  ] as const;
  for (const [what, entries] of refused) {
    const r = await extract([...entries]);
    assert.match(r.error ?? '', /refusing to write/, what);
    assert.deepEqual(fs.readdirSync(r.box).sort(), ['a.tar', 'dest'], what);
  }
  // A symlink entry is not created, so a file "through" it lands inside dest.
  let r = await extract([
    { name: 'out', type: '2', linkname: outside },
    { name: 'out/evil', data: 'x' },
  ]);
  assert.equal(r.error, undefined);
  assert.ok(fs.lstatSync(path.join(r.dest, 'out')).isDirectory());
  // A symlinked folder already in dest is not followed.
  r = await extract([{ name: 'sub/evil', data: 'x' }], (dest) => fs.symlinkSync(outside, path.join(dest, 'sub')));
  assert.match(r.error ?? '', /leads outside .* \(a symlink\)/);
  // A symlinked file already in dest is replaced, not written through.
  r = await extract([{ name: 'f', data: 'new' }], (dest) => fs.symlinkSync(path.join(outside, 'keep.txt'), path.join(dest, 'f')));
  assert.equal(r.error, undefined);
  assert.equal(fs.readFileSync(path.join(r.dest, 'f'), 'utf8'), 'new');
  assert.ok(!fs.lstatSync(path.join(r.dest, 'f')).isSymbolicLink());
  // A hard link entry is not created; a later file of that name is a plain new file.
  r = await extract([
    { name: 'h', type: '1', linkname: path.join(outside, 'keep.txt') },
    { name: 'h', data: 'x' },
  ]);
  assert.equal(r.error, undefined);
  assert.equal(fs.readFileSync(path.join(outside, 'keep.txt'), 'utf8'), 'original');
  assert.deepEqual(fs.readdirSync(outside), ['keep.txt'], 'nothing written outside');
});
