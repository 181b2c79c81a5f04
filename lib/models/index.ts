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

type Arch = { build: Builder; input: [number, number, number]; about: string; chunk: number; head?: false };
const arch = (build: Builder, input: [number, number, number], chunk: number, about: string, head?: false): Arch => ({
  build,
  input,
  about,
  chunk,
  ...(head === false ? { head } : {}),
});

// chunk: rows per forward/backward chunk that keeps a training step within ~2 GB of activations on
// wasm (4 GB address space); 0 = the whole batch. Measured per image at batch 32 (resnet18: ~19 MB).
const ARCHS: Record<string, Arch> = {
  'cnn-small': arch(cnnSmall, [28, 28, 1], 0, '2 conv + MLP head, for 28x28 grey images (docs/reference-results.md)'),
  resnet18: arch(resnet18, [32, 32, 3], 100, 'ResNet-18 + MLP head (CIFAR)'),
  resnet18w8: arch(
    resnet18Width(8),
    [32, 32, 3],
    0,
    'ResNet-18 at 1/8 width (stages 8/16/32/64) + MLP head (CIFAR; measured in notebook 05)',
  ),
  cnn3: arch(cnn3, [32, 32, 3], 0, '3 conv stages (32/64/128) + MLP head, for 32x32 colour images (CIFAR cpu profile)'),
  resnet18ctrl: arch(resnet18ctrl, [32, 32, 3], 100, 'ResNet-18 with layer4 of fd channels, no head (CIFAR)', false),
  resnet18stl: arch(resnet18stl, [96, 96, 3], 200, 'small ResNet-18 for 96x96 STL-10 images, layer4 of fd channels', false),
  resnet10mnist: arch(resnet10mnist, [28, 28, 1], 200, 'ResNet-10 for 28x28 grey images, layer4 of fd channels', false),
  vgg11: arch(vgg11, [32, 32, 3], 150, 'VGG-11 with batch norm + MLP head (CIFAR)'),
  resnext29_2x64d: arch(resnext29_2x64d, [32, 32, 3], 16, 'ResNeXt-29, cardinality 2, width 64 + MLP head (CIFAR)'),
  resnext29_4x64d: arch(resnext29_4x64d, [32, 32, 3], 8, 'ResNeXt-29, cardinality 4, width 64 + MLP head (CIFAR)'),
  resnext29_8x64d: arch(resnext29_8x64d, [32, 32, 3], 2, 'ResNeXt-29, cardinality 8, width 64 + MLP head (CIFAR)'),
  resnext29_32x4d: arch(resnext29_32x4d, [32, 32, 3], 16, 'ResNeXt-29, cardinality 32, width 4 + MLP head (CIFAR)'),
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
