// The two test tiers (docs/testing.md), over the built tests in dist/test/:
//   npm test          node dist/scripts/test.js        every test that needs Node alone (no Jupyter,
//                                                      no Chromium, no system datasets, no root) but
//                                                      the kill chains, which take minutes
//   npm run test:all  node dist/scripts/test.js --all  everything: first scripts/test-setup.ts (which
//                                                      installs or names what the rest needs), then
//                                                      every file, those below included
// Extra arguments are passed to `node --test` (e.g. --test-name-pattern). Test files are listed one
// by one (not the folder) so helpers under test/ are never run as tests.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Test files of the full tier only, each with what it needs beyond Node. */
export const FULL_TIER: Readonly<Record<string, string>> = {
  'notebooks_run.test.js': 'Jupyter (nbconvert, nbclient) and the tslab kernel: executes 01_supervised',
  'notebook_browser.test.js': 'Jupyter and Chromium: an nbconvert HTML export opened in a browser',
  'notebooks_deno.test.js': "Jupyter, Chromium and the npm package deno: 00 and 01 on Deno's kernel",
  'notebook_live.test.js': 'the classic Jupyter Notebook server, tslab and Chromium: 04 run cell by cell in a browser',
  'figures.test.js': 'Chromium: every figure rendered to PNG and looked at',
  'webgpu.test.js': 'a WebGPU adapter (CI: Mesa lavapipe, MCR2_REQUIRE_WEBGPU=1)',
  // Node alone, but minutes: kept out of the fast tier so that it stays under 3 minutes on 2 cores.
  'faults_kill.test.js': 'time: 40+ kill -9 and rerun cycles of two training commands (~5 min on 2 cores)',
};

/**
 * The test files of a tier, sorted: the built ones whose source is still in `sources` (a test
 * removed or renamed there leaves its old build in dist/, which is not run).
 */
export function testFiles(dir: string, all: boolean, sources?: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.test.js') && (all || !(f in FULL_TIER)))
    .filter((f) => sources === undefined || fs.existsSync(path.join(sources, f.replace(/\.js$/, '.ts'))))
    .sort()
    .map((f) => path.join(dir, f));
}

function main(): number {
  const args = process.argv.slice(2);
  const all = args.includes('--all');
  const rest = args.filter((a) => a !== '--all');
  const dist = path.resolve(__dirname, '..');
  if (all) {
    const setup = spawnSync(process.execPath, [path.join(dist, 'scripts', 'test-setup.js')], { stdio: 'inherit' });
    if (setup.status !== 0) return setup.status ?? 1;
  }
  const files = testFiles(path.join(dist, 'test'), all, path.join(dist, '..', 'test'));
  if (!all) console.log(`fast tier: ${files.length} files; npm run test:all adds ${Object.keys(FULL_TIER).join(', ')}`);
  const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...rest, ...files], { stdio: 'inherit' });
  return r.status ?? 1;
}

if (require.main === module) process.exit(main());
