// A committed notebook's outputs, as the tests of its results read them: every output, all their
// text (streams and every mime type, joined), and the HTML table whose caption starts with a prefix.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './helpers.js';

export interface NotebookOutput {
  output_type: string;
  text?: string[] | string;
  data?: Record<string, string[] | string>;
}

export interface CommittedNotebook {
  outputs: NotebookOutput[];
  /** Every output's text and data, one output a line. */
  text: string;
  /** The text/html output holding `<caption>${prefix}...`, if any. */
  table(prefix: string): string | undefined;
}

const joined = (v: string[] | string | undefined) => (Array.isArray(v) ? v.join('') : (v ?? ''));

export function committedNotebook(file: string): CommittedNotebook {
  const nb = JSON.parse(fs.readFileSync(path.join(ROOT, 'notebooks', file), 'utf8'));
  const outputs = nb.cells.flatMap((c: { outputs?: NotebookOutput[] }) => c.outputs ?? []) as NotebookOutput[];
  const text = outputs
    .map(
      (o) =>
        joined(o.text) +
        Object.values(o.data ?? {})
          .map(joined)
          .join(''),
    )
    .join('\n');
  const table = (prefix: string) => outputs.map((o) => joined(o.data?.['text/html'])).find((h) => h.includes(`<caption>${prefix}`));
  return { outputs, text, table };
}
