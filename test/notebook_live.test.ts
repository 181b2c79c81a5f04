// A reader's session, for real: the classic Jupyter Notebook server (Debian's jupyter-notebook) on
// 127.0.0.1 with the tslab kernel, notebooks/04_selfsup_clustering.ipynb at the smoke profile opened
// in headless Chromium (playwright-core) and run cell by cell with Shift+Enter, as a person would.
// It asserts: no error output; every figure drawn interactive (plotly's SVG, the PNG fallback
// replaced); none wider than its output area (no scrollbar), also when a cell is run again in a
// window too narrow for the figures' own width; and that re-running a cell holding
// `await trainer.runEpoch()` continues training (typed into new cells, as a reader would), then,
// after the notebook's last cell closed the trainer, that running it again says so plainly.
//
// Everything runs in a temporary folder: a copy of the notebook (with node_modules linked, so that
// `import 'mcr2'` is this checkout), a private Jupyter config/data/runtime and kernelspec (this
// checkout's tslab; the machine's registration is left alone), figures and run folders. The server
// and the browser are stopped at the end, whatever happens.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { findChromium } from '../lib/plot/render.js';
import { jupyterPython, NOTEBOOK_EXE, tslabBinary } from '../scripts/jupyter.js';
import { ROOT } from './helpers.js';

const NOTEBOOK = '04_selfsup_clustering.ipynb';
const chromium = findChromium();
const notebookExe = fs.existsSync(NOTEBOOK_EXE) ? NOTEBOOK_EXE : undefined;
const skip =
  notebookExe === undefined
    ? 'the classic Jupyter Notebook is not installed (apt-get install jupyter-notebook)'
    : chromium === undefined
      ? 'Chromium is not installed'
      : jupyterPython() === undefined
        ? 'Jupyter is not installed'
        : false;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitForServer(url: string, server: ChildProcess, log: () => string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (server.exitCode !== null) throw new Error(`jupyter notebook exited (${server.exitCode}):\n${log()}`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`jupyter notebook did not answer ${url} in ${ms / 1000} s:\n${log()}`);
}

/** Stops the server and every kernel it started (its process group). */
function stop(server: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (server.exitCode !== null || server.pid === undefined) return resolve();
    const timer = setTimeout(() => {
      try {
        process.kill(-server.pid!, 'SIGKILL');
      } catch {
        // gone
      }
      resolve();
    }, 10000);
    server.once('exit', () => {
      clearTimeout(timer);
      // The kernels the server started are in its process group: none may outlive the test.
      try {
        process.kill(-server.pid!, 'SIGKILL');
      } catch {
        // none left
      }
      resolve();
    });
    try {
      process.kill(-server.pid!, 'SIGTERM');
    } catch {
      resolve();
    }
  });
}

/** In the page: the classic Notebook's `Jupyter` object. */
const J = 'window.Jupyter';

/** Runs cell i by hand (a click into it, Shift+Enter) and waits until its execution has finished. */
async function runCell(page: Page, i: number, timeoutMs: number): Promise<void> {
  const code = await page.evaluate(`${J}.notebook.get_cell(${i}).cell_type === 'code'`);
  const before = code ? await page.evaluate(`${J}.notebook.get_cell(${i}).input_prompt_number`) : undefined;
  const cell = page.locator('#notebook-container .cell').nth(i);
  await cell.scrollIntoViewIfNeeded();
  await cell.locator(code ? '.input_area' : '.inner_cell').click();
  await page.keyboard.press('Shift+Enter');
  if (!code) return;
  // The prompt shows In [*] while running, then the new execution count; the kernel goes idle.
  await page.waitForFunction(
    `(() => { const n = ${J}.notebook.get_cell(${i}).input_prompt_number;
      return typeof n === 'number' && n !== ${JSON.stringify(before ?? null)} && document.querySelector('#kernel_indicator_icon.kernel_idle_icon') !== null; })()`,
    undefined,
    { timeout: timeoutMs, polling: 250 },
  );
}

/** Inserts a code cell below cell i holding `source` (as a reader types one); returns its index. */
async function insertCell(page: Page, i: number, source: string): Promise<number> {
  await page.evaluate(`${J}.notebook.insert_cell_below('code', ${i}).set_text(${JSON.stringify(source)})`);
  return i + 1;
}

/** The text of cell i's outputs (streams and errors). */
function outputText(page: Page, i: number): Promise<string> {
  return page.evaluate(
    `${J}.notebook.get_cell(${i}).output_area.outputs.map((o) => o.text ?? ((o.ename ?? '') + ': ' + (o.evalue ?? ''))).join('')`,
  ) as Promise<string>;
}

interface FigureFit {
  drawn: boolean;
  png: boolean;
  figure: number;
  area: number;
  overflow: boolean;
}

