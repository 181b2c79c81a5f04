// The one table of what users type (official snake_case flags) against what the library takes
// (camelCase options): name, type, default, help. `--help` is generated from it, the CLI builds
// option objects with it, and rewrites library validation errors from option names to flags
// (`batchSize must be ...` → `--bs must be ...`). The flag tables of docs/cli.md are checked against
// it (test/flags.test.ts; `node dist/scripts/cli-doc-flags.js` rewrites them).
import type { OptionNamer } from '../io/options.js';
import { SELFSUP_DEFAULTS } from '../train/selfsup.js';
import { SUPERVISED_DEFAULTS } from '../train/supervised.js';
import type { FlagSpecs, FlagType } from './args.js';

export interface FlagRow {
  /** As typed, without the leading --. */
  flag: string;
  /** The library option it sets (camelCase), or undefined for a flag only the CLI reads. */
  option?: string;
  type: FlagType;
  help: string;
  /** The CLI's default (shown in --help): the library default of `option`, unless a row says otherwise. */
  default?: unknown;
  /** A bare bool flag that sets its option to false (--no_shuffle → shuffle: false). */
  negate?: boolean;
}

export type FlagTable = readonly FlagRow[];

/** A row whose default is the library's (null or undefined: none shown). */
function opt(defaults: object, flag: string, option: string, type: FlagType, help: string): FlagRow {
  const d = (defaults as Record<string, unknown>)[option];
  return { flag, option, type, help, default: d === null ? undefined : d };
}

const MCR2_TS = '(mcr2-ts)';
const D = SUPERVISED_DEFAULTS;
const S = SELFSUP_DEFAULTS;
const DATA_DIR_HELP = 'base directory of the datasets (default: the package datasets/ folder)';
const WORKERS_HELP = `data-parallel worker threads besides the main one; -1 = one per extra core on wasm/cpu ${MCR2_TS}`;
const CHUNK_HELP = `rows per forward/backward chunk to bound memory; -1 = the architecture's default, 0 = whole batch ${MCR2_TS}`;

/** mcr2 train-sup (train_sup.py) → SupervisedOptions. */
export const TRAIN_SUP_FLAGS: FlagTable = [
  opt(D, 'arch', 'arch', 'string', 'architecture for deep neural network'),
  opt(D, 'fd', 'featureDim', 'int', 'dimension of feature dimension'),
  opt(D, 'data', 'data', 'string', 'dataset for training'),
  opt(D, 'epo', 'epochs', 'int', 'number of epochs for training'),
  opt(D, 'bs', 'batchSize', 'int', 'input batch size for training'),
  opt(D, 'lr', 'lr', 'float', 'learning rate'),
  opt(D, 'mom', 'momentum', 'float', 'momentum'),
  opt(D, 'wd', 'weightDecay', 'float', 'weight decay'),
  opt(D, 'gam1', 'gam1', 'float', 'gamma1 for tuning empirical loss'),
  opt(D, 'gam2', 'gam2', 'float', 'gamma2 for tuning empirical loss'),
  opt(D, 'eps', 'eps', 'float', 'eps squared'),
  opt(D, 'corrupt', 'corrupt', 'string', 'label corruption mode'),
  opt(D, 'lcr', 'corruptRatio', 'float', 'label corruption ratio'),
  opt(D, 'lcs', 'corruptSeed', 'int', 'label corruption seed for index randomization'),
  opt(D, 'tail', 'tail', 'string', 'extra information to add to folder name'),
  opt(D, 'transform', 'transform', 'string', 'transform applied to trainset (test = none)'),
  opt(D, 'save_dir', 'saveDir', 'string', 'base directory for saving the model'),
  opt(D, 'data_dir', 'dataDir', 'string', DATA_DIR_HELP),
  opt(D, 'pretrain_dir', 'pretrainDir', 'string', 'load pretrained checkpoint from this run folder'),
  opt(D, 'pretrain_epo', 'pretrainEpoch', 'int', 'load pretrained epoch (default: latest)'),
  opt(D, 'milestones', 'milestones', 'ints', `epochs after which lr is multiplied by 0.1 ${MCR2_TS}`),
  opt(D, 'seed', 'seed', 'int', `seed of weights, batch order and augmentations ${MCR2_TS}`),
  {
    flag: 'no_shuffle',
    option: 'shuffle',
    type: 'bool',
    negate: true,
    help: `keep the dataset order every epoch, as the official loader ${MCR2_TS}`,
  },
  opt(D, 'subset', 'subset', 'int', `train on the first N images only, 0 = all ${MCR2_TS}`),
  opt(D, 'workers', 'workers', 'int', WORKERS_HELP),
  opt(D, 'loss', 'loss', 'string', `'mcr2', or 'ce' for the cross-entropy baseline on the same backbone ${MCR2_TS}`),
  opt(D, 'chunk', 'chunk', 'int', CHUNK_HELP),
];

