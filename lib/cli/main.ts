#!/usr/bin/env node
// `mcr2 <command>`: the official scripts' commands and flags (train_sup.py, evaluate.py, plot.py),
// plus `quickstart` (what `npm start` runs), `export` (a checkpoint as the official .pt) and `backend`.
// Every command's flags are an option spec's rows (lib/options/spec.ts); this file only says what
// each command runs.
import * as path from 'node:path';
import { describeBackend, initBackend } from '../accel/backend.js';
import { probeAdapter } from '../accel/webgpu.js';
import { countChanged, corruptLabels } from '../data/corrupt.js';
import type { Split } from '../data/dataset.js';
import { classCounts, DATASET_NAMES, loadDataset } from '../data/index.js';
import { downloadDataset, RESOURCES } from '../data/download.js';
import { confusionMatrix } from '../evaluate/metrics.js';
import { describeParams, METHOD_NAMES, PROTOCOL_EVALUATION } from '../evaluate/methods.js';
import { defaultDataDir, displayPath } from '../io/paths.js';
import { formatDuration } from '../io/progress.js';
import { summaryText } from '../models/summary.js';
import { OptionError } from '../options/checks.js';
import { flagNamer, type InputOf, opt, resolve, type Spec, withHelp } from '../options/spec.js';
import { confusionFigure } from '../plot/confusion.js';
import { closeRenderer, saveFigure } from '../plot/render.js';
import { EVALUATE_SPEC, evaluateRun, evaluationJson, isCrossEntropyRun } from '../runs/evaluate.js';
import { EXPORT_SPEC, exportTorchCheckpoint } from '../runs/export_torch.js';
import { EXTRACT_SPEC, writeRunFeatures } from '../runs/features.js';
import { plotRun } from '../runs/figures.js';
import { RunFolder } from '../runs/run_folder.js';
import { COMMON_TRAIN_SPEC } from '../train/options.js';
import { SUPERVISED_PRESETS } from '../train/presets.js';
import { profileName, SUPERVISED_PROFILES } from '../train/presets.js';
import { SELFSUP_SPEC } from '../train/selfsup.js';
import { SUPERVISED_SPEC } from '../train/supervised.js';
import type { TrainHooks } from '../train/callbacks.js';
import { type TrainSummary, trainSelfSup, trainSupervised } from '../train/run.js';
import { UsageError, usage } from '../options/flags.js';
import { type Command, command, type MainOptions } from './command.js';
import { generateCommand, plotCommand } from './figures.js';
import { REDUNET_COMMANDS } from './redunet.js';

export type { MainOptions } from './command.js';

/** train-sup and train-selfsup: the flags as options, the run to its end, one closing line. */
async function train<I>(options: I, run: (options: I, hooks?: TrainHooks) => Promise<TrainSummary>, m: MainOptions): Promise<void> {
  const r = await run(options, m.trainHooks);
  r.model.dispose();
  console.log(
    `done: ${r.epochsRun} epochs in ${formatDuration(r.seconds)}, ${r.imagesPerSecond.toFixed(0)} img/s; run folder ${displayPath(r.runDir)}`,
  );
}

const cmdExtract = command('Features and labels of a checkpoint as a numpy .npz (extract.py).', EXTRACT_SPEC, async (o) => {
  const r = await writeRunFeatures(o);
  console.log(
    `wrote ${displayPath(r.file)}: epoch ${r.epoch}, ${r.train} train and ${r.test} test features of dimension ${r.dim} (np.load reads it)`,
  );
});

const cmdExport = command(
  "A run's checkpoint as the .pt the official code saves (torch.save of the DataParallel state_dict).",
  EXPORT_SPEC,
  async (o) => {
    const r = await exportTorchCheckpoint(o);
    console.log(
      `wrote ${displayPath(r.file)}: epoch ${r.epoch}, ${r.tensors} tensors under module. (${r.arch}, fd ${r.fd}); ` +
        (r.logits
          ? 'a cross-entropy classifier, which no official architecture loads'
          : `torch.load it into the official ${r.arch} (DataParallel) with load_state_dict(..., strict=True)`),
    );
  },
);

