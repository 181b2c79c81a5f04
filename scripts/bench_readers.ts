// Hand-written tar and zip readers against npm `tar` (node-tar) and `fflate` / `yauzl`: speed on
// real data and behaviour on the fuzz corpus of test/fuzz_harness.ts. The libraries are not
// dependencies of mcr2-ts; install them anywhere and point MCR2_LIBCMP at that node_modules:
//   (cd /tmp/libcmp && npm install tar@7 fflate yauzl)
//   MCR2_LIBCMP=/tmp/libcmp/node_modules node dist/scripts/bench_readers.js [--cases 300] [--tar FILE.tar.gz]
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { extractTar, tarEntries } from '../lib/data/tar.js';
import { encodeNpz, parseNpy, parseNpz } from '../lib/io/npz.js';
import { RandomState } from '../lib/math/random.js';
import { FORMATS, mutate } from '../test/fuzz_harness.js';

const dir = process.env.MCR2_LIBCMP;
if (!dir) {
  console.error('set MCR2_LIBCMP to a node_modules holding tar, fflate and yauzl (see the header of this file)');
  process.exit(2);
}
const req = createRequire(path.join(dir, 'x.js'));
// biome-ignore lint/suspicious/noExplicitAny: optional libraries, not installed here, without types
type Loose = any;
const nodeTar: Loose = req('tar');
const fflate: Loose = req('fflate');
const yauzl: Loose = req('yauzl');

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
}

async function time<T>(fn: () => T | Promise<T>, reps = 3): Promise<{ ms: number; value: T }> {
  let best = Number.POSITIVE_INFINITY;
  let value: T | undefined;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    value = await fn();
    best = Math.min(best, performance.now() - t0);
  }
  return { ms: +best.toFixed(1), value: value as T };
}

/** node-tar: every regular file's bytes, synchronously (its sync mode). */
function nodeTarEntries(file: string): Array<{ path: string; size: number }> {
  const out: Array<{ path: string; size: number }> = [];
  nodeTar.t({
    file,
    sync: true,
    strict: true,
    onReadEntry: (e: { path: string; type: string; on: (ev: string, f: (c: Buffer) => void) => void }) => {
      let n = 0;
      e.on('data', (c) => {
        n += c.length;
      });
      if (e.type === 'File') out.push({ path: e.path, size: n });
    },
  });
  return out;
}

