// The official ResNets (architectures/resnet_cifar.py, resnet_stl.py, resnet_mnist.py): BasicBlock
// stages, convolutions without bias, and state_dict names as there (conv1.weight, bn1.*,
// layer1.0.conv1.weight, layer2.0.shortcut.0.weight, reshape.0.weight, ...).
//   resnet18       CIFAR, 32x32x3: stages 64/128/256/512, avg_pool2d(4), MLP head 512→512→fd
//   resnet18ctrl   the same with layer4 of fd channels and no head (ResNet18Control)
//   resnet18stl    STL-10, 96x96x3: 5x5/2 stem + 3x3/2 max pool, stages 32/32/64/fd, global mean
//   resnet10mnist  MNIST, 28x28x1: one block per stage, 64/128/256/fd, avg_pool2d(4)
import type * as tf from '@tensorflow/tfjs';
import type { RandomState } from '../math/random.js';
import { FeatureNet } from './feature_net.js';
import { AdaptiveAvgPool2d, AvgPool2d, BatchNorm, Conv2d, Flatten, Linear, MaxPool2d, Module, ReLU, Sequential } from './nn.js';

type Shape = [number, number, number];

/**
 * conv3x3(stride s) → BN → ReLU → conv3x3 → BN, plus the shortcut (identity, or a 1x1 conv with
 * stride s + BN where the stride or the width changes), then ReLU.
 */
export class BasicBlock extends Module {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm;
  readonly shortcut: Sequential;

  constructor(
    readonly inPlanes: number,
    readonly planes: number,
    readonly stride: number,
    rng: RandomState,
  ) {
    super();
    this.conv1 = this.add('conv1', new Conv2d(inPlanes, planes, 3, { stride, padding: 1, bias: false }, rng));
    this.bn1 = this.add('bn1', new BatchNorm(planes));
    this.conv2 = this.add('conv2', new Conv2d(planes, planes, 3, { stride: 1, padding: 1, bias: false }, rng));
    this.bn2 = this.add('bn2', new BatchNorm(planes));
    this.shortcut = this.add(
      'shortcut',
      stride !== 1 || inPlanes !== planes
        ? new Sequential(new Conv2d(inPlanes, planes, 1, { stride, bias: false }, rng), new BatchNorm(planes))
        : new Sequential(),
    );
  }

  forward(x: tf.Tensor): tf.Tensor {
    const out = this.bn1.forwardFused(this.conv1.forward(x), { relu: true });
    return this.bn2.forwardFused(this.conv2.forward(out), { residual: this.shortcut.forward(x), relu: true });
  }

  override typeLabel(): string {
    const proj = this.shortcut.children().length > 0 ? ', 1x1 conv shortcut' : '';
    return `BasicBlock(${this.inPlanes}→${this.planes}${this.stride !== 1 ? `, stride ${this.stride}` : ''}${proj})`;
  }

  /** One row per block in `describe` (its type says what is inside). */
  protected override traceLeaf(): boolean {
    return true;
  }
}

/** _make_layer: `blocks` BasicBlocks, the first with `stride`. */
function layer(inPlanes: number, planes: number, blocks: number, stride: number, rng: RandomState): Sequential {
  const list: Module[] = [];
  for (let i = 0; i < blocks; i++) list.push(new BasicBlock(i === 0 ? inPlanes : planes, planes, i === 0 ? stride : 1, rng));
  return new Sequential(...list);
}

/** Output side of a k x k convolution (or pool) with stride s and padding p. */
export function convOut(size: number, k: number, s: number, p: number): number {
  return Math.floor((size + 2 * p - k) / s) + 1;
}

/**
 * Throws unless avg_pool2d(k) turns the last h x w feature map into 1x1 (the official models
 * flatten it into a fixed-width vector): says which image size the architecture wants.
 */
export function checkPooled(arch: string, input: Shape, last: [number, number], k: number, want: number): void {
  const [h, w] = last;
  if (Math.floor(h / k) !== 1 || Math.floor(w / k) !== 1) {
    throw new Error(
      `--arch ${arch} takes ${want}x${want} images (its last ${h}x${w} feature map must average-pool to 1x1 with ` +
        `avg_pool2d(${k})); this data has ${input[0]}x${input[1]}`,
    );
  }
}

/** The official `reshape` head: Linear(in→512, no bias) → BatchNorm1d(512) → ReLU → Linear(512→fd). */
export function mlpHead(inFeatures: number, fd: number, rng: RandomState, hidden = 512): Sequential {
  return new Sequential(new Linear(inFeatures, hidden, false, rng), new BatchNorm(hidden), new ReLU(), new Linear(hidden, fd, true, rng));
}

