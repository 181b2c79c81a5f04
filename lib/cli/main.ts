#!/usr/bin/env node
// `mcr2 <command>`: the official scripts' commands and flags (train_sup.py, evaluate.py, plot.py),
// plus `quickstart` (what `npm start` runs), `export` (a checkpoint as the official .pt) and `backend`.
import * as path from 'node:path';
import { describeBackend, initBackend } from '../backend/backend.js';
import { probeAdapter } from '../backend/webgpu.js';
import { countChanged, CORRUPTIONS, corruptLabels } from '../data/corrupt.js';
import { classCounts, DATASET_NAMES, loadDataset } from '../data/index.js';
import { downloadDataset, RESOURCES } from '../data/download.js';
import { evaluateRun, evaluationJson, isCrossEntropyRun } from '../runs/evaluate.js';
import { ENSC_DEFAULTS, KMEANS_DEFAULTS, KNN_DEFAULTS, NEARSUB_DEFAULTS } from '../evaluate/index.js';
import { ARCH_NAMES } from '../models/index.js';
import { summaryText } from '../models/summary.js';
import { writeRunFeatures } from '../runs/extract.js';
import { defaultDataDir, displayPath } from '../io/paths.js';
import { confusionMatrix } from '../evaluate/metrics.js';
import { confusionFigure } from '../plot/confusion.js';
import { plotRun } from '../runs/plot.js';
import { closeRenderer, saveFigure } from '../plot/render.js';
import { formatDuration } from '../io/progress.js';
import { SUPERVISED_PRESETS } from '../train/presets.js';
import { profileName, SUPERVISED_PROFILES } from '../train/profiles.js';
import { exportTorchCheckpoint } from '../runs/export_torch.js';
import { RunFolder } from '../runs/run_folder.js';
import type { SelfSupOptions } from '../train/selfsup.js';
import type { SupervisedOptions } from '../train/supervised.js';
import { type TrainHooks, type TrainSummary, trainSelfSup, trainSupervised } from '../train/trainer.js';
import { OptionError } from '../io/options.js';
import { parseFlags, usage, UsageError, type FlagSpecs } from './args.js';
import { generateCommand } from './generate.js';
import { plotCommand } from './plot.js';
import { REDUNET_COMMANDS } from './redunet.js';
import {
  EXPORT_FLAGS,
  EXTRACT_FLAGS,
  flagNamer,
  flagSpecs,
  optionsFromFlags,
  QUICKSTART_FLAGS,
  TRAIN_SELFSUP_FLAGS,
  TRAIN_SUP_FLAGS,
  type FlagTable,
} from './flags.js';

const EVALUATE_FLAGS: FlagSpecs = {
  model_dir: { type: 'string', help: 'run folder to evaluate' },
  features: {
    type: 'string',
    help: 'or: an .npz of train_features, train_labels, test_features, test_labels (mcr2 extract writes one) (mcr2-ts)',
  },
  svm: { type: 'bool', help: 'evaluate using SVM' },
  knn: { type: 'bool', help: 'evaluate using kNN measuring cosine similarity' },
  nearsub: { type: 'bool', help: 'evaluate using Nearest Subspace' },
  kmeans: { type: 'bool', help: 'evaluate using KMeans' },
  ensc: { type: 'bool', help: 'evaluate using Elastic Net Subspace Clustering' },
  epoch: { type: 'int', help: 'which epoch for evaluation (default: latest)' },
  k: { type: 'int', help: 'top k components for kNN', default: KNN_DEFAULTS.k },
  n: { type: 'int', help: 'number of clusters for cluster', default: KMEANS_DEFAULTS.nClusters },
  gam: { type: 'int', help: 'gamma paramter for subspace clustering', default: ENSC_DEFAULTS.gamma },
  tau: { type: 'float', help: 'tau paramter for subspace clustering', default: ENSC_DEFAULTS.tau },
  n_comp: { type: 'int', help: 'number of components for PCA', default: NEARSUB_DEFAULTS.nComp },
  save: { type: 'bool', help: 'save labels (plabels/<method>_epoch<e>.npy)' },
  json: { type: 'bool', help: 'print one JSON object instead of the official lines (mcr2-ts)' },
  data_dir: { type: 'string', help: 'path to dataset (default: the one the run trained on)' },
  bn_recalibrate: {
    type: 'bool',
    help: "recompute batch norm's running statistics on the training images before extracting features (mcr2-ts)",
  },
  penultimate: {
    type: 'bool',
    help: 'a cross-entropy run: judge its penultimate layer with --svm/--knn/--nearsub instead of its logits (mcr2-ts)',
  },
};

