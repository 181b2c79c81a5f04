// `node dist/scripts/cli-doc-flags.js`: rewrites the flag tables of docs/cli.md (between
// `<!-- flags:<command> -->` and `<!-- /flags:<command> -->`) from each command's option spec.
// test/flags.test.ts fails when they differ.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { COMMAND_SPECS } from '../lib/cli/main.js';
import { flagTableMarkdown } from '../lib/options/flags.js';
import { packageRoot } from '../lib/io/paths.js';

/** The page with every flag block replaced by the table's markdown. */
export function withFlagTables(page: string): string {
  let out = page;
  for (const [cmd, spec] of Object.entries(COMMAND_SPECS)) {
    const open = `<!-- flags:${cmd} -->`;
    const close = `<!-- /flags:${cmd} -->`;
    const i = out.indexOf(open);
    const j = out.indexOf(close);
    if (i < 0 || j < i) continue;
    out = `${out.slice(0, i + open.length)}\n${flagTableMarkdown(spec)}\n${out.slice(j)}`;
  }
  return out;
}

if (require.main === module) {
  const file = path.join(packageRoot(), 'docs', 'cli.md');
  const before = fs.readFileSync(file, 'utf8');
  const after = withFlagTables(before);
  if (after !== before) fs.writeFileSync(file, after);
  console.log(after === before ? 'docs/cli.md flag tables are up to date' : `rewrote the flag tables in ${file}`);
}
