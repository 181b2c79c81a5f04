// Rich output in a tslab notebook: one display message per figure carrying
//  - the plotly JSON (interactive in JupyterLab with jupyterlab-plotly, VS Code),
//  - HTML that draws the figure with plotly.js (interactive in classic Jupyter, JupyterLab with a
//    trusted notebook, and nbconvert's HTML export); the first figure of a kernel session embeds
//    plotly.js (1.4 MB), later ones use it; the PNG sits inside as the fallback where scripts do
//    not run (GitHub),
//  - the PNG (everywhere else) and plain text.
// Outside a notebook these are no-ops. Every figure is drawn at most as wide as its output area
// (MAX_FIGURE_WIDTH, and the HTML shrinks a figure to a narrower area); the bundles go out through
// the display adapter (display.ts: tslab's kernel or Deno's).
import { randomUUID } from 'node:crypto';
import { displayBundle, displayed, frontend } from './display.js';
import { type Figure, figureTitle } from './figure.js';
import { figurePng, plotlyBundle } from './render.js';

/** True when running inside a notebook kernel cell (tslab or Deno). */
export function inNotebook(): boolean {
  return frontend() !== undefined;
}

let plotlyEmbedded = false;

/**
 * HTML drawing the figure with plotly.js: a div holding the PNG (if any) that the script replaces
 * with the interactive plot. `bundle`: plotly.js source to define window.Plotly with, if not yet.
 */
export function figureCellHtml(fig: Figure, pngBase64?: string, bundle?: string): string {
  const id = `mcr2-fig-${randomUUID()}`;
  const esc = (s: string) => s.replace(/<\/script/gi, '<\\/script');
  const img = pngBase64 ? `<img src="data:image/png;base64,${pngBase64}" style="max-width:100%" alt="figure">` : '';
  const lib = bundle ? `<script>if (!window.Plotly) {\n${esc(bundle)}\n}</script>` : '';
  const draw = `<script>(function () {
  var spec = ${esc(JSON.stringify(fig))};
  var tries = 0;
  function draw() {
    var el = document.getElementById('${id}');
    if (!el) return;
    if (!window.Plotly) { if (tries++ < 50) setTimeout(draw, 100); return; }
    // No wider than the output area (a narrow JupyterLab or VS Code pane): shrunk, proportions kept.
    var layout = Object.assign({}, spec.layout), room = el.clientWidth;
    if (room > 0 && layout.width > room) {
      if (layout.height) layout.height = Math.round(layout.height * room / layout.width);
      layout.width = Math.floor(room);
    }
    el.innerHTML = '';
    window.Plotly.newPlot(el, spec.data, layout, { responsive: true });
  }
  draw();
})();</script>`;
  return `${lib}<div id="${id}" class="mcr2-figure">${img}</div>${draw}`;
}

/**
 * Shows a figure inline: interactive plotly (plotly JSON and HTML) with a PNG fallback (PNG needs
 * Chromium). `html: false` leaves the HTML out (the notebook then stays small; nbconvert's HTML
 * export shows the PNG). `json: false` leaves the plotly JSON out: a saved notebook stores it as
 * indented JSON, one line per number, which for image grids (pixel arrays) runs to megabytes; the
 * HTML still draws the same figure interactively.
 */
export async function showFigure(fig: Figure, opts: { png?: boolean; html?: boolean; json?: boolean } = {}): Promise<void> {
  let text = `<plotly figure: ${figureTitle(fig)}>`;
  const data: Record<string, unknown> = {};
  if (opts.json ?? true) data['application/vnd.plotly.v1+json'] = { data: fig.data, layout: fig.layout };
  let png: string | undefined;
  if (opts.png ?? true) {
    try {
      png = Buffer.from(await figurePng(fig)).toString('base64');
      data['image/png'] = png;
    } catch (e) {
      text += ` (no PNG: ${(e as Error).message})`;
    }
  }
  // MCR2_FIGURE_OUTPUT=png (what `npm run notebooks` sets when it executes notebooks in place, for
  // committing): the PNG alone, so a committed notebook stays small (no plotly.js, no spec twice).
  // The PNG is drawn at scale 2: shown at the figure's width (front ends also cap it at 100%).
  const metadata = png === undefined ? {} : { 'image/png': { width: Number(fig.layout.width ?? 760) } };
  if (png !== undefined && process.env.MCR2_FIGURE_OUTPUT === 'png') {
    if (!displayBundle({ 'image/png': png, 'text/plain': text }, metadata)) console.log(text);
    await displayed();
    return;
  }
  if ((opts.html ?? true) && inNotebook()) {
    data['text/html'] = figureCellHtml(fig, png, plotlyEmbedded ? undefined : plotlyBundle(fig));
    plotlyEmbedded = true;
  }
  data['text/plain'] = text;
  if (!displayBundle(data, metadata)) console.log(text);
  await displayed();
}