const SUMMARY_FLAGS: FlagSpecs = {
  arch: { type: 'string', help: `architecture (${ARCH_NAMES.join(', ')})`, default: 'resnet18' },
  fd: { type: 'int', help: 'feature dimension', default: 128 },
};

const DATA_FLAGS: FlagSpecs = {
  data: { type: 'string', help: `dataset (${DATASET_NAMES.join(', ')})` },
  data_dir: { type: 'string', help: 'base directory of the datasets (default: the package datasets/ folder)' },
  corrupt: { type: 'string', help: `label corruption mode (${CORRUPTIONS.join(', ')})`, default: 'default' },
  lcr: { type: 'float', help: 'label corruption ratio', default: 0 },
  lcs: { type: 'int', help: 'label corruption seed', default: 10 },
};

const DOWNLOAD_FLAGS: FlagSpecs = {
  data_dir: { type: 'string', help: 'where to put the files (default: the package datasets/ folder)' },
};

function need<T>(v: T | undefined, flag: string): T {
  if (v === undefined || v === null || v === '') throw new UsageError(`--${flag} is required`);
  return v;
}

/** What a caller of main() may add to a run (test/fault_cli.ts injects its faults). */
export interface MainOptions {
  /** Hooks for the training commands' Trainer. */
  trainHooks?: TrainHooks;
}

/** train-sup and train-selfsup: the flags as options, the run to its end, one closing line. */
function trainCommand<O>(
  table: FlagTable,
  train: (options: Partial<O>, hooks?: TrainHooks) => Promise<TrainSummary>,
): (argv: string[], m: MainOptions) => Promise<void> {
  return async (argv, m) => {
    const r = await train(optionsFromFlags(table, parseFlags(argv, flagSpecs(table))) as Partial<O>, m.trainHooks);
    r.model.dispose();
    console.log(
      `done: ${r.epochsRun} epochs in ${formatDuration(r.seconds)}, ${r.imagesPerSecond.toFixed(0)} img/s; run folder ${displayPath(r.runDir)}`,
    );
  };
}

const cmdTrainSup = trainCommand<SupervisedOptions>(TRAIN_SUP_FLAGS, trainSupervised);
const cmdTrainSelfSup = trainCommand<SelfSupOptions>(TRAIN_SELFSUP_FLAGS, trainSelfSup);

async function cmdExtract(argv: string[]): Promise<void> {
  const o = optionsFromFlags(EXTRACT_FLAGS, parseFlags(argv, flagSpecs(EXTRACT_FLAGS)));
  const r = await writeRunFeatures({ ...o, modelDir: need(o.modelDir as string | undefined, 'model_dir') });
  console.log(
    `wrote ${displayPath(r.file)}: epoch ${r.epoch}, ${r.train} train and ${r.test} test features of dimension ${r.dim} (np.load reads it)`,
  );
}

async function cmdExport(argv: string[]): Promise<void> {
  const o = optionsFromFlags(EXPORT_FLAGS, parseFlags(argv, flagSpecs(EXPORT_FLAGS)));
  const r = await exportTorchCheckpoint({ ...o, modelDir: need(o.modelDir as string | undefined, 'model_dir') });
  console.log(
    `wrote ${displayPath(r.file)}: epoch ${r.epoch}, ${r.tensors} tensors under module. (${r.arch}, fd ${r.fd}); ` +
      (r.logits
        ? 'a cross-entropy classifier, which no official architecture loads'
        : `torch.load it into the official ${r.arch} (DataParallel) with load_state_dict(..., strict=True)`),
  );
}

async function cmdEvaluate(argv: string[]): Promise<void> {
  const f = parseFlags(argv, EVALUATE_FLAGS);
  const modelDir = f.model_dir as string | undefined;
  const features = f.features as string | undefined;
  if ((modelDir === undefined) === (features === undefined)) throw new UsageError('give exactly one of --model_dir and --features');
  const methods = ['svm', 'knn', 'nearsub', 'kmeans', 'ensc'].filter((m) => f[m] === true);
  // A cross-entropy run prints its CE: accuracy with no method.
  if (methods.length === 0 && !(modelDir !== undefined && isCrossEntropyRun(modelDir)))
    throw new UsageError('choose at least one method: --svm, --knn, --nearsub, --kmeans, --ensc');
  const json = f.json === true;
  const r = await evaluateRun({
    modelDir,
    features,
    epoch: f.epoch as number | undefined,
    svm: f.svm === true,
    knn: f.knn === true,
    nearsub: f.nearsub === true,
    kmeans: f.kmeans === true,
    ensc: f.ensc === true,
    k: f.k as number,
    nClusters: f.n as number,
    gamma: f.gam as number,
    tau: f.tau as number,
    nComp: f.n_comp as number,
    save: f.save === true,
    dataDir: f.data_dir as string | undefined,
    recalibrate: f.bn_recalibrate === true,
    penultimate: f.penultimate === true,
    log: json ? () => {} : undefined,
  });
  if (json) console.log(JSON.stringify(evaluationJson(r)));
  else for (const file of r.saved) console.log(`saved ${displayPath(file)}`);
}

