// Rich output in a tslab notebook: one display message per figure carrying the plotly JSON
// (interactive where the front end renders plotly: JupyterLab with jupyterlab-plotly, VS Code), a
// PNG (everywhere else, GitHub included) and plain text. Outside a notebook these are no-ops.
import * as path from 'node:path';
import type { Figure } from './figure.js';
import { figurePng } from './render.js';

type WriteDisplayData = (
  msg: { data: Record<string, unknown>; metadata: Record<string, unknown>; transient: Record<string, unknown> },
  update: boolean,
) => void;

/**
 * tslab's live display channel, found among the modules the kernel process has loaded. There can be
 * two tslab copies (the registered kernel's bin hands over to the notebook folder's local install):
 * the live one is the copy executing a cell.
 */
function tslabWriter(): WriteDisplayData | undefined {
  const suffix = `${path.sep}tslab${path.sep}dist${path.sep}jupyter.js`;
  for (const key of Object.keys(require.cache)) {
    if (!key.endsWith(suffix)) continue;
    const w = (require.cache[key]?.exports as { lastWriteDisplayData?: WriteDisplayData | null } | undefined)?.lastWriteDisplayData;
    if (w) return w;
  }
  return undefined;
}

/** True when running inside a tslab kernel cell. */
export function inNotebook(): boolean {
  return tslabWriter() !== undefined;
}

/** Emits a mime bundle ({'text/html': ..., 'image/png': base64, ...}); false outside a notebook. */
export function displayBundle(data: Record<string, unknown>): boolean {
  const w = tslabWriter();
  if (w === undefined) return false;
  w({ data, metadata: {}, transient: {} }, false);
  return true;
}

/** Shows a figure inline: interactive plotly plus a PNG fallback (PNG needs Chromium). */
export async function showFigure(fig: Figure, opts: { png?: boolean } = {}): Promise<void> {
  let text = `<plotly figure: ${String((fig.layout.title as { text?: string } | undefined)?.text ?? '')}>`;
  const data: Record<string, unknown> = { 'application/vnd.plotly.v1+json': { data: fig.data, layout: fig.layout } };
  if (opts.png ?? true) {
    try {
      data['image/png'] = Buffer.from(await figurePng(fig)).toString('base64');
    } catch (e) {
      text += ` (no PNG: ${(e as Error).message})`;
    }
  }
  data['text/plain'] = text;
  if (!displayBundle(data)) console.log(text);
}

/** What showTable reads of a danfojs DataFrame (or any table-like object). */
export interface TableLike {
  columns: string[];
  /** Rows (a 1-D array is one column). */
  values: unknown[];
  index?: unknown[];
  toString(): string;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Shows a table (a danfojs DataFrame or anything with columns/values) as HTML + text. */
export function showTable(df: TableLike, caption?: string): void {
  const rows = df.values.map((r) => (Array.isArray(r) ? r : [r]));
  const idx = df.index ?? rows.map((_, i) => i);
  const fmt = (v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(4) : String(v));
  const head = `<tr><th></th>${df.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr>`;
  const body = rows
    .map((r, i) => `<tr><th>${escapeHtml(String(idx[i]))}</th>${r.map((v) => `<td>${escapeHtml(fmt(v))}</td>`).join('')}</tr>`)
    .join('');
  const html = `<table class="dataframe">${caption ? `<caption>${escapeHtml(caption)}</caption>` : ''}<thead>${head}</thead><tbody>${body}</tbody></table>`;
  if (!displayBundle({ 'text/html': html, 'text/plain': df.toString() })) console.log(df.toString());
}