/** What showTable reads of a danfojs DataFrame (or any table-like object). */
export interface TableLike {
  columns: string[];
  /** Rows (a 1-D array is one column). */
  values: unknown[];
  index?: unknown[];
}

/** Rows as objects (columns: their keys, in order of first appearance), or such rows by name (the index). */
export type TableRows = ReadonlyArray<Record<string, unknown>> | Readonly<Record<string, Record<string, unknown>>>;

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const isTableLike = (t: unknown): t is TableLike =>
  typeof t === 'object' && t !== null && Array.isArray((t as TableLike).columns) && Array.isArray((t as TableLike).values);

/** Row objects as columns, values and an index; arrays and objects in cells are shown as text. */
function fromRows(rows: TableRows): { columns: string[]; values: unknown[][]; index: unknown[] } {
  const list = Array.isArray(rows) ? (rows as Array<Record<string, unknown>>) : Object.values(rows);
  const index = Array.isArray(rows) ? list.map((_, i) => i) : Object.keys(rows);
  const columns = [...new Set(list.flatMap((r) => Object.keys(r)))];
  const item = (v: unknown) => (v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v));
  const cell = (v: unknown) =>
    Array.isArray(v) ? `[${v.map(item).join(', ')}]` : v !== null && typeof v === 'object' ? JSON.stringify(v) : v;
  return { columns, values: list.map((r) => columns.map((c) => cell(r[c]) ?? '')), index };
}

const fmt = (v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(4) : String(v));

/** Plain text of a table: columns padded to their widths (what a notebook's text view shows). */
function textTable(columns: string[], values: unknown[][], index: unknown[]): string {
  const grid = [['', ...columns], ...values.map((r, i) => [String(index[i]), ...r.map(fmt)])];
  const widths = grid[0].map((_, j) => Math.max(...grid.map((r) => r[j].length)));
  return grid
    .map((r) =>
      r
        .map((c, j) => c.padEnd(widths[j]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/**
 * Shows a table as HTML + text: rows as objects (`[{ method: 'kNN', accuracy: 0.99 }, ...]`),
 * rows by name (`{ smoke: {...}, cpu: {...} }`: the names are the index), or a danfojs DataFrame.
 * Numbers that are not integers are shown with 4 decimals.
 */
export function showTable(table: TableRows | TableLike, caption?: string): void {
  let columns: string[];
  let rows: unknown[][];
  let idx: unknown[];
  if (isTableLike(table)) {
    columns = table.columns;
    rows = table.values.map((r) => (Array.isArray(r) ? r : [r]));
    idx = table.index ?? rows.map((_, i) => i);
  } else {
    ({ columns, values: rows, index: idx } = fromRows(table));
  }
  let text = textTable(columns, rows, idx);
  const head = `<tr><th></th>${columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr>`;
  const body = rows
    .map((r, i) => `<tr><th>${escapeHtml(String(idx[i]))}</th>${r.map((v) => `<td>${escapeHtml(fmt(v))}</td>`).join('')}</tr>`)
    .join('');
  const html = `<table class="dataframe">${caption ? `<caption>${escapeHtml(caption)}</caption>` : ''}<thead>${head}</thead><tbody>${body}</tbody></table>`;
  if (caption) text = `${caption}\n${text}`;
  if (!displayBundle({ 'text/html': html, 'text/plain': text })) console.log(text);
}