const cmdEvaluate = command(
  "Evaluate a run's features (evaluate.py).",
  { ...EVALUATE_SPEC, json: opt.bool(false, { flag: 'json', help: 'print one JSON object instead of the official lines (mcr2-ts)' }) },
  async ({ json, ...o }) => {
    if ((o.modelDir === undefined) === (o.features === undefined)) throw new UsageError('give exactly one of --model_dir and --features');
    // A cross-entropy run prints its CE: accuracy with no method.
    if (!METHOD_NAMES.some((m) => o[m] === true) && !(o.modelDir !== undefined && isCrossEntropyRun(o.modelDir)))
      throw new UsageError(`choose at least one method: ${METHOD_NAMES.map((m) => `--${m}`).join(', ')}`);
    const r = await evaluateRun({ ...o, log: json ? () => {} : undefined });
    if (json) console.log(JSON.stringify(evaluationJson(r)));
    else for (const file of r.saved) console.log(`saved ${displayPath(file)}`);
  },
);

async function plotLoss(run: RunFolder): Promise<string[]> {
  const r = await plotRun(['loss'], { modelDir: run.dir, log: () => {} });
  return r.written;
}

/** npm start: train cnn-small on MNIST, evaluate, draw figures, print where everything is. */
const QUICKSTART_SPEC = {
  // the run size (lib/train/profiles.ts)
  profile: opt.maybeText({ flag: 'profile', help: 'smoke | cpu | paper (default: MCR2_PROFILE or cpu)' }),
  saveDir: withHelp(COMMON_TRAIN_SPEC.saveDir, 'where the run folder goes'),
  dataDir: COMMON_TRAIN_SPEC.dataDir,
};