/** Side after the CIFAR ResNet trunk: stride-1 stem, stages with strides 1/2/2/2 (3x3 pad 1 halves rounding up). */
function trunkOut(size: number): number {
  let s = size;
  for (const st of [1, 2, 2, 2]) s = convOut(s, 3, st, 1);
  return s;
}

function cifarResNet(
  arch: string,
  widths: [number, number, number, number],
  blocks: number[],
  input: Shape,
  rng: RandomState,
  stem = 64,
): Sequential {
  const [h, w, c] = input;
  checkPooled(arch, input, [trunkOut(h), trunkOut(w)], 4, arch === 'resnet10mnist' ? 28 : 32);
  const parts: Array<[string, Module]> = [
    ['conv1', new Conv2d(c, stem, 3, { stride: 1, padding: 1, bias: false }, rng)],
    ['bn1', new BatchNorm(stem)],
    ['relu', new ReLU()],
  ];
  let inPlanes = stem;
  widths.forEach((planes, i) => {
    parts.push([`layer${i + 1}`, layer(inPlanes, planes, blocks[i], i === 0 ? 1 : 2, rng)]);
    inPlanes = planes;
  });
  parts.push(['avgpool', new AvgPool2d(4)], ['flatten', new Flatten()]);
  return new Sequential(...parts);
}

/** ResNet18 (resnet_cifar.py): 11,497,664 parameters at fd 128. */
export function resnet18(fd: number, rng: RandomState, input: Shape = [32, 32, 3]): FeatureNet {
  const features = cifarResNet('resnet18', [64, 128, 256, 512], [2, 2, 2, 2], input, rng);
  return new FeatureNet('resnet18', input, fd, features, mlpHead(512, fd, rng), { inline: true });
}

/**
 * ResNet-18 at a reduced width: the official CIFAR ResNet18 with stages w/2w/4w/8w (stem w) and the
 * MLP head 8w→8w→fd; w = 64 is resnet18. A network 2 CPU cores can train on CIFAR-10 in minutes.
 */
export function resnet18Width(width: number): (fd: number, rng: RandomState, input?: Shape) => FeatureNet {
  const name = `resnet18w${width}`;
  return (fd, rng, input = [32, 32, 3]) => {
    const features = cifarResNet(name, [width, 2 * width, 4 * width, 8 * width], [2, 2, 2, 2], input, rng, width);
    return new FeatureNet(name, input, fd, features, mlpHead(8 * width, fd, rng, 8 * width), { inline: true });
  };
}

/** ResNet18Control (resnet_cifar.py): layer4 of fd channels, no head; 3,546,432 parameters at fd 128. */
export function resnet18ctrl(fd: number, rng: RandomState, input: Shape = [32, 32, 3]): FeatureNet {
  const features = cifarResNet('resnet18ctrl', [64, 128, 256, fd], [2, 2, 2, 2], input, rng);
  return new FeatureNet('resnet18ctrl', input, fd, features, undefined, { inline: true });
}

/** ResNet10MNIST (resnet_mnist.py): one block per stage, layer4 of fd channels; 1,699,776 parameters at fd 128. */
export function resnet10mnist(fd: number, rng: RandomState, input: Shape = [28, 28, 1]): FeatureNet {
  const features = cifarResNet('resnet10mnist', [64, 128, 256, fd], [1, 1, 1, 1], input, rng);
  return new FeatureNet('resnet10mnist', input, fd, features, undefined, { inline: true });
}

/**
 * ResNet18STL (resnet_stl.py as load_architectures uses it): in_planes 32, conv5x5(stride 2,
 * pad 3) + BN + ReLU + MaxPool(3, 2, 1), stages 32/32/64/fd, adaptive average pool; 735,072
 * parameters at fd 128.
 */
export function resnet18stl(fd: number, rng: RandomState, input: Shape = [96, 96, 3]): FeatureNet {
  const [h, w, c] = input;
  const side = (s: number) => convOut(convOut(s, 5, 2, 3), 3, 2, 1);
  if (side(h) < 1 || side(w) < 1) throw new Error(`--arch resnet18stl takes 96x96 images; ${h}x${w} is too small`);
  const parts: Array<[string, Module]> = [
    ['conv1', new Conv2d(c, 32, 5, { stride: 2, padding: 3, bias: false }, rng)],
    ['bn1', new BatchNorm(32)],
    ['relu', new ReLU()],
    ['maxpool', new MaxPool2d(3, 2, 1)],
  ];
  let inPlanes = 32;
  [32, 32, 64, fd].forEach((planes, i) => {
    parts.push([`layer${i + 1}`, layer(inPlanes, planes, 2, i === 0 ? 1 : 2, rng)]);
    inPlanes = planes;
  });
  parts.push(['avgpool', new AdaptiveAvgPool2d()], ['flatten', new Flatten()]);
  return new FeatureNet('resnet18stl', input, fd, new Sequential(...parts), undefined, { inline: true });
}