/** Every inline figure (of cell i, or all): drawn by plotly (SVG, not the PNG), its width against its output area's. */
function figureFits(page: Page, i?: number): Promise<FigureFit[]> {
  const root = i === undefined ? 'document' : `${J}.notebook.get_cell(${i}).element[0]`;
  return page.evaluate(`[...${root}.querySelectorAll('.mcr2-figure')].map((el) => {
    const area = el.closest('.output_subarea');
    const svg = el.querySelector('.main-svg');
    return {
      drawn: svg !== null,
      png: el.querySelector('img') !== null,
      figure: svg ? svg.getBoundingClientRect().width : 0,
      area: area.clientWidth,
      overflow: area.scrollWidth > area.clientWidth + 1,
    };
  })`) as Promise<FigureFit[]>;
}

test(`${NOTEBOOK} run cell by cell in the classic Notebook in Chromium (smoke profile)`, { skip, timeout: 40 * 60 * 1000 }, async () => {
  const t0 = Date.now();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mcr2-live-'));
  const nbDir = path.join(tmp, 'nb');
  fs.mkdirSync(nbDir);
  fs.copyFileSync(path.join(ROOT, 'notebooks', NOTEBOOK), path.join(nbDir, NOTEBOOK));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(nbDir, 'node_modules'));
  // A private kernelspec for this checkout's tslab (the machine-wide one may point elsewhere).
  const prefix = path.join(tmp, 'jupyter');
  const inst = spawnSync(
    tslabBinary(ROOT),
    ['install', `--python=${jupyterPython()}`, `--binary=${tslabBinary(ROOT)}`, `--prefix=${prefix}`],
    { encoding: 'utf8' },
  );
  assert.equal(inst.status, 0, inst.stderr);
  const port = await freePort();
  const token = randomBytes(16).toString('hex');
  const env = {
    ...process.env,
    JUPYTER_PATH: path.join(prefix, 'share', 'jupyter'),
    JUPYTER_CONFIG_DIR: path.join(tmp, 'config'),
    JUPYTER_DATA_DIR: path.join(tmp, 'data'),
    JUPYTER_RUNTIME_DIR: path.join(tmp, 'runtime'),
    IPYTHONDIR: path.join(tmp, 'ipython'),
    MCR2_PROFILE: 'smoke',
    MCR2_FIGURES_DIR: path.join(tmp, 'figures'),
    // Inside the notebook's folder (the kernel's working directory), as saved_models/ is in the
    // project: the paths printed are then relative.
    MCR2_SAVE_DIR: path.join(nbDir, 'saved_models'),
    MCR2_FIGURE_OUTPUT: '',
  };
  let log = '';
  const server = spawn(
    notebookExe!,
    [
      '--no-browser',
      '--ip=127.0.0.1',
      `--port=${port}`,
      '--port-retries=0',
      `--notebook-dir=${nbDir}`,
      `--NotebookApp.token=${token}`,
      // CI runs as root.
      '--allow-root',
    ],
    { env, cwd: nbDir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  server.stdout!.on('data', (d) => (log += d));
  server.stderr!.on('data', (d) => (log += d));
  let browser: Browser | undefined;
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitForServer(`${base}/api/status?token=${token}`, server, () => log, 60000);
    const pw = require('playwright-core') as typeof import('playwright-core');
    browser = await pw.chromium.launch({ executablePath: chromium, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
    // 1280 px: the classic Notebook's widest page (its output area is then ~978 px).
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    // Generous: a loaded 2-core machine serves the first page (plotly.js, the notebook) slowly.
    page.setDefaultTimeout(180000);
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${base}/notebooks/${NOTEBOOK}?token=${token}`, { timeout: 180000 });
    await page.waitForFunction(`${J} && ${J}.notebook && ${J}.notebook.kernel && ${J}.notebook.kernel.is_connected()`, undefined, {
      timeout: 120000,
    });
    await page.evaluate(`${J}.notebook.set_autosave_interval(0)`);
    // tslab reports a failing cell by the execute reply's status (and prints the error to stderr),
    // not by an error output: record every reply's status, as the kernel sends it.
    await page.evaluate(`(() => {
      const k = ${J}.notebook.kernel, execute = k.execute.bind(k);
      window.__replies = [];
      k.execute = (code, callbacks, options) => {
        const shell = Object.assign({}, callbacks && callbacks.shell), reply = shell.reply;
        shell.reply = (msg) => { window.__replies.push(msg.content.status); return reply && reply(msg); };
        return execute(code, Object.assign({}, callbacks, { shell }), options);
      };
    })()`);
    const cells = Number(await page.evaluate(`${J}.notebook.ncells()`));
    const training = Number(
      await page.evaluate(
        `${J}.notebook.get_cells().findIndex((c) => c.cell_type === 'code' && c.get_text().includes('Trainer.createSelfSup'))`,
      ),
    );
    assert.ok(training > 0, 'the training cell');
    const times: string[] = [];
    let last = cells - 1;
    for (let i = 0; i <= last; i++) {
      const s = Date.now();
      await runCell(page, i, 15 * 60 * 1000);
      times.push(`${i}:${((Date.now() - s) / 1000).toFixed(0)}s`);
      if (i === training) {
        // A reader's own cells: a small supervised run, then one holding runEpoch(), run twice.
        const create = await insertCell(
          page,
          i,
          "const t2 = nb.track(await mcr2.Trainer.create({ arch: 'cnn-small', data: 'mnist', featureDim: 16, subset: 200, batchSize: 100, epochs: 3, saveDir: nb.saveDir, tail: '_live' }, nb.hooks));",
        );
        await runCell(page, create, 5 * 60 * 1000);
        const step = await insertCell(
          page,
          create,
          // biome-ignore lint/suspicious/noTemplateCurlyInString: the cell's own template literal
          'const s2 = await t2.runEpoch();\nconsole.log(`now ${t2.epoch} of ${t2.epochs} epochs done`);',
        );
        await runCell(page, step, 5 * 60 * 1000);
        assert.match(await outputText(page, step), /epoch 1\/3 {2}loss -[\d.]+ .*\nnow 1 of 3 epochs done/);
        await runCell(page, step, 5 * 60 * 1000);
        assert.match(
          await outputText(page, step),
          /epoch 2\/3 {2}loss -[\d.]+ .*\nnow 2 of 3 epochs done/,
          're-running the cell continued training',
        );
        i = step;
        last += 2;
      }
    }
    // No error anywhere (every reply ok, no error output, nothing on stderr that reads as one);
    // every figure interactive and inside its output area.
    const replies = (await page.evaluate('window.__replies')) as string[];
    assert.ok(replies.length >= 10 && replies.every((r) => r === 'ok'), `execute replies: ${replies.join(' ')}`);
    const errors = await page.evaluate(`[...document.querySelectorAll('.output_error')].map((e) => e.textContent).join('\\n')`);
    assert.equal(errors, '', 'error outputs');
    const stderr = String(await page.evaluate(`[...document.querySelectorAll('.output_stderr')].map((e) => e.textContent).join('\\n')`));
    assert.doesNotMatch(stderr, /error/i, 'stderr');
    const fits = await figureFits(page);
    assert.equal(fits.length, 4, `figures: ${JSON.stringify(fits)}`);
    for (const [k, f] of fits.entries()) {
      assert.ok(f.drawn && !f.png, `figure ${k}: not drawn by plotly ${JSON.stringify(f)}`);
      assert.ok(f.figure <= f.area && !f.overflow, `figure ${k}: ${f.figure} px in an output area of ${f.area} px`);
    }
    assert.ok(
      fits.every((f) => f.area >= 900),
      `output areas ${fits.map((f) => f.area)} (the classic Notebook's is ~978 px at 1280)`,
    );
    // After the last cell (nb.end() closed the trainers), the runEpoch cell says what to do.
    const stepCell = Number(await page.evaluate(`${J}.notebook.get_cells().findIndex((c) => c.get_text().startsWith('const s2'))`));
    await runCell(page, stepCell, 60000);
    const closed = (await outputText(page, stepCell)).split('\n')[0];
    assert.equal(String(await page.evaluate('window.__replies.at(-1)')), 'error');
    assert.match(
      closed,
      /^Error: this trainer is closed; Trainer\.open\(trainer\.runDir\) resumes its run, saved_models\/sup_cnn-small\+16_mnist_epo3\S*_live$/,
    );
    assert.doesNotMatch(closed, /\(closed\)|\/tmp\/|\/work\//, 'no "(closed)", no absolute path');
    // A window whose output area is narrower than the figures' own width (JupyterLab or VS Code in
    // a split pane): the cell with the two widest figures run again; each is shrunk to fit.
    await page.setViewportSize({ width: 1000, height: 1000 });
    const pairCell = Number(
      await page.evaluate(
        `${J}.notebook.get_cells().findIndex((c) => c.cell_type === 'code' && c.get_text().includes('clusteringPairFigure'))`,
      ),
    );
    await runCell(page, pairCell, 5 * 60 * 1000);
    const narrow = await figureFits(page, pairCell);
    const pairOutputs = await page.evaluate(
      `JSON.stringify(${J}.notebook.get_cell(${pairCell}).output_area.outputs.map((o) => [o.output_type, o.text ?? Object.keys(o.data ?? {})]))`,
    );
    assert.equal(
      narrow.length,
      2,
      `cell ${pairCell}'s outputs: ${pairOutputs}; replies ${await page.evaluate('window.__replies.join(" ")')}`,
    );
    for (const [k, f] of narrow.entries())
      assert.ok(f.drawn && f.figure <= f.area && !f.overflow, `narrow window, figure ${k}: ${f.figure} px in ${f.area} px`);
    assert.ok(narrow[0].area < 900, `the narrow window's output area is ${narrow[0].area} px`);
    assert.deepEqual(pageErrors, [], 'JavaScript errors in the page');
    console.log(
      `# notebook_live: ${NOTEBOOK} in ${((Date.now() - t0) / 1000).toFixed(0)} s; cells ${times.join(' ')}; output area ${fits[0].area} px, narrow ${narrow[0].area} px`,
    );
  } finally {
    await browser?.close();
    await stop(server);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