async function quickstart({ profile, ...dirs }: InputOf<typeof QUICKSTART_SPEC>): Promise<void> {
  const t0 = Date.now();
  const prof = profileName(profile);
  const p = SUPERVISED_PROFILES[prof];
  console.log(
    `mcr2 quickstart (profile ${prof}): MCR² on MNIST with cnn-small, ${p.epochs} epochs${p.subset ? ` on ${p.subset} images` : ''}`,
  );
  const r = await trainSupervised({
    ...dirs,
    ...SUPERVISED_PRESETS.mnistProtocol, // the protocol, sized by the profile
    ...p,
    tail: `_quickstart_${prof}`,
  });
  r.model.dispose();
  console.log(`evaluating (features of the train and test sets, ${describeParams(PROTOCOL_EVALUATION)})`);
  const ev = await evaluateRun({
    modelDir: r.runDir,
    knn: true,
    nearsub: true,
    ...PROTOCOL_EVALUATION,
    dataDir: dirs.dataDir ?? undefined,
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

const SPLITS: Split[] = ['train', 'test'];

/** mcr2 data: what a dataset holds, as one JSON object (to check a download). */
const DATA_SPEC = {
  data: opt.required({ flag: 'data', help: `dataset (${DATASET_NAMES.join(', ')})` }),
  dataDir: opt.maybeText({ flag: 'data_dir', help: 'base directory of the datasets (default: the package datasets/ folder)' }),
  corrupt: SUPERVISED_SPEC.corrupt,
  corruptRatio: SUPERVISED_SPEC.corruptRatio,
  corruptSeed: SUPERVISED_SPEC.corruptSeed,
};

async function describeData(given: InputOf<typeof DATA_SPEC>): Promise<void> {
  const o = resolve(DATA_SPEC, given, 'data');
  const dataDir = o.dataDir ?? defaultDataDir();
  const out: Record<string, unknown> = { data: o.data, data_dir: path.resolve(dataDir) };
  for (const split of SPLITS) {
    const t0 = Date.now();
    const ds = loadDataset(o.data, split, { dataDir });
    let labels = ds.labels;
    const entry: Record<string, unknown> = {
      images: ds.n,
      shape: [ds.height, ds.width, ds.channels],
      classes: ds.numClasses,
      source: ds.source,
    };
    if (split === 'train' && o.corruptRatio > 0) {
      labels = corruptLabels(ds.labels, o.corrupt, o.corruptRatio, o.corruptSeed);
      entry.corrupt = { mode: o.corrupt, ratio: o.corruptRatio, seed: o.corruptSeed, changed: countChanged(labels, ds.labels) };
    }
    entry.class_counts = classCounts(labels, ds.numClasses);
    entry.load_seconds = +((Date.now() - t0) / 1000).toFixed(2);
    out[split] = entry;
  }
  console.log(JSON.stringify(out, null, 2));
}

const DOWNLOAD_SPEC = {
  dataDir: opt.maybeText({ flag: 'data_dir', help: 'where to put the files (default: the package datasets/ folder)' }),
};

const cmdDownload: Command = {
  about: "Download and verify a dataset's official files: mcr2 download <dataset> [--data_dir D].",
  spec: DOWNLOAD_SPEC,
  positional: '<dataset>',
  run: async ([name, ...rest], m) => {
    if (name === undefined || name.startsWith('--'))
      throw new UsageError(`name a dataset: mcr2 download <${Object.keys(RESOURCES).join('|')}>`);
    await command('', DOWNLOAD_SPEC, async (o) => downloadDataset(name, o.dataDir ?? defaultDataDir())).run(rest, m);
  },
};

const SUMMARY_SPEC = { arch: COMMON_TRAIN_SPEC.arch, featureDim: COMMON_TRAIN_SPEC.featureDim };

async function backend(): Promise<void> {
  const info = await initBackend();
  console.log(describeBackend(info));
  for (const s of info.skipped) console.log(`  skipped: ${s}`);
  if (info.name !== 'webgpu') {
    // Which adapter MCR2_BACKEND=webgpu would take (the automatic choice may not have looked).
    const a = await probeAdapter();
    console.log(`  webgpu adapter: ${typeof a === 'string' ? `none (${a})` : `${a.description}${a.software ? ' (software)' : ''}`}`);
  }
}

const COMMANDS: Record<string, Command> = {
  'train-sup': command('Supervised MCR² training (train_sup.py).', SUPERVISED_SPEC, (o, m) => train(o, trainSupervised, m)),
  'train-selfsup': command('Self-supervised MCR² over augmentations (train_selfsup.py).', SELFSUP_SPEC, (o, m) =>
    train(o, trainSelfSup, m),
  ),
  evaluate: cmdEvaluate,
  extract: cmdExtract,
  export: cmdExport,
  plot: plotCommand,
  generate: generateCommand,
  quickstart: command('Train, evaluate and plot MCR² on MNIST in minutes (what `npm start` runs).', QUICKSTART_SPEC, quickstart),
  data: command('Describe a dataset as JSON: sizes, shapes, class counts, label corruption.', DATA_SPEC, describeData),
  download: cmdDownload,
  summary: command('Layer table of an architecture, ending with its trainable parameter count.', SUMMARY_SPEC, async (given) => {
    const o = resolve(SUMMARY_SPEC, given, 'summary');
    await initBackend();
    console.log(summaryText(o.arch, o.featureDim));
  }),
  backend: command('Show which tfjs backend is used and why.', {}, backend),
  ...REDUNET_COMMANDS,
};

/** The commands by name, for --help and the flag tables of docs/cli.md (scripts/cli-doc-flags.ts). */
export const COMMAND_SPECS: Readonly<Record<string, Spec>> = Object.fromEntries(Object.entries(COMMANDS).map(([k, c]) => [k, c.spec]));

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
    console.log(usage(c.positional ? `${cmd} ${c.positional}` : cmd, c.about, c.spec));
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
    const message = e instanceof OptionError ? e.messageFor(flagNamer(c.spec)) : e instanceof Error ? e.message : String(e);
    console.error(`mcr2 ${cmd}: error: ${message}`);
    if (debug && e instanceof Error) console.error(e.stack);
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