async function plotLoss(run: RunFolder): Promise<string[]> {
  const r = await plotRun(['loss'], { modelDir: run.dir, log: () => {} });
  return r.written;
}

/** npm start: train cnn-small on MNIST, evaluate, draw figures, print where everything is. */
async function cmdQuickstart(argv: string[]): Promise<void> {
  const f = parseFlags(argv, flagSpecs(QUICKSTART_FLAGS));
  const t0 = Date.now();
  const prof = profileName(f.profile as string | undefined);
  const p = SUPERVISED_PROFILES[prof];
  console.log(
    `mcr2 quickstart (profile ${prof}): MCR² on MNIST with cnn-small, ${p.epochs} epochs${p.subset ? ` on ${p.subset} images` : ''}`,
  );
  const r = await trainSupervised({
    ...(optionsFromFlags(QUICKSTART_FLAGS, f) as Partial<SupervisedOptions>),
    ...SUPERVISED_PRESETS.mnistProtocol, // the protocol, sized by the profile
    ...p,
    tail: `_quickstart_${prof}`,
  });
  r.model.dispose();
  console.log('evaluating (features of the train and test sets, kNN k=10, nearest subspace 15 components)');
  const ev = await evaluateRun({
    modelDir: r.runDir,
    knn: true,
    k: 10,
    nearsub: true,
    nComp: 15,
    dataDir: f.data_dir as string | undefined,
  });
  const run = new RunFolder(r.runDir);
  const figs = await plotLoss(run);
  const conf = await saveFigure(
    confusionFigure(
      confusionMatrix(ev.predictions.nearsub!.svd, ev.test.labels, 10),
      ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
      'MNIST test: nearest subspace',
    ),
    run.figuresDir,
    'confusion_nearsub',
  );
  figs.push(conf.html, ...(conf.png ? [conf.png] : []));
  await closeRenderer();
  console.log('');
  console.log(`run folder:        ${displayPath(r.runDir)}`);
  console.log(`backend:           ${r.backend.name} (${r.backend.provider})`);
  console.log(`training:          ${r.epochsRun} epochs, ${r.imagesPerSecond.toFixed(0)} img/s`);
  console.log(`test accuracy:     kNN (k=10) ${ev.knn!.toFixed(4)}   nearest subspace (15) ${ev.nearsub!.svd.toFixed(4)}`);
  console.log(`figures:           ${displayPath(path.join(r.runDir, 'figures'))}`);
  console.log(`wall time:         ${formatDuration((Date.now() - t0) / 1000)}`);
}

/** mcr2 data: what a dataset holds, as one JSON object (to check a download). */
async function cmdData(argv: string[]): Promise<void> {
  const f = parseFlags(argv, DATA_FLAGS);
  const name = need(f.data as string | undefined, 'data');
  const dataDir = (f.data_dir as string | undefined) ?? defaultDataDir();
  const out: Record<string, unknown> = { data: name, data_dir: path.resolve(dataDir) };
  for (const split of ['train', 'test'] as const) {
    const t0 = Date.now();
    const ds = loadDataset(name, split, { dataDir });
    let labels = ds.labels;
    const entry: Record<string, unknown> = {
      images: ds.n,
      shape: [ds.height, ds.width, ds.channels],
      classes: ds.numClasses,
      source: ds.source,
    };
    if (split === 'train' && (f.lcr as number) > 0) {
      labels = corruptLabels(ds.labels, f.corrupt as string, f.lcr as number, f.lcs as number);
      entry.corrupt = { mode: f.corrupt, ratio: f.lcr, seed: f.lcs, changed: countChanged(labels, ds.labels) };
    }
    entry.class_counts = classCounts(labels, ds.numClasses);
    entry.load_seconds = +((Date.now() - t0) / 1000).toFixed(2);
    out[split] = entry;
  }
  console.log(JSON.stringify(out, null, 2));
}

async function cmdDownload(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (name === undefined || name.startsWith('--'))
    throw new UsageError(`name a dataset: mcr2 download <${Object.keys(RESOURCES).join('|')}>`);
  const f = parseFlags(rest, DOWNLOAD_FLAGS);
  await downloadDataset(name, (f.data_dir as string | undefined) ?? defaultDataDir());
}