async function yauzlRead(buf: Buffer): Promise<Record<string, Uint8Array>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buf, { lazyEntries: true }, (err: Error | null, zip: Loose) => {
      if (err) return reject(err);
      const out: Record<string, Uint8Array> = {};
      zip.on('error', reject);
      zip.on('end', () => resolve(out));
      zip.on('entry', (en: Loose) => {
        zip.openReadStream(en, (e2: Error | null, s: Loose) => {
          if (e2) return reject(e2);
          const parts: Buffer[] = [];
          s.on('data', (c: Buffer) => parts.push(c));
          s.on('error', reject);
          s.on('end', () => {
            out[en.fileName] = Buffer.concat(parts);
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

interface Tally {
  cases: number;
  errors: number;
  accepted: number;
  hostileAccepted: string[];
  escapes: number;
  maxMs: number;
}

async function tally(name: string, parse: (b: Uint8Array) => unknown, cases: number, seed: number): Promise<Tally> {
  const fmt = FORMATS.find((f) => f.name === name)!;
  const t: Tally = { cases: 0, errors: 0, accepted: 0, hostileAccepted: [], escapes: 0, maxMs: 0 };
  const rng = new RandomState(seed);
  const samples = fmt.samples();
  const one = async (bytes: Uint8Array): Promise<boolean> => {
    const t0 = performance.now();
    let ok = true;
    try {
      await parse(bytes);
    } catch (e) {
      ok = false;
      if ((e as Error).message.includes('ESCAPED')) t.escapes++;
    }
    t.maxMs = Math.max(t.maxMs, performance.now() - t0);
    t.cases++;
    if (ok) t.accepted++;
    else t.errors++;
    return ok;
  };
  for (let i = 0; i < cases; i++) await one(mutate(samples[i % samples.length], rng).bytes);
  for (const h of fmt.hostile()) if (await one(h.bytes)) t.hostileAccepted.push(h.what);
  t.maxMs = +t.maxMs.toFixed(1);
  return t;
}

/** Extraction with a library, checking that nothing lands beside dest. */
async function extractWith(bytes: Uint8Array, fn: (src: string, dest: string) => Promise<unknown>): Promise<unknown> {
  const box = fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-cmp-'));
  const src = path.join(box, 'a.tar');
  fs.writeFileSync(src, bytes);
  const dest = path.join(box, 'dest');
  fs.mkdirSync(dest);
  let err: unknown;
  try {
    await fn(src, dest);
  } catch (e) {
    err = e;
  }
  const extra = fs.readdirSync(box).filter((f) => f !== 'a.tar' && f !== 'dest');
  const outside = fs.existsSync(path.join(os.tmpdir(), 'mcr2-evil'));
  fs.rmSync(box, { recursive: true, force: true });
  if (extra.length > 0 || outside) throw new Error(`ESCAPED ${extra.join(',')}`);
  if (err) throw err;
  return undefined;
}

async function main(): Promise<void> {
  const cases = Number(arg('cases', '300'));
  const tarFile = arg('tar', path.join(__dirname, '..', '..', '..', 'shared', 'datasets', 'cifar10-jpeg.tar.gz')); // /work/shared beside a checkout
  const out: Record<string, unknown> = { cases_per_format: cases };
  if (fs.existsSync(tarFile)) {
    const size = fs.statSync(tarFile).size;
    const ours = await time(() => [...tarEntries(fs.readFileSync(tarFile), tarFile)].length, 2);
    const theirs = await time(() => nodeTarEntries(tarFile).length, 2);
    const x = fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-x-'));
    const oursX = await time(async () => (await extractTar(tarFile, path.join(x, 'a'))).length, 1);
    const theirsX = await time(async () => {
      fs.mkdirSync(path.join(x, 'b'), { recursive: true });
      await nodeTar.x({ file: tarFile, cwd: path.join(x, 'b'), strict: true });
      return 0;
    }, 1);
    fs.rmSync(x, { recursive: true, force: true });
    out.tar_speed = {
      file: path.basename(tarFile),
      mb: +(size / 1e6).toFixed(1),
      read_all_entries_ms: { ours: ours.ms, node_tar: theirs.ms, entries: ours.value },
      extract_ms: { ours: oursX.ms, node_tar: theirsX.ms },
    };
  }
  // npz: 60,000 x 128 float32 features + labels, stored (as mcr2 writes) and deflated (savez_compressed).
  const r = new RandomState(0);
  const feats = Float32Array.from(r.random(60000 * 128));
  const stored = Buffer.from(encodeNpz({ f: { data: feats, shape: [60000, 128] }, l: { data: new Int32Array(60000) } }));
  const entries = fflate.unzipSync(stored) as Record<string, Uint8Array>;
  const deflated = fflate.zipSync(Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, [v, { level: 6 }]])));
  const npz: Record<string, unknown> = { mb_stored: +(stored.length / 1e6).toFixed(1), mb_deflated: +(deflated.length / 1e6).toFixed(1) };
  for (const [k, buf] of [
    ['stored', stored],
    ['deflated', Buffer.from(deflated)],
  ] as const) {
    const ours = await time(() => Object.keys(parseNpz(buf, k)).length);
    const ff = await time(() => Object.values(fflate.unzipSync(buf)).map((v) => parseNpy(v as Uint8Array)).length);
    const yz = await time(async () => Object.values(await yauzlRead(buf)).map((v) => parseNpy(v)).length);
    npz[`${k}_ms`] = { ours: ours.ms, fflate: ff.ms, yauzl: yz.ms };
  }
  out.npz_speed = npz;
  // The fuzz corpus, run through each reader.
  out.fuzz = {
    tar: {
      ours: await tally('tar', (b) => [...tarEntries(b, 'x.tar')], cases, 1),
      node_tar: await tally(
        'tar',
        (b) => {
          const f = path.join(os.tmpdir(), `mcr2-cmp-${process.pid}.tar`);
          fs.writeFileSync(f, b);
          return nodeTarEntries(f);
        },
        cases,
        1,
      ),
    },
    tar_extraction: {
      ours: await tally('tar extraction', (b) => extractWith(b, (s, d) => extractTar(s, d)), Math.ceil(cases / 3), 2),
      node_tar: await tally(
        'tar extraction',
        (b) => extractWith(b, (s, d) => nodeTar.x({ file: s, cwd: d, strict: true })),
        Math.ceil(cases / 3),
        2,
      ),
    },
    npz: {
      ours: await tally('npz', (b) => parseNpz(b, 'x.npz'), cases, 3),
      fflate: await tally('npz', (b) => Object.values(fflate.unzipSync(b)).map((v) => parseNpy(v as Uint8Array)), cases, 3),
      yauzl: await tally('npz', async (b) => Object.values(await yauzlRead(Buffer.from(b))).map((v) => parseNpy(v)), cases, 3),
    },
  };
  console.log(JSON.stringify(out, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
