// CIFAR-10 and CIFAR-100 in their official binary formats (the "binary version" archives):
//   CIFAR-10:  data_batch_1..5.bin, test_batch.bin; records of 1 label byte + 3072 pixel bytes
//   CIFAR-100: train.bin, test.bin; records of coarse label, fine label + 3072 pixel bytes
// Pixels are stored channel-planar (1024 R, 1024 G, 1024 B, rows of 32); kept here as NHWC uint8.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readBytes } from '../io/files.js';
import { checkLabels, concatParts, type ImageDataset, type Split } from './dataset.js';

export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

/** CIFAR-100 fine label → superclass, the table of the official code's `sparse2coarse`. */
export const CIFAR100_COARSE_OF_FINE = [
  4, 1, 14, 8, 0, 6, 7, 7, 18, 3, 3, 14, 9, 18, 7, 11, 3, 9, 7, 11, 6, 11, 5, 10, 7, 6, 13, 15, 3, 15, 0, 11, 1, 10, 12, 14, 16, 9, 11, 5,
  5, 19, 8, 8, 15, 13, 14, 17, 18, 10, 16, 4, 17, 4, 2, 0, 17, 4, 18, 17, 10, 3, 2, 12, 12, 16, 12, 1, 9, 19, 2, 10, 0, 1, 16, 12, 9, 13,
  15, 13, 16, 19, 2, 4, 6, 19, 5, 5, 8, 19, 18, 1, 2, 15, 6, 0, 17, 8, 14, 13,
];

const PIXELS = 32 * 32 * 3;

export const CIFAR_URLS = {
  cifar10: {
    url: 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz',
    md5: 'c32a1d4ab5d03f1284b67883e8d87530',
    folder: 'cifar-10-batches-bin',
  },
  cifar100: {
    url: 'https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz',
    md5: '03b5dce01913d631647c71ecec9e9cb8',
    folder: 'cifar-100-binary',
  },
};

/** Folders where the binaries may be: the archive's own folder, under <name>/ as the official code, or data_dir. */
export function cifarDirs(dataDir: string, which: 'cifar10' | 'cifar100'): string[] {
  const folder = CIFAR_URLS[which].folder;
  return [path.join(dataDir, folder), path.join(dataDir, which, folder), path.join(dataDir, which), dataDir];
}

export function cifarFiles(which: 'cifar10' | 'cifar100', split: Split): string[] {
  if (which === 'cifar10') return split === 'train' ? [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`) : ['test_batch.bin'];
  return [split === 'train' ? 'train.bin' : 'test.bin'];
}

/** The folder holding all of a split's files, if any. */
export function findCifar(dataDir: string, which: 'cifar10' | 'cifar100', split: Split): string | undefined {
  const files = cifarFiles(which, split);
  return cifarDirs(dataDir, which).find((d) => files.every((f) => fs.existsSync(path.join(d, f))));
}

/** Decodes records (labelBytes label bytes, then 3072 channel-planar pixels) into NHWC + labels. */
export function decodeCifarRecords(
  buf: Uint8Array,
  labelBytes: number,
  labelIndex: number,
  file: string,
): { images: Uint8Array; labels: Int32Array } {
  const rec = labelBytes + PIXELS;
  if (buf.length === 0 || buf.length % rec !== 0) {
    throw new Error(
      `${file}: ${buf.length} bytes is not a whole number of ${rec}-byte CIFAR records (truncated, or not a CIFAR-${labelBytes === 1 ? '10' : '100'} binary file)`,
    );
  }
  const n = buf.length / rec;
  const images = new Uint8Array(n * PIXELS);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * rec;
    labels[i] = buf[o + labelIndex];
    const src = o + labelBytes;
    const dst = i * PIXELS;
    for (let p = 0; p < 1024; p++) {
      images[dst + 3 * p] = buf[src + p];
      images[dst + 3 * p + 1] = buf[src + 1024 + p];
      images[dst + 3 * p + 2] = buf[src + 2048 + p];
    }
  }
  return { images, labels };
}

/** Encodes NHWC images + labels as CIFAR binary records (to write test files and conversions). */
export function encodeCifarRecords(images: Uint8Array, labels: ArrayLike<number>, coarse?: ArrayLike<number>): Uint8Array {
  const labelBytes = coarse ? 2 : 1;
  const rec = labelBytes + PIXELS;
  const n = labels.length;
  const out = new Uint8Array(n * rec);
  for (let i = 0; i < n; i++) {
    const o = i * rec;
    if (coarse) {
      out[o] = coarse[i];
      out[o + 1] = labels[i];
    } else {
      out[o] = labels[i];
    }
    for (let p = 0; p < 1024; p++) {
      out[o + labelBytes + p] = images[i * PIXELS + 3 * p];
      out[o + labelBytes + 1024 + p] = images[i * PIXELS + 3 * p + 1];
      out[o + labelBytes + 2048 + p] = images[i * PIXELS + 3 * p + 2];
    }
  }
  return out;
}

function readNames(dir: string, file: string, count: number): string[] | undefined {
  const p = path.join(dir, file);
  if (!fs.existsSync(p)) return undefined;
  const names = fs
    .readFileSync(p, 'utf8')
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return names.length === count ? names : undefined;
}

/** `cifar10`, `cifar100` (fine labels) or `cifar100coarse` (20 superclasses) from the binary files in dir. */
export function loadCifarBinary(name: 'cifar10' | 'cifar100' | 'cifar100coarse', split: Split, dir: string): ImageDataset {
  const which = name === 'cifar10' ? 'cifar10' : 'cifar100';
  let coarse: Int32Array | undefined;
  const parts = cifarFiles(which, split).map((f) => {
    const file = path.join(dir, f);
    const buf = readBytes(file);
    // CIFAR-100 records start with the coarse label: kept beside the fine one.
    if (which === 'cifar100') coarse = Int32Array.from({ length: Math.floor(buf.length / (PIXELS + 2)) }, (_, i) => buf[i * (PIXELS + 2)]);
    return decodeCifarRecords(buf, which === 'cifar10' ? 1 : 2, which === 'cifar10' ? 0 : 1, file);
  });
  const all = concatParts(parts, PIXELS);
  const images = all.images;
  let labels = all.labels;
  const n = labels.length;
  let classes: string[];
  if (name === 'cifar10') {
    classes = readNames(dir, 'batches.meta.txt', 10) ?? CIFAR10_CLASSES;
  } else {
    checkLabels(labels, 100, path.join(dir, cifarFiles(which, split)[0]));
    if (name === 'cifar100coarse') {
      labels = labels.map((l) => CIFAR100_COARSE_OF_FINE[l]);
      classes = readNames(dir, 'coarse_label_names.txt', 20) ?? Array.from({ length: 20 }, (_, i) => `superclass ${i}`);
    } else {
      classes = readNames(dir, 'fine_label_names.txt', 100) ?? Array.from({ length: 100 }, (_, i) => `class ${i}`);
    }
  }
  checkLabels(labels, classes.length, path.join(dir, cifarFiles(which, split)[0]));
  const extra = name === 'cifar100' && coarse ? { coarseLabels: coarse } : {};
  return { name, split, images, labels, n, height: 32, width: 32, channels: 3, numClasses: classes.length, classes, source: dir, ...extra };
}
