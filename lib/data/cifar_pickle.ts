// CIFAR-10 and CIFAR-100 in their "python version" (what torchvision downloads and the official
// code reads through it, under <data_dir>/cifar10/ and <data_dir>/cifar100/):
//   cifar-10-batches-py/  data_batch_1..5, test_batch, batches.meta
//   cifar-100-python/     train, test, meta
// Each file is a pickled dict (Python 2 cPickle, protocol 2): b'data' a numpy uint8 array
// (n, 3072) of channel-planar images, b'labels' (CIFAR-10) or b'fine_labels' and b'coarse_labels'
// (CIFAR-100) lists of ints; the meta files hold the class names. Read with the restricted
// unpickler (lib/io/pickle.ts), which allows numpy's array globals and nothing else.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readBytes } from '../io/files.js';
import { NdArray, NUMPY_GLOBALS, PyDict, type PyValue, pyInt, pySeq, pyStr, aPyType, unpickle } from '../io/pickle.js';
import { CIFAR100_COARSE_OF_FINE } from './cifar.js';
import { checkLabels, type ImageDataset, type Split } from './dataset.js';

const PIXELS = 32 * 32 * 3;

export const CIFAR_PYTHON = {
  cifar10: {
    folder: 'cifar-10-batches-py',
    url: 'https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz',
    files: { train: [1, 2, 3, 4, 5].map((i) => `data_batch_${i}`), test: ['test_batch'] },
    meta: 'batches.meta',
  },
  cifar100: {
    folder: 'cifar-100-python',
    url: 'https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz',
    files: { train: ['train'], test: ['test'] },
    meta: 'meta',
  },
} as const;

/** Where the folder may be: in data_dir, under <name>/ as the official code puts it, or data_dir itself. */
export function cifarPickleDirs(dataDir: string, which: 'cifar10' | 'cifar100'): string[] {
  const folder = CIFAR_PYTHON[which].folder;
  return [path.join(dataDir, folder), path.join(dataDir, which, folder), dataDir];
}

/**
 * The python-version folder for `which`: the first candidate named like the archive's folder that
 * exists (missing files in it are then an error, not a reason to look elsewhere), or data_dir
 * itself when it holds the split's files.
 */
export function findCifarPickle(dataDir: string, which: 'cifar10' | 'cifar100', split: Split): string | undefined {
  const [a, b, self] = cifarPickleDirs(dataDir, which);
  for (const d of [a, b]) if (fs.existsSync(d) && fs.statSync(d).isDirectory()) return d;
  return CIFAR_PYTHON[which].files[split].every((f) => fs.existsSync(path.join(self, f))) ? self : undefined;
}

/** Parses one pickled file's bytes as a dict (numpy arrays allowed, nothing else). */
export function parsePickledDict(bytes: Uint8Array, file: string): PyDict {
  const { value } = unpickle(bytes, { file, globals: NUMPY_GLOBALS });
  if (!(value instanceof PyDict)) throw new Error(`${file}: holds ${aPyType(value)}, expected a dict (a CIFAR python-version file)`);
  return value;
}

/** Reads one pickled file as a dict. */
export function readPickledDict(file: string): PyDict {
  return parsePickledDict(readBytes(file), file);
}

function field(d: PyDict, key: string, file: string): PyValue {
  const v = d.get(key);
  if (v === undefined)
    throw new Error(
      `${file}: no '${key}' entry (has ${d
        .entries()
        .map(([k]) => pyStr(k, 'a key', { file }))
        .join(', ')})`,
    );
  return v;
}

/** A list (or numpy array) of integer labels. */
function intList(v: PyValue, what: string, file: string): Int32Array {
  if (v instanceof NdArray) {
    if (v.shape.length !== 1 || v.dtype === 'float32' || v.dtype === 'float64')
      throw new Error(`${file}: ${what} is not a 1-D integer array`);
    return Int32Array.from(v.data as ArrayLike<number | bigint>, (x) => Number(x));
  }
  const items = pySeq(v, what, { file });
  const out = new Int32Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const x = pyInt(items[i], `${what}[${i}]`, { file });
    if (x < -(2 ** 31) || x >= 2 ** 31) throw new Error(`${file}: ${what}[${i}] = ${x} is out of range`);
    out[i] = x;
  }
  return out;
}