/** mcr2 train-selfsup (train_selfsup.py) → SelfSupOptions. */
export const TRAIN_SELFSUP_FLAGS: FlagTable = [
  opt(S, 'arch', 'arch', 'string', 'architecture for deep neural network'),
  opt(S, 'fd', 'featureDim', 'int', 'dimension of feature dimension'),
  opt(S, 'data', 'data', 'string', 'dataset for training'),
  opt(S, 'epo', 'epochs', 'int', 'number of epochs for training'),
  opt(S, 'bs', 'batchSize', 'int', 'input batch size for training'),
  opt(S, 'aug', 'numAug', 'int', 'number of augmentations per mini-batch'),
  opt(S, 'lr', 'lr', 'float', 'learning rate'),
  opt(S, 'mom', 'momentum', 'float', 'momentum'),
  opt(S, 'wd', 'weightDecay', 'float', 'weight decay'),
  opt(S, 'gam1', 'gam1', 'float', 'gamma1 for tuning empirical loss'),
  opt(S, 'gam2', 'gam2', 'float', 'gamma2 for tuning empirical loss'),
  opt(S, 'eps', 'eps', 'float', 'eps squared'),
  opt(S, 'tail', 'tail', 'string', 'extra information to add to folder name'),
  opt(S, 'transform', 'transform', 'string', 'transform applied to trainset'),
  opt(S, 'sampler', 'sampler', 'string', 'sampler used in augmentloader (random or balance)'),
  opt(S, 'pretrain_dir', 'pretrainDir', 'string', 'load pretrained checkpoint from this run folder'),
  opt(S, 'pretrain_epo', 'pretrainEpoch', 'int', 'load pretrained epoch (default: latest)'),
  opt(S, 'save_dir', 'saveDir', 'string', 'base directory for saving the model'),
  opt(S, 'data_dir', 'dataDir', 'string', DATA_DIR_HELP),
  opt(S, 'milestones', 'milestones', 'ints', `epochs after which lr is multiplied by 0.1 ${MCR2_TS}`),
  opt(S, 'seed', 'seed', 'int', `seed of weights, sampling and augmentations ${MCR2_TS}`),
  {
    flag: 'shuffle',
    option: 'shuffle',
    type: 'bool',
    help: `random sampler: a seeded sample each epoch instead of dataset order ${MCR2_TS}`,
  },
  opt(S, 'subset', 'subset', 'int', `train on the first N images only, 0 = all ${MCR2_TS}`),
  opt(S, 'workers', 'workers', 'int', WORKERS_HELP),
  opt(S, 'chunk', 'chunk', 'int', CHUNK_HELP),
];

/** mcr2 extract (extract.py) → ExtractOptions (lib/runs/extract.ts). */
export const EXTRACT_FLAGS: FlagTable = [
  { flag: 'model_dir', option: 'modelDir', type: 'string', help: 'run folder' },
  { flag: 'epoch', option: 'epoch', type: 'int', help: 'which epoch (default: latest)' },
  { flag: 'save_dir', option: 'saveDir', type: 'string', help: 'where the .npz goes', default: './extractions/' },
  { flag: 'tail', option: 'tail', type: 'string', help: 'extra information to add to the file name', default: '' },
  { flag: 'data_dir', option: 'dataDir', type: 'string', help: 'path to dataset (default: the one the run trained on)' },
];

/** mcr2 export → ExportTorchOptions (lib/runs/export_torch.ts). */
export const EXPORT_FLAGS: FlagTable = [
  { flag: 'model_dir', option: 'modelDir', type: 'string', help: 'run folder' },
  { flag: 'epoch', option: 'epoch', type: 'int', help: 'which epoch (default: latest)' },
  {
    flag: 'out',
    option: 'out',
    type: 'string',
    help: `where the .pt goes (default: <model_dir>/checkpoints/model-epoch<e>.pt, where the official scripts look) ${MCR2_TS}`,
  },
  {
    flag: 'data_dir',
    option: 'dataDir',
    type: 'string',
    help: 'path to dataset, read (for its image size) only for runs without input_shape in params.json',
  },
];

/** mcr2 quickstart (npm start): the profile is CLI-only; the folders go to SupervisedOptions. */
export const QUICKSTART_FLAGS: FlagTable = [
  { flag: 'profile', type: 'string', help: 'smoke | cpu | paper (default: MCR2_PROFILE or cpu)' },
  opt(D, 'save_dir', 'saveDir', 'string', 'where the run folder goes'),
  opt(D, 'data_dir', 'dataDir', 'string', DATA_DIR_HELP),
];

/** The tables by command, for --help, error messages and the docs/cli.md check. */
export const FLAG_TABLES: Readonly<Record<string, FlagTable>> = {
  'train-sup': TRAIN_SUP_FLAGS,
  'train-selfsup': TRAIN_SELFSUP_FLAGS,
  extract: EXTRACT_FLAGS,
  export: EXPORT_FLAGS,
  quickstart: QUICKSTART_FLAGS,
};

/** The parser's specs (lib/cli/args.ts) of a table. */
export function flagSpecs(table: FlagTable): FlagSpecs {
  const out: FlagSpecs = {};
  for (const r of table) out[r.flag] = { type: r.type, help: r.help, ...(r.default !== undefined ? { default: r.default } : {}) };
  return out;
}

/** The option object that parsed flag values stand for (flags not given and without default: absent). */
export function optionsFromFlags(table: FlagTable, values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const r of table) {
    const v = values[r.flag];
    if (r.option === undefined || v === undefined) continue;
    out[r.option] = r.negate ? v !== true : v;
  }
  return out;
}

/** Option key → the flag a CLI user typed ('batchSize' → '--bs'); keys without a flag stay as they are. */
export function flagNamer(table: FlagTable): OptionNamer {
  return (option) => {
    const r = table.find((x) => x.option === option && !x.negate) ?? table.find((x) => x.option === option);
    return r ? `--${r.flag}` : option;
  };
}

function showDefault(v: unknown): string {
  if (v === undefined) return '';
  if (Array.isArray(v)) return v.length === 0 ? 'none' : v.join(',');
  if (v === '') return "''";
  return String(v);
}

/** docs/cli.md's table of one command's flags (what test/flags.test.ts compares). */
export function flagTableMarkdown(table: FlagTable): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  const rows = table.map(
    (r) =>
      `| \`--${r.flag}\` | ${r.option ? `\`${r.option}\`${r.negate ? ' = false' : ''}` : '—'} | ${cell(showDefault(r.default))} | ${cell(r.help)} |`,
  );
  return ['| flag | option | default | help |', '|---|---|---|---|', ...rows].join('\n');
}
