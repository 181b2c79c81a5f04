// Saving figures: self-contained HTML (plotly.js inlined, works offline) and PNG rendered by
// headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core; never a downloaded one).
// The cartesian partial bundle of plotly.js (1.4 MB minified) covers every figure this project
// draws; other trace types fall back to the full plotly.js-dist bundle (11 MB).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../io/files.js';
import type { Figure } from './figure.js';

const CARTESIAN = new Set([
  'scatter',
  'bar',
  'heatmap',
  'histogram',
  'histogram2d',
  'box',
  'violin',
  'contour',
  'image',
  'pie',
  'scattergl',
]);
const bundles = new Map<string, string>();

function plotlySource(fig: Figure): string {
  const full = fig.data.some((t) => !CARTESIAN.has(String(t.type ?? 'scatter')));
  const mod = full ? 'plotly.js-dist/plotly.js' : 'plotly.js-cartesian-dist-min/plotly-cartesian.min.js';
  let src = bundles.get(mod);
  if (src === undefined) {
    src = fs.readFileSync(require.resolve(mod), 'utf8');
    bundles.set(mod, src);
  }
  return src;
}

function escapeScript(s: string): string {
  return s.replace(/<\/script/gi, '<\\/script');
}

/** A standalone HTML page showing the figure interactively. */
export function figureHtml(fig: Figure, title = 'figure'): string {
  const spec = escapeScript(JSON.stringify(fig));
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>${title.replace(/</g, '&lt;')}</title>
<script>${escapeScript(plotlySource(fig))}</script></head>
<body style="margin:0"><div id="fig"></div>
<script>const fig = ${spec}; Plotly.newPlot('fig', fig.data, fig.layout, {responsive: true});</script>
</body></html>`;
}

/** Chromium to render with: MCR2_CHROMIUM, then the usual Debian/Ubuntu paths. */
export function findChromium(): string | undefined {
  const cands = [
    process.env.MCR2_CHROMIUM,
    process.env.CHROME_PATH,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
  ];
  return cands.find((c): c is string => c !== undefined && c !== '' && fs.existsSync(c));
}

interface Browser {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}
interface Page {
  setContent(html: string): Promise<void>;
  evaluate<R, A>(fn: (a: A) => R | Promise<R>, arg: A): Promise<R>;
  close(): Promise<void>;
}

let browser: Promise<Browser> | undefined;
let idle: NodeJS.Timeout | undefined;

async function getBrowser(): Promise<Browser> {
  const exe = findChromium();
  if (exe === undefined) {
    throw new Error('PNG export needs Chromium: apt-get install chromium (or set MCR2_CHROMIUM to a Chrome/Chromium binary)');
  }
  if (browser === undefined) {
    const { chromium } = require('playwright-core') as { chromium: { launch(o: object): Promise<Browser> } };
    browser = chromium.launch({
      executablePath: exe,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
        '--disable-dev-shm-usage',
      ],
    });
    browser.catch(() => {
      browser = undefined;
    });
  }
  return browser;
}

/** Pages with plotly.js already loaded, one per bundle: parsing 1.4 MB per figure costs seconds. */
let pages = new Map<string, Promise<Page>>();

/** Closes the shared Chromium (it also closes itself after 20 s without work). */
export async function closeRenderer(): Promise<void> {
  if (idle) clearTimeout(idle);
  const b = browser;
  browser = undefined;
  pages = new Map();
  if (b) await (await b).close();
}

async function plotlyPage(fig: Figure): Promise<Page> {
  const src = plotlySource(fig);
  const key = src.length.toString();
  let p = pages.get(key);
  if (p === undefined) {
    p = (async () => {
      const page = await (await getBrowser()).newPage();
      await page.setContent(`<html><head><meta charset="utf-8"><script>${escapeScript(src)}</script></head><body></body></html>`);
      return page;
    })();
    pages.set(key, p);
    p.catch(() => pages.delete(key));
  }
  return p;
}

/** PNG bytes of the figure (scale 2 for crisp text). */
export async function figurePng(fig: Figure, scale = 2): Promise<Uint8Array> {
  if (idle) clearTimeout(idle);
  const page = await plotlyPage(fig);
  try {
    const url = await page.evaluate(
      async ({ f, s }: { f: Figure; s: number }) => {
        const P = (globalThis as unknown as { Plotly: { toImage(f: object, o: object): Promise<string> } }).Plotly;
        const w = Number(f.layout.width ?? 760);
        const h = Number(f.layout.height ?? 440);
        return P.toImage({ data: f.data, layout: f.layout }, { format: 'png', width: w, height: h, scale: s });
      },
      { f: fig, s: scale },
    );
    return Buffer.from(url.slice(url.indexOf(',') + 1), 'base64');
  } finally {
    idle = setTimeout(() => {
      void closeRenderer();
    }, 20000);
    idle.unref();
  }
}

export interface SavedFigure {
  html: string;
  /** The figure's plotly spec with its data (re-plot it, or read its numbers). */
  json: string;
  png?: string;
  /** Why no PNG was written (Chromium missing), if so. */
  pngSkipped?: string;
}

/** The plotly.js bundle a figure needs, as source text (for pages that embed it). */
export function plotlyBundle(fig: Figure): string {
  return plotlySource(fig);
}

/**
 * Writes dir/name.html (self-contained), dir/name.json (the spec with its data) and dir/name.png.
 * Without Chromium the PNG is skipped with a reason, unless MCR2_REQUIRE_PNG=1 (CI), where that is
 * an error.
 */
export async function saveFigure(fig: Figure, dir: string, name: string): Promise<SavedFigure> {
  fs.mkdirSync(dir, { recursive: true });
  const html = path.join(dir, `${name}.html`);
  const json = path.join(dir, `${name}.json`);
  writeFileAtomic(html, figureHtml(fig, name));
  writeFileAtomic(json, JSON.stringify(fig));
  try {
    const png = path.join(dir, `${name}.png`);
    writeFileAtomic(png, await figurePng(fig));
    return { html, json, png };
  } catch (e) {
    if (process.env.MCR2_REQUIRE_PNG === '1') throw e;
    return { html, json, pngSkipped: (e as Error).message };
  }
}