async function cmdSummary(argv: string[]): Promise<void> {
  const f = parseFlags(argv, SUMMARY_FLAGS);
  await initBackend();
  console.log(summaryText(f.arch as string, f.fd as number));
}

async function cmdBackend(): Promise<void> {
  const info = await initBackend();
  console.log(describeBackend(info));
  for (const s of info.skipped) console.log(`  skipped: ${s}`);
  if (info.name !== 'webgpu') {
    // Which adapter MCR2_BACKEND=webgpu would take (the automatic choice may not have looked).
    const a = await probeAdapter();
    console.log(`  webgpu adapter: ${typeof a === 'string' ? `none (${a})` : `${a.description}${a.software ? ' (software)' : ''}`}`);
  }
}

interface Command {
  about: string;
  flags?: FlagSpecs;
  /** The flag ↔ option table (lib/cli/flags.ts): library errors naming an option are shown with its flag. */
  table?: FlagTable;
  run: (argv: string[], m: MainOptions) => Promise<void>;
}

const fromTable = (table: FlagTable) => ({ flags: flagSpecs(table), table });

const COMMANDS: Record<string, Command> = {
  'train-sup': { about: 'Supervised MCR² training (train_sup.py).', ...fromTable(TRAIN_SUP_FLAGS), run: cmdTrainSup },
  'train-selfsup': {
    about: 'Self-supervised MCR² over augmentations (train_selfsup.py).',
    ...fromTable(TRAIN_SELFSUP_FLAGS),
    run: cmdTrainSelfSup,
  },
  evaluate: { about: "Evaluate a run's features (evaluate.py).", flags: EVALUATE_FLAGS, run: cmdEvaluate },
  extract: { about: 'Features and labels of a checkpoint as a numpy .npz (extract.py).', ...fromTable(EXTRACT_FLAGS), run: cmdExtract },
  export: {
    about: "A run's checkpoint as the .pt the official code saves (torch.save of the DataParallel state_dict).",
    ...fromTable(EXPORT_FLAGS),
    run: cmdExport,
  },
  plot: plotCommand,
  generate: generateCommand,
  quickstart: {
    about: 'Train, evaluate and plot MCR² on MNIST in minutes (what `npm start` runs).',
    ...fromTable(QUICKSTART_FLAGS),
    run: cmdQuickstart,
  },
  data: { about: 'Describe a dataset as JSON: sizes, shapes, class counts, label corruption.', flags: DATA_FLAGS, run: cmdData },
  download: {
    about: "Download and verify a dataset's official files: mcr2 download <dataset> [--data_dir D].",
    flags: DOWNLOAD_FLAGS,
    run: cmdDownload,
  },
  summary: { about: 'Layer table of an architecture, ending with its trainable parameter count.', flags: SUMMARY_FLAGS, run: cmdSummary },
  backend: { about: 'Show which tfjs backend is used and why.', run: cmdBackend },
  ...REDUNET_COMMANDS,
};

export async function main(argv: string[], m: MainOptions = {}): Promise<number> {
  const [cmd, ...rest] = argv;
  const list = Object.entries(COMMANDS)
    .map(([k, c]) => `  ${k.padEnd(14)}${c.about}`)
    .join('\n');
  if (cmd === undefined || cmd === '-h' || cmd === '--help' || cmd === 'help') {
    console.log(`usage: mcr2 <command> [flags]\n\ncommands:\n${list}\n\nmcr2 <command> --help shows a command's flags.`);
    return 0;
  }
  const c = COMMANDS[cmd];
  if (c === undefined) {
    console.error(`mcr2: unknown command '${cmd}'\ncommands: ${Object.keys(COMMANDS).join(', ')} (mcr2 --help)`);
    return 2;
  }
  if (rest.includes('-h') || rest.includes('--help')) {
    console.log(usage(cmd, c.about, c.flags ?? {}));
    return 0;
  }
  // --debug (or MCR2_DEBUG=1), any command: the stack trace of an error as well.
  const debug = rest.includes('--debug') || !!process.env.MCR2_DEBUG;
  try {
    await c.run(
      rest.filter((a) => a !== '--debug'),
      m,
    );
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`mcr2 ${cmd}: ${e.message}\n(see mcr2 ${cmd} --help)`);
      return 2;
    }
    const message = e instanceof OptionError && c.table ? e.messageFor(flagNamer(c.table)) : (e as Error).message;
    console.error(`mcr2 ${cmd}: error: ${message}`);
    if (debug) console.error((e as Error).stack);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
