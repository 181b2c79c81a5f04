// The notebook kit: what every notebook's first and last cells did by hand, once.
//
//   const nb = await mcr2.notebook('03_label_corruption');   // backend started, profile and backend printed
//   const P = nb.pick({ smoke: {...}, cpu: {...}, paper: {...} }); // this profile's sizes (and the table)
//   const t = nb.track(await mcr2.Trainer.create({ ...P, saveDir: nb.saveDir, tail: nb.tail }, nb.hooks));
//   await nb.show(t.lossFigure(), 'loss');                  // inline, and saved as figures/03_.../loss.*
//   await nb.end();                                          // closes trainers and the renderer; prints the time
//
// Paths in what it prints are tidied (relative to the project, data under $MCR2_DATA_DIR named so), so
// a committed notebook holds no path of the machine that ran it.
import * as os from 'node:os';
import * as path from 'node:path';
import { type BackendInfo, describeBackend, initBackend } from '../accel/backend.js';
import type { ImageDataset, Split } from '../data/dataset.js';
import { firstN } from '../data/dataset.js';
import { loadDataset } from '../data/index.js';
import { defaultDataDir, displayPath, packageRoot } from '../io/paths.js';
import type { Figure } from '../plot/figure.js';
import { showFigure, showTable, type TableLike, type TableRows } from '../plot/display.js';
import { closeRenderer, saveFigure } from '../plot/render.js';
import { type Callback, StopOnInterrupt } from '../train/callbacks.js';
import { type ProfileName, profileName } from '../train/presets.js';
import type { Trainer } from '../train/trainer.js';

/** Where notebook `name` saves its figures: figures/<name>/ (MCR2_FIGURES_DIR overrides figures/). */
export function notebookFiguresDir(name: string): string {
  return path.join(process.env.MCR2_FIGURES_DIR ?? path.join(packageRoot(), 'figures'), name);
}

/** Where notebooks put run folders: saved_models/ in the package (MCR2_SAVE_DIR overrides). */
export function notebookSaveDir(): string {
  return process.env.MCR2_SAVE_DIR ?? path.join(packageRoot(), 'saved_models');
}

/** How a figure is shown inline (showFigure's options). */
export interface ShowOptions {
  /** Leave the plotly JSON out (image grids: megabytes of pixel arrays in a saved notebook). */
  json?: boolean;
  /** Leave the HTML out (the PNG and the JSON only). */
  html?: boolean;
}

export interface NotebookOptions {
  /** The run size (default: MCR2_PROFILE, else cpu). */
  profile?: ProfileName;
  /** Print the profile and backend lines on opening (default true). */
  quiet?: boolean;
}

/** Anything the notebook closes at its end (a Trainer). */
interface Closable {
  close(): Promise<void>;
}

/**
 * The trainers open in this process by run folder (every notebook's hooks share it): opening a
 * folder again (a cell run twice) closes the trainer already open on it first, which would
 * otherwise hold the folder's lock.
 */
class OpenTrainers implements Callback {
  private readonly open = new Map<string, Trainer>();

  async beforeOpen(runDir: string, log: (line: string) => void): Promise<void> {
    const old = this.open.get(path.resolve(runDir));
    if (old === undefined) return;
    log(`closing the trainer already open on ${displayPath(runDir)} (at epoch ${old.epoch}, step ${old.step}); resuming from its folder`);
    await old.close();
  }

  onOpen(t: Trainer): void {
    this.open.set(path.resolve(t.runDir), t);
  }

  onClose(t: Trainer): void {
    if (this.open.get(path.resolve(t.runDir)) === t) this.open.delete(path.resolve(t.runDir));
  }
}

const OPEN_TRAINERS = new OpenTrainers();

