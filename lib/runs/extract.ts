// extract.py: a checkpoint's features and labels as a numpy-readable .npz (one zip; the official
// script writes a .tgz although its README says .zip). Holds features.npy/labels.npy (the train
// split, clean labels, as the official script) and train_/test_ features and labels, which
// `mcr2 evaluate --features` reads.
import * as path from 'node:path';
import { runFeatures } from './features.js';
import { writeNpz } from '../io/npz.js';
import { type InputOf, opt, resolve } from '../options/spec.js';
import { RUN_SPEC } from './options.js';

/** extract.py's options (`mcr2 extract`'s flags). */
export const EXTRACT_SPEC = {
  modelDir: RUN_SPEC.modelDir,
  epoch: RUN_SPEC.epoch,
  saveDir: opt.text('./extractions/', { flag: 'save_dir', help: 'where the .npz goes' }),
  tail: opt.text('', { flag: 'tail', help: 'extra information to add to the file name' }),
  dataDir: RUN_SPEC.dataDir,
};

export type ExtractOptions = InputOf<typeof EXTRACT_SPEC>;

export async function writeRunFeatures(
  options: ExtractOptions,
): Promise<{ file: string; train: number; test: number; dim: number; epoch: number }> {
  const o = resolve(EXTRACT_SPEC, options, 'extract');
  const rf = await runFeatures(o.modelDir, o.epoch, o.dataDir);
  const name = `${path.basename(path.resolve(o.modelDir))}_epoch${rf.epoch}${o.tail}.npz`;
  const file = path.join(o.saveDir, name);
  const { train, test } = rf;
  writeNpz(file, {
    features: { data: train.features, shape: [train.n, train.dim] },
    labels: { data: train.labels, shape: [train.n] },
    train_features: { data: train.features, shape: [train.n, train.dim] },
    train_labels: { data: rf.trainLabelsUsed, shape: [train.n] },
    test_features: { data: test.features, shape: [test.n, test.dim] },
    test_labels: { data: test.labels, shape: [test.n] },
  });
  return { file, train: train.n, test: test.n, dim: train.dim, epoch: rf.epoch };
}