/** One batch: its images NHWC, its (fine) labels, and CIFAR-100's coarse labels. */
export function decodeCifarBatch(
  d: PyDict,
  file: string,
  which: 'cifar10' | 'cifar100',
): { images: Uint8Array; labels: Int32Array; coarse?: Int32Array } {
  const data = field(d, 'data', file);
  if (!(data instanceof NdArray) || data.dtype !== 'uint8' || data.shape.length !== 2 || data.shape[1] !== PIXELS) {
    const got = data instanceof NdArray ? `a ${data.dtype} array of shape (${data.shape})` : `${aPyType(data)}`;
    throw new Error(`${file}: 'data' is ${got}, expected a uint8 array of shape (n, ${PIXELS})`);
  }
  const n = data.shape[0];
  const labels = intList(field(d, which === 'cifar10' && d.has('labels') ? 'labels' : 'fine_labels', file), 'labels', file);
  if (labels.length !== n) throw new Error(`${file}: ${n} images but ${labels.length} labels`);
  checkLabels(labels, which === 'cifar10' ? 10 : 100, file);
  let coarse: Int32Array | undefined;
  if (which === 'cifar100') {
    coarse = intList(field(d, 'coarse_labels', file), 'coarse_labels', file);
    if (coarse.length !== n) throw new Error(`${file}: ${n} images but ${coarse.length} coarse labels`);
    checkLabels(coarse, 20, `${file} (coarse labels)`);
  }
  // Channel-planar rows (1024 R, 1024 G, 1024 B) → NHWC, as torchvision's reshape + transpose.
  const src = data.data as Uint8Array;
  const images = new Uint8Array(n * PIXELS);
  for (let i = 0; i < n; i++) {
    const s = i * PIXELS;
    for (let p = 0; p < 1024; p++) {
      images[s + 3 * p] = src[s + p];
      images[s + 3 * p + 1] = src[s + 1024 + p];
      images[s + 3 * p + 2] = src[s + 2048 + p];
    }
  }
  return { images, labels, coarse };
}

function names(d: PyDict, key: string, count: number, file: string): string[] {
  const list = pySeq(field(d, key, file), key, { file }).map((v, i) => pyStr(v, `${key}[${i}]`, { file }));
  if (list.length !== count) throw new Error(`${file}: '${key}' has ${list.length} names, expected ${count}`);
  return list;
}

/** `cifar10`, `cifar100` (fine labels; coarse ones in coarseLabels) or `cifar100coarse` (the 20 superclasses) from a python-version folder. */
export function loadCifarPickle(name: 'cifar10' | 'cifar100' | 'cifar100coarse', split: Split, dir: string): ImageDataset {
  const which = name === 'cifar10' ? 'cifar10' : 'cifar100';
  const spec = CIFAR_PYTHON[which];
  const all = [...spec.files[split], spec.meta];
  const missing = all.filter((f) => !fs.existsSync(path.join(dir, f)));
  if (missing.length > 0)
    throw new Error(
      `${dir}: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing (torchvision's ${spec.folder}/ holds ` +
        `${[...spec.files.train, ...spec.files.test, spec.meta].join(', ')}; download ${spec.url})`,
    );
  const parts = spec.files[split].map((f) => {
    const file = path.join(dir, f);
    return decodeCifarBatch(readPickledDict(file), file, which);
  });
  const n = parts.reduce((a, p) => a + p.labels.length, 0);
  const images = new Uint8Array(n * PIXELS);
  const fine = new Int32Array(n);
  const coarse = which === 'cifar100' ? new Int32Array(n) : undefined;
  let off = 0;
  for (const p of parts) {
    images.set(p.images, off * PIXELS);
    fine.set(p.labels, off);
    if (coarse && p.coarse) coarse.set(p.coarse, off);
    off += p.labels.length;
  }
  const metaFile = path.join(dir, spec.meta);
  const meta = readPickledDict(metaFile);
  let labels = fine;
  let classes: string[];
  if (which === 'cifar10') classes = names(meta, 'label_names', 10, metaFile);
  else if (name === 'cifar100coarse') {
    // As the official code: the fine labels through its sparse2coarse table.
    labels = fine.map((l) => CIFAR100_COARSE_OF_FINE[l]);
    classes = names(meta, 'coarse_label_names', 20, metaFile);
  } else classes = names(meta, 'fine_label_names', 100, metaFile);
  return {
    name,
    split,
    images,
    labels,
    n,
    height: 32,
    width: 32,
    channels: 3,
    numClasses: classes.length,
    classes,
    source: dir,
    ...(coarse && name === 'cifar100' ? { coarseLabels: coarse } : {}),
  };
}
