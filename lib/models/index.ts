// Architectures by their --arch names.
import { RandomState } from '../math/random.js';
import { cnn3, cnnSmall } from './cnn_small.js';
import type { FeatureNet } from './feature_net.js';
import { resnet10mnist, resnet18, resnet18ctrl, resnet18stl, resnet18Width } from './resnet.js';
import { resnext29_2x64d, resnext29_32x4d, resnext29_4x64d, resnext29_8x64d } from './resnext.js';
import { vgg11 } from './vgg.js';

export interface ModelOptions {
  /** Seed of the initial weights. */
  seed?: number;
  /** Image size [h, w, c] the data has (checked against what the architecture accepts). */
  inputShape?: [number, number, number];
}

type Builder = (fd: number, rng: RandomState, inputShape?: [number, number, number]) => FeatureNet;

// chunk: rows per forward/backward chunk that keeps a training step within ~2 GB of activations on
// wasm (4 GB address space); 0 = the whole batch. Measured per image at batch 32 (resnet18: ~19 MB).
const ARCHS: Record<string, { build: Builder; input: [number, number, number]; about: string; chunk: number; head?: false }> = {
  'cnn-small': {
    build: cnnSmall,
    input: [28, 28, 1],
    about: '2 conv + MLP head, for 28x28 grey images (docs/reference-results.md)',
    chunk: 0,
  },
  resnet18: { build: resnet18, input: [32, 32, 3], about: 'ResNet-18 + MLP head (CIFAR)', chunk: 100 },
  resnet18w8: {
    build: resnet18Width(8),
    input: [32, 32, 3],
    about: 'ResNet-18 at 1/8 width (stages 8/16/32/64) + MLP head (CIFAR; measured in notebook 05)',
    chunk: 0,
  },
  cnn3: {
    build: cnn3,
    input: [32, 32, 3],
    about: '3 conv stages (32/64/128) + MLP head, for 32x32 colour images (CIFAR cpu profile)',
    chunk: 0,
  },
  resnet18ctrl: {
    build: resnet18ctrl,
    input: [32, 32, 3],
    about: 'ResNet-18 with layer4 of fd channels, no head (CIFAR)',
    chunk: 100,
    head: false,
  },
  resnet18stl: {
    build: resnet18stl,
    input: [96, 96, 3],
    about: 'small ResNet-18 for 96x96 STL-10 images, layer4 of fd channels',
    chunk: 200,
    head: false,
  },
  resnet10mnist: {
    build: resnet10mnist,
    input: [28, 28, 1],
    about: 'ResNet-10 for 28x28 grey images, layer4 of fd channels',
    chunk: 200,
    head: false,
  },
  vgg11: { build: vgg11, input: [32, 32, 3], about: 'VGG-11 with batch norm + MLP head (CIFAR)', chunk: 150 },
  resnext29_2x64d: {
    build: resnext29_2x64d,
    input: [32, 32, 3],
    about: 'ResNeXt-29, cardinality 2, width 64 + MLP head (CIFAR)',
    chunk: 16,
  },
  resnext29_4x64d: {
    build: resnext29_4x64d,
    input: [32, 32, 3],
    about: 'ResNeXt-29, cardinality 4, width 64 + MLP head (CIFAR)',
    chunk: 8,
  },
  resnext29_8x64d: {
    build: resnext29_8x64d,
    input: [32, 32, 3],
    about: 'ResNeXt-29, cardinality 8, width 64 + MLP head (CIFAR)',
    chunk: 2,
  },
  resnext29_32x4d: {
    build: resnext29_32x4d,
    input: [32, 32, 3],
    about: 'ResNeXt-29, cardinality 32, width 4 + MLP head (CIFAR)',
    chunk: 16,
  },
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

/** Rows per forward/backward chunk that keeps a training step's memory bounded (0: no chunking). */
export function archDefaultChunk(arch: string): number {
  return spec(arch).chunk;
}

/** Whether the architecture ends in an MLP head (its last Linear emits the fd features). */
export function archHasHead(arch: string): boolean {
  return spec(arch).head !== false;
}

/** One line on what --arch `arch` is. */
export function archAbout(arch: string): string {
  return spec(arch).about;
}

export { FeatureNet, type FeatureNetOptions } from './feature_net.js';
export { GroupedConv2d, groupedConv2d } from './grouped_conv.js';
export { BasicBlock, resnet10mnist, resnet18, resnet18ctrl, resnet18stl } from './resnet.js';
export { ResNeXtBlock, resnext29 } from './resnext.js';
export { vgg11 } from './vgg.js';
export * from './nn.js';
