// Datasets by their official --data names.
import { defaultDataDir } from '../paths.js';
import type { ImageDataset, Split } from './dataset.js';
import { IDX_DATASETS, loadIdxDataset } from './mnist.js';

export const DATASET_NAMES = ['mnist', 'fashionmnist'] as const;

const ALIASES: Record<string, string> = { fmnist: 'fashionmnist', 'fashion-mnist': 'fashionmnist' };

export function normaliseDatasetName(name: string): string {
  const n = name.toLowerCase();
  return ALIASES[n] ?? n;
}

export interface LoadOptions {
  /** Folder to read from (official --data_dir); defaults to the package's datasets/. */
  dataDir?: string;
}

export function loadDataset(name: string, split: Split, opts: LoadOptions = {}): ImageDataset {
  const n = normaliseDatasetName(name);
  const dataDir = opts.dataDir ?? defaultDataDir();
  const idx = IDX_DATASETS[n];
  if (idx !== undefined) return loadIdxDataset(idx, split, dataDir);
  throw new Error(`unknown dataset '${name}'; available: ${DATASET_NAMES.join(', ')}`);
}

export * from './dataset.js';
export { readIdx, parseIdx, encodeIdx } from './idx.js';