export class Notebook {
  /** When the notebook opened (the first cell). */
  readonly started = Date.now();
  /** Where figures go: figures/<name>/ (MCR2_FIGURES_DIR overrides figures/). */
  readonly figDir: string;
  /** Where run folders go: saved_models/ in the package (MCR2_SAVE_DIR overrides). */
  readonly saveDir: string;
  /** Where datasets are read: $MCR2_DATA_DIR, else the package's datasets/. */
  readonly dataDir: string;
  /** A run-folder tail that keeps this notebook's runs apart: `_nb03_cpu`. */
  readonly tail: string;
  /**
   * Hooks for Trainer.create / trainSupervised: log lines tidied, as the notebook prints them; a
   * kernel interrupt stops a run between steps (StopOnInterrupt); a trainer opened again on the
   * same folder closes the one already open.
   */
  readonly hooks: { log: (line: string) => void; callbacks: Callback[] };
  private readonly open: Closable[] = [];

  constructor(
    /** The notebook's name, as its file (`03_label_corruption`). */
    readonly name: string,
    readonly profile: ProfileName,
    readonly backend: BackendInfo,
  ) {
    this.figDir = notebookFiguresDir(name);
    this.saveDir = notebookSaveDir();
    this.dataDir = defaultDataDir();
    this.tail = `_nb${name.slice(0, 2)}_${profile}`;
    this.hooks = { log: (line) => this.log(line), callbacks: [OPEN_TRAINERS, new StopOnInterrupt()] };
  }

  /** A line with every absolute path in it shown as displayPath shows it. */
  tidy(line: string): string {
    return line
      .split(/(\S+)/)
      .map((w) => (path.isAbsolute(w) ? displayPath(w) : w))
      .join('');
  }

  /** console.log with paths tidied. */
  log(line: string): void {
    console.log(this.tidy(line));
  }

  /** This profile's entry of `profiles`; shows them all as a table first unless `show` is false. */
  pick<S extends Record<ProfileName, object>>(profiles: S, opts: { show?: boolean } = {}): S[ProfileName] {
    if (opts.show ?? true) showTable(profiles as Record<string, Record<string, unknown>>, `profiles (this run: ${this.profile})`);
    return profiles[this.profile];
  }

  /** A split of a dataset (the train split cut to `subset` images), or undefined, said why, where it is absent. */
  dataset(name: string, split: Split, opts: { subset?: number } = {}): ImageDataset | undefined {
    try {
      const ds = loadDataset(name, split, { dataDir: this.dataDir });
      return opts.subset ? firstN(ds, opts.subset) : ds;
    } catch (e) {
      this.log(`${name} is not on this machine (${(e as Error).message.split('\n')[0]}): the cells that need it skip it`);
      return undefined;
    }
  }

  /**
   * Shows a figure inline and, given a name, saves it as <figDir>/<name>.{png,html,json}. Returns
   * nothing, so that a cell ending in it prints no paths (saveFigure returns them).
   */
  async show(fig: Figure, name?: string, opts: ShowOptions = {}): Promise<void> {
    await showFigure(fig, opts);
    if (name !== undefined) await saveFigure(fig, this.figDir, name);
  }

  /** showTable: rows as objects, rows by name, or a DataFrame. */
  table(rows: TableRows | TableLike, caption?: string): void {
    showTable(rows, caption);
  }

  /** Closes `t` (a Trainer) at the notebook's end; returns it. */
  track<T extends Closable>(t: T): T {
    this.open.push(t);
    return t;
  }

  /** The last cell: closes what track() holds and the figure renderer, prints the notebook's time. */
  async end(): Promise<void> {
    for (const t of this.open.splice(0)) await t.close();
    await closeRenderer();
    const minutes = (Date.now() - this.started) / 60000;
    console.log(`this run: ${minutes.toFixed(1)} min on ${os.availableParallelism()} cores (${this.profile} profile)`);
  }
}

/** Opens notebook `name`: starts the backend and prints the profile and the backend it chose. */
export async function notebook(name: string, opts: NotebookOptions = {}): Promise<Notebook> {
  const profile = opts.profile ?? profileName();
  const backend = await initBackend();
  const nb = new Notebook(name, profile, backend);
  if (!opts.quiet) {
    console.log(`profile: ${profile}`);
    console.log(describeBackend(backend));
  }
  return nb;
}
