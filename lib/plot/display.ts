// Rich output to a notebook front end, through one function: displayBundle(data, metadata) sends a
// mime bundle ({'text/html': ..., 'image/png': base64, 'application/vnd.plotly.v1+json': {...},
// 'text/plain': ...}) as one display_data message, and the front end shows the richest part it can.
//
//  - tslab (the default kernel): tslab's public API (`import { display } from 'tslab'`) sends one mime
//    type per message (`display.raw(type, data)`), with empty metadata: a figure would be either
//    interactive (HTML) or a picture (PNG), never "interactive where scripts run, the PNG elsewhere".
//    So the bundle goes down the channel that API itself writes to: `lastWriteDisplayData` of
//    tslab/dist/jupyter.js, set by tslab for the cell being executed. That is tslab's internal, found
//    among the modules the kernel has loaded; when the module is there but no longer has it,
//    tslabChannel() throws saying exactly that (test/display.test.ts checks the installed tslab).
//  - Deno's kernel (`deno jupyter`): Deno.jupyter.broadcast('display_data', ...), its public API.
//  - Anywhere else (a script, a test, the CLI): nothing is sent and displayBundle returns false.
import * as path from 'node:path';

/** A mime bundle: mime type → data (strings; base64 for images; JSON objects for JSON types). */
export type MimeBundle = Record<string, unknown>;

/** The front ends displayBundle can reach. */
export type Frontend = 'tslab' | 'deno';

type TslabWrite = (
  msg: { data: MimeBundle; metadata: Record<string, unknown>; transient: Record<string, unknown> },
  update: boolean,
) => void;

/** tslab's module that holds the channel, as the kernel process loaded it. */
const TSLAB_JUPYTER = `${path.sep}tslab${path.sep}dist${path.sep}jupyter.js`;

/**
 * The display channel of the tslab kernel running this code, or undefined outside tslab. There can
 * be two tslab copies loaded (the registered kernel's binary hands over to the notebook folder's
 * local install): the live one is the copy executing a cell, whose channel is set. Throws when a
 * loaded tslab no longer exports `lastWriteDisplayData` (its internals moved: this adapter needs
 * updating for that tslab version).
 */
export function tslabChannel(cache: NodeJS.Dict<NodeJS.Module> = require.cache): TslabWrite | undefined {
  let moved: string | undefined;
  for (const key of Object.keys(cache)) {
    if (!key.endsWith(TSLAB_JUPYTER)) continue;
    const exports = cache[key]?.exports as Record<string, unknown> | undefined;
    if (exports === undefined || !('lastWriteDisplayData' in exports)) {
      moved = key;
      continue;
    }
    const w = exports.lastWriteDisplayData;
    if (typeof w === 'function') return w as TslabWrite;
  }
  if (moved !== undefined)
    throw new Error(
      `tslab's display channel moved: ${moved} no longer exports lastWriteDisplayData, which mcr2's display ` +
        `adapter (lib/plot/display.ts) sends figures and tables through; this tslab version needs the adapter updated`,
    );
  return undefined;
}

interface DenoJupyter {
  broadcast(msgType: string, content: Record<string, unknown>): Promise<void>;
}

/** Deno.jupyter when running in Deno's Jupyter kernel (`deno jupyter`). */
function denoJupyter(): DenoJupyter | undefined {
  const deno = (globalThis as { Deno?: { jupyter?: Partial<DenoJupyter> } }).Deno;
  if (deno === undefined) return undefined;
  try {
    const j = deno.jupyter;
    return j !== undefined && typeof j.broadcast === 'function' ? (j as DenoJupyter) : undefined;
  } catch {
    // Outside `deno jupyter` (deno run), reading Deno.jupyter throws.
    return undefined;
  }
}

/** Which front end displayBundle reaches here, if any (tslab's kernel, Deno's kernel). */
export function frontend(): Frontend | undefined {
  if (denoJupyter() !== undefined) return 'deno';
  return tslabChannel() !== undefined ? 'tslab' : undefined;
}

/** Deno's display calls are asynchronous: what is in flight, so that callers can wait for it. */
let pending: Promise<void> = Promise.resolve();

/**
 * Sends a mime bundle to the front end as one display_data message; false (nothing sent) outside a
 * notebook. `metadata` is per mime type, e.g. `{ 'image/png': { width: 760 } }` (the size a 2x PNG is
 * shown at).
 */
export function displayBundle(data: MimeBundle, metadata: Record<string, unknown> = {}): boolean {
  const deno = denoJupyter();
  if (deno !== undefined) {
    // Deno.jupyter.broadcast sends an iopub message of the cell being run (display(bundle, { raw:
    // true }) does the same without metadata).
    const sent = deno.broadcast('display_data', { data, metadata, transient: {} });
    pending = pending.then(() => sent).catch(() => {});
    return true;
  }
  const w = tslabChannel();
  if (w === undefined) return false;
  w({ data, metadata, transient: {} }, false);
  return true;
}

/** Resolves when every bundle sent so far has been handed to the kernel (Deno; at once under tslab). */
export function displayed(): Promise<void> {
  return pending;
}
