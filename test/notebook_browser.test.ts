// What a reader of an executed notebook sees: test/fixtures/figures_notebook.ipynb executed on the
// tslab kernel and exported to HTML by nbconvert, opened in headless Chromium: each plotly figure
// is drawn (a .main-svg inside its output) and its screenshot is not blank.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { findChromium } from '../lib/plot/render.js';
import { checkJupyter } from '../scripts/jupyter.js';
import { fixture, ROOT } from './helpers.js';

const jupyter = checkJupyter(ROOT);
const chromium = findChromium();
const skip = jupyter.problem ?? (chromium === undefined ? 'Chromium is not installed' : false);

interface Locator {
  count(): Promise<number>;
  nth(i: number): Locator;
  screenshot(): Promise<Buffer>;
  locator(sel: string): Locator;
}
interface Page {
  goto(url: string): Promise<unknown>;
  waitForFunction(fn: string, arg?: unknown, opts?: { timeout: number }): Promise<unknown>;
  locator(sel: string): Locator;
}

test('an executed notebook exported to HTML shows each plotly figure in a real browser', { skip }, async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-nbhtml-'));
  // The kernel runs in the notebook's folder (test/fixtures), where `import 'mcr2'` resolves to
  // this checkout; the executed page goes to a temporary folder.
  const r = spawnSync(
    jupyter.exe!,
    [
      'nbconvert',
      '--to',
      'html',
      '--execute',
      '--ExecutePreprocessor.kernel_name=tslab',
      '--ExecutePreprocessor.timeout=300',
      '--output-dir',
      tmp,
      fixture('figures_notebook.ipynb'),
    ],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  const html = path.join(tmp, 'figures_notebook.html');
  assert.ok(fs.existsSync(html));
  const { chromium: pw } = require('playwright-core') as {
    chromium: { launch(o: object): Promise<{ newPage(o?: object): Promise<Page>; close(): Promise<void> }> };
  };
  const browser = await pw.launch({ executablePath: chromium, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await page.goto(`file://${html}`);
    await page.waitForFunction('document.querySelectorAll(".mcr2-figure .main-svg").length >= 2', undefined, { timeout: 30000 });
    const figs = page.locator('.mcr2-figure');
    assert.equal(await figs.count(), 2);
    for (let i = 0; i < 2; i++) {
      const f = figs.nth(i);
      assert.ok((await f.locator('.main-svg').count()) >= 1, `figure ${i}: plotly drew no SVG`);
      assert.equal(await f.locator('img').count(), 0, `figure ${i}: still the PNG fallback`);
      const shot = await f.screenshot();
      fs.writeFileSync(path.join(tmp, `figure${i}.png`), shot);
      const png = PNG.sync.read(shot);
      let s = 0;
      let s2 = 0;
      let ink = 0;
      for (let p = 0; p < png.width * png.height; p++) {
        const l = png.data[p * 4] * 0.299 + png.data[p * 4 + 1] * 0.587 + png.data[p * 4 + 2] * 0.114;
        s += l;
        s2 += l * l;
        if (l < 200) ink++;
      }
      const n = png.width * png.height;
      const variance = s2 / n - (s / n) ** 2;
      assert.ok(png.width > 300 && png.height > 300, `figure ${i}: ${png.width}x${png.height}`);
      // A line chart is mostly white: the floor is what an empty white box would not reach.
      assert.ok(
        variance > 100 && ink > n / 100,
        `figure ${i}: blank screenshot (variance ${variance.toFixed(0)}, ${ink} dark pixels of ${n}; ${tmp})`,
      );
    }
  } finally {
    await browser.close();
  }
});
