// STL-10 in its official binary format (stl10_binary/): train_X.bin, train_y.bin, test_X.bin,
// test_y.bin. Images are 3x96x96 uint8, each channel stored column-major; labels are 1..10.
// As the official code: `stl10` train = train + test splits (13,000 labelled images, the
// unlabelled split unused), `stl10sup` train = train split only; both test = test split.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readBytes } from '../io/files.js';
import { concatParts, type ImageDataset, type Split } from './dataset.js';

export const STL10_CLASSES = ['airplane', 'bird', 'car', 'cat', 'deer', 'dog', 'horse', 'monkey', 'ship', 'truck'];
export const STL10_URL = {
  url: 'http://ai.stanford.edu/~acoates/stl10/stl10_binary.tar.gz',
  md5: '91f7769df0f17e558f3565bffb0c7dfb',
  folder: 'stl10_binary',
};

const SIDE = 96;
const PIXELS = SIDE * SIDE * 3;

export function stl10Dirs(dataDir: string): string[] {
  return [path.join(dataDir, 'stl10_binary'), path.join(dataDir, 'stl10', 'stl10_binary'), path.join(dataDir, 'stl10'), dataDir];
}

const FILES = { train: ['train_X.bin', 'train_y.bin'], test: ['test_X.bin', 'test_y.bin'] };

export function findStl10(dataDir: string, parts: Array<'train' | 'test'>): string | undefined {
  return stl10Dirs(dataDir).find((d) => parts.every((p) => FILES[p].every((f) => fs.existsSync(path.join(d, f)))));
}

/** Column-major CHW records → NHWC. */
export function decodeStl10Images(buf: Uint8Array, file: string): Uint8Array {
  if (buf.length === 0 || buf.length % PIXELS !== 0) {
    throw new Error(`${file}: ${buf.length} bytes is not a whole number of 96x96x3 STL-10 images (truncated?)`);
  }
  const n = buf.length / PIXELS;
  const out = new Uint8Array(buf.length);
  const plane = SIDE * SIDE;
  for (let i = 0; i < n; i++) {
    const base = i * PIXELS;
    for (let c = 0; c < 3; c++) {
      const src = base + c * plane;
      for (let x = 0; x < SIDE; x++) {
        for (let y = 0; y < SIDE; y++) out[base + (y * SIDE + x) * 3 + c] = buf[src + x * SIDE + y];
      }
    }
  }
  return out;
}

/** NHWC → the official column-major CHW layout (for tests and conversions). */
export function encodeStl10Images(images: Uint8Array): Uint8Array {
  const out = new Uint8Array(images.length);
  const n = images.length / PIXELS;
  const plane = SIDE * SIDE;
  for (let i = 0; i < n; i++) {
    const base = i * PIXELS;
    for (let c = 0; c < 3; c++) {
      for (let x = 0; x < SIDE; x++) {
        for (let y = 0; y < SIDE; y++) out[base + c * plane + x * SIDE + y] = images[base + (y * SIDE + x) * 3 + c];
      }
    }
  }
  return out;
}

function readPart(dir: string, part: 'train' | 'test'): { images: Uint8Array; labels: Int32Array } {
  const xf = path.join(dir, FILES[part][0]);
  const yf = path.join(dir, FILES[part][1]);
  const images = decodeStl10Images(readBytes(xf), xf);
  const raw = readBytes(yf);
  const n = images.length / PIXELS;
  if (raw.length !== n) throw new Error(`${yf}: ${raw.length} labels but ${xf} has ${n} images`);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (raw[i] < 1 || raw[i] > 10) throw new Error(`${yf}: label ${raw[i]} at index ${i} is outside 1..10`);
    labels[i] = raw[i] - 1;
  }
  return { images, labels };
}

export function loadStl10Binary(name: 'stl10' | 'stl10sup', split: Split, dir: string): ImageDataset {
  const parts: Array<'train' | 'test'> = split === 'test' ? ['test'] : name === 'stl10' ? ['train', 'test'] : ['train'];
  const { images, labels } = concatParts(
    parts.map((p) => readPart(dir, p)),
    PIXELS,
  );
  const n = labels.length;
  const namesFile = path.join(dir, 'class_names.txt');
  const names = fs.existsSync(namesFile)
    ? fs
        .readFileSync(namesFile, 'utf8')
        .split('\n')
        .map((s) => s.trim())
        .filter((s) => s)
    : [];
  const classes = names.length === 10 ? names : STL10_CLASSES;
  return { name, split, images, labels, n, height: SIDE, width: SIDE, channels: 3, numClasses: 10, classes, source: dir };
}
