// `npm run faults`: the fault suite at length, for a maintainer to leave running. The same checks
// as npm test's test/faults*.test.ts and test/fuzz.test.ts, with many more cases:
//   - kill -9 chains on train-sup and train-selfsup until --kills kills per command (every named
//     fault point of a run in each chain, plus random moments), each chain's finished folder
//     compared bit for bit with an uninterrupted run;
//   - --fuzz seeded mutations per reader format, plus the hostile files.
// Prints a line per chain / format and a final JSON summary; exits 1 on any failure.
//   node dist/scripts/faults.js [--kills 200] [--fuzz 20000] [--seed 1] [--only kill,fuzz]
import { FORMATS, fuzzFormat } from '../test/fuzz_harness.js';
import { killChain, SELFSUP, SELFSUP_NAME, SUP, SUP_NAME } from '../test/fault_harness.js';

function flag(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : def;
}

async function main(): Promise<number> {
  const kills = Number(flag('kills', '200'));
  const fuzz = Number(flag('fuzz', '20000'));
  const seed = Number(flag('seed', '1'));
  const only = flag('only', 'kill,fuzz').split(',');
  const summary: Record<string, unknown> = { kills_per_command: kills, fuzz_per_format: fuzz, seed };
  let failed = 0;
  const t0 = Date.now();
  if (only.includes('kill')) {
    for (const [what, args, name] of [
      ['train-sup', SUP, SUP_NAME],
      ['train-selfsup', SELFSUP, SELFSUP_NAME],
    ] as const) {
      let done = 0;
      let named = 0;
      let timed = 0;
      let chains = 0;
      let launches = 0;
      const failures: string[] = [];
      for (let s = seed; done < kills; s++) {
        try {
          // Every named point of the run (at most the kills still wanted) and a third as many timed ones.
          const want = kills - done;
          const r = await killChain([...args], name, {
            named: Math.max(1, Math.ceil((want * 3) / 4)),
            timed: Math.ceil(want / 4),
            seed: s,
          });
          chains++;
          done += r.kills;
          named += r.namedKills;
          timed += r.timedKills;
          launches += r.launches;
          const ok = r.diffs.length === 0;
          if (!ok) failures.push(`seed ${s}: ${r.diffs.join('; ')}\n${r.log.join('\n')}`);
          console.log(
            `${what} chain seed ${s}: ${r.kills} kills (${r.namedKills} named of ${r.labels}, ${r.timedKills} timed) ${ok ? 'identical' : `DIFFERS: ${r.diffs.join('; ')}`}`,
          );
        } catch (e) {
          failures.push(`seed ${s}: ${(e as Error).message}`);
          console.log(`${what} chain seed ${s}: FAILED ${(e as Error).message}`);
          if (failures.length > 5) break;
        }
      }
      failed += failures.length;
      summary[what] = { kills: done, named, timed, chains, launches, failures };
    }
  }
  if (only.includes('fuzz')) {
    const formats: Record<string, unknown> = {};
    let total = 0;
    for (const [i, fmt] of FORMATS.entries()) {
      const s = await fuzzFormat(fmt, fmt.async ? Math.ceil(fuzz / 10) : fuzz, seed * 1000 + i);
      total += s.cases;
      failed += s.failures.length;
      console.log(
        `fuzz ${s.format}: ${s.cases} cases, ${s.errors} named errors, ${s.ok} loaded, slowest ${s.maxMs.toFixed(1)} ms, ` +
          `most memory ${s.maxMB.toFixed(1)} MB, ${s.failures.length} failures`,
      );
      for (const f of s.failures.slice(0, 10)) console.log(`  ${f}`);
      formats[s.format] = {
        cases: s.cases,
        errors: s.errors,
        loaded: s.ok,
        max_ms: +s.maxMs.toFixed(1),
        max_mb: +s.maxMB.toFixed(1),
        failures: s.failures.length,
      };
    }
    summary.fuzz = { cases: total, formats };
  }
  summary.seconds = Math.round((Date.now() - t0) / 1000);
  summary.failures = failed;
  console.log(JSON.stringify(summary, null, 2));
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
