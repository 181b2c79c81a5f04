// Datasets by their official --data names, each read in its official file format from --data_dir.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultDataDir } from '../io/paths.js';
import { CIFAR10_CLASSES, CIFAR_URLS, cifarDirs, cifarFiles, findCifar, loadCifarBinary } from './cifar.js';
import { CIFAR_PYTHON, cifarPickleDirs, findCifarPickle, loadCifarPickle } from './cifar_pickle.js';
import type { ImageDataset, Split } from './dataset.js';
import { isArchive, loadImageFolder } from './imagefolder.js';
import { IDX_DATASETS, loadIdxDataset } from './mnist.js';
import { findStl10, loadStl10Binary, STL10_URL, stl10Dirs } from './stl10.js';

export const DATASET_NAMES = [
  'mnist',
  'fashionmnist',
  'cifar10',
  'cifar100',
  'cifar100coarse',
  'stl10',
  'stl10sup',
  'imagefolder',
] as const;

const ALIASES: Record<string, string> = { fmnist: 'fashionmnist', 'fashion-mnist': 'fashionmnist' };

export function normaliseDatasetName(name: string): string {
  const n = name.toLowerCase();
  return ALIASES[n] ?? n;
}

export interface LoadOptions {
  /** Folder to read from (official --data_dir); defaults to the package's datasets/. */
  dataDir?: string;
}

/** An image-folder copy of a dataset beside the official files: <name>-jpeg/, <name>-jpeg.tar.gz or <name>/ with train/ and test/. */
function findImageFolder(dataDir: string, name: string): string | undefined {
  const cands = [`${name}-jpeg`, `${name}-jpeg.tar.gz`, `${name}-jpeg.tgz`, `${name}-jpeg.tar`, name].map((c) => path.join(dataDir, c));
  return cands.find((c) => fs.existsSync(c) && (isArchive(c) || fs.existsSync(path.join(c, 'train'))));
}

function missing(name: string, split: Split, files: string[], dirs: string[], url: string, alternative?: string): Error {
  return new Error(
    `${name} ${split} split not found: expected ${files.join(', ')} in any of: ${dirs.join(', ')}${alternative ? `; ${alternative}` : ''}\n` +
      `Official download: ${url} (or run: mcr2 download ${name} --data_dir ${dirs[dirs.length - 1]})`,
  );
}

export function loadDataset(name: string, split: Split, opts: LoadOptions = {}): ImageDataset {
  const n = normaliseDatasetName(name);
  const dataDir = opts.dataDir ?? defaultDataDir();
  const idx = IDX_DATASETS[n];
  if (idx !== undefined) return loadIdxDataset(idx, split, dataDir);
  switch (n) {
    case 'cifar10':
    case 'cifar100':
    case 'cifar100coarse': {
      const which = n === 'cifar10' ? 'cifar10' : 'cifar100';
      const dir = findCifar(dataDir, which, split);
      if (dir !== undefined) return loadCifarBinary(n, split, dir);
      // The python version, as torchvision downloads it (what the official code reads).
      const py = findCifarPickle(dataDir, which, split);
      if (py !== undefined) return loadCifarPickle(n, split, py);
      const folder = n === 'cifar100coarse' ? undefined : findImageFolder(dataDir, n);
      if (folder !== undefined) return loadImageFolder(folder, split, { name: n, classes: n === 'cifar10' ? CIFAR10_CLASSES : undefined });
      const p = CIFAR_PYTHON[which];
      throw missing(
        n,
        split,
        cifarFiles(which, split),
        cifarDirs(dataDir, which),
        CIFAR_URLS[which].url,
        `or torchvision's python version, ${p.folder}/ (${[...p.files[split], p.meta].join(', ')}), in ${cifarPickleDirs(dataDir, which).slice(0, 2).join(' or ')} (${p.url})`,
      );
    }
    case 'stl10':
    case 'stl10sup': {
      const parts: Array<'train' | 'test'> = split === 'test' ? ['test'] : n === 'stl10' ? ['train', 'test'] : ['train'];
      const dir = findStl10(dataDir, parts);
      if (dir === undefined)
        throw missing(
          n,
          split,
          parts.flatMap((p) => [`${p}_X.bin`, `${p}_y.bin`]),
          stl10Dirs(dataDir),
          STL10_URL.url,
        );
      return loadStl10Binary(n, split, dir);
    }
    case 'imagefolder':
      return loadImageFolder(dataDir, split);
    default:
      throw new Error(`unknown dataset '${name}'; available: ${DATASET_NAMES.join(', ')}`);
  }
}

export * from './dataset.js';
export { readIdx, parseIdx, encodeIdx } from './idx.js';
export { encodeCifarRecords, decodeCifarRecords, CIFAR10_CLASSES, CIFAR100_COARSE_OF_FINE } from './cifar.js';
export { encodeStl10Images, decodeStl10Images, STL10_CLASSES } from './stl10.js';
export { loadImageFolder, decodeImage } from './imagefolder.js';
export { tarEntries, readTar } from './tar.js';
