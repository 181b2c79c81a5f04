// Architectures by their --arch names.
import { RandomState } from '../random.js';
import { cnnSmall } from './cnn_small.js';
import type { FeatureNet } from './feature_net.js';

export interface ModelOptions {
  /** Seed of the initial weights. */
  seed?: number;
  /** Image size [h, w, c] the data has (checked against what the architecture accepts). */
  inputShape?: [number, number, number];
}

type Builder = (fd: number, rng: RandomState, inputShape?: [number, number, number]) => FeatureNet;

const ARCHS: Record<string, { build: Builder; input: [number, number, number]; about: string }> = {
  'cnn-small': { build: cnnSmall, input: [28, 28, 1], about: '2 conv + MLP head, for 28x28 grey images (protocol.md)' },
};

export const ARCH_NAMES = Object.keys(ARCHS);

export function archInputShape(arch: string): [number, number, number] {
  return spec(arch).input;
}

function spec(arch: string) {
  const s = ARCHS[arch.toLowerCase()];
  if (s === undefined) throw new Error(`unknown --arch '${arch}'; available: ${ARCH_NAMES.join(', ')}`);
  return s;
}

export function createModel(arch: string, fd: number, opts: ModelOptions = {}): FeatureNet {
  const s = spec(arch);
  if (!Number.isInteger(fd) || fd < 1) throw new Error(`--fd must be a positive integer, got ${fd}`);
  const input = opts.inputShape ?? s.input;
  if (input[2] !== s.input[2]) {
    throw new Error(`--arch ${arch} takes ${s.input[2]}-channel images; this data has ${input[2]} channels`);
  }
  return s.build(fd, new RandomState(opts.seed ?? 0), input);
}

export { FeatureNet } from './feature_net.js';
export * from './nn.js';
