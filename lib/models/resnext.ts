// ResNeXt-29 for CIFAR (architectures/resnext_cifar.py): conv1x1(3→64) + BN + ReLU, three stages of
// three grouped bottleneck blocks with strides 1/2/2, the bottleneck width doubling after each
// stage, avg_pool2d(8), and the official `reshape` MLP head. state_dict names as there
// (conv1.weight, layer1.0.conv2.weight, layer1.0.shortcut.0.weight, reshape.0.weight, ...).
//   resnext29_2x64d  9,709,504   resnext29_4x64d  28,199,360
//   resnext29_8x64d 91,721,152   resnext29_32x4d   5,354,944   (parameters at fd 128)
import type * as tf from '@tensorflow/tfjs';
import type { RandomState } from '../math/random.js';
import { FeatureNet } from './feature_net.js';
import { GroupedConv2d } from './grouped_conv.js';
import { AvgPool2d, BatchNorm, Conv2d, Flatten, Module, ReLU, Sequential } from './nn.js';
import { checkPooled, convOut, mlpHead } from './resnet.js';

type Shape = [number, number, number];

/** Output channels of a block: expansion x group width. */
const EXPANSION = 2;

/**
 * The official `Block`: conv1x1(in → cardinality·width) + BN + ReLU, grouped conv3x3(stride s,
 * `cardinality` groups) + BN + ReLU, conv1x1(→ 2·cardinality·width) + BN, plus the shortcut
 * (identity, or a 1x1 conv with stride s + BN where the stride or the width changes), then ReLU.
 */
export class ResNeXtBlock extends Module {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm;
  readonly conv2: GroupedConv2d;
  readonly bn2: BatchNorm;
  readonly conv3: Conv2d;
  readonly bn3: BatchNorm;
  readonly shortcut: Sequential;
  readonly outPlanes: number;

  constructor(
    readonly inPlanes: number,
    readonly cardinality: number,
    readonly bottleneckWidth: number,
    readonly stride: number,
    rng: RandomState,
  ) {
    super();
    const gw = cardinality * bottleneckWidth;
    this.outPlanes = EXPANSION * gw;
    this.conv1 = this.add('conv1', new Conv2d(inPlanes, gw, 1, { bias: false }, rng));
    this.bn1 = this.add('bn1', new BatchNorm(gw));
    this.conv2 = this.add('conv2', new GroupedConv2d(gw, gw, 3, { stride, padding: 1, groups: cardinality, bias: false }, rng));
    this.bn2 = this.add('bn2', new BatchNorm(gw));
    this.conv3 = this.add('conv3', new Conv2d(gw, this.outPlanes, 1, { bias: false }, rng));
    this.bn3 = this.add('bn3', new BatchNorm(this.outPlanes));
    this.shortcut = this.add(
      'shortcut',
      stride !== 1 || inPlanes !== this.outPlanes
        ? new Sequential(new Conv2d(inPlanes, this.outPlanes, 1, { stride, bias: false }, rng), new BatchNorm(this.outPlanes))
        : new Sequential(),
    );
  }

  forward(x: tf.Tensor): tf.Tensor {
    let out = this.bn1.forwardFused(this.conv1.forward(x), { relu: true });
    out = this.bn2.forwardFused(this.conv2.forward(out), { relu: true });
    return this.bn3.forwardFused(this.conv3.forward(out), { residual: this.shortcut.forward(x), relu: true });
  }

  override typeLabel(): string {
    const proj = this.shortcut.children().length > 0 ? ', 1x1 conv shortcut' : '';
    return `ResNeXtBlock(${this.inPlanes}→${this.outPlanes}, ${this.cardinality}x${this.bottleneckWidth}d${this.stride !== 1 ? `, stride ${this.stride}` : ''}${proj})`;
  }

  /** One row per block in `describe` (its type says what is inside). */
  protected override traceLeaf(): boolean {
    return true;
  }
}

/** ResNeXt-29 with [3, 3, 3] blocks; `arch` names it in messages and in the model. */
export function resnext29(
  arch: string,
  cardinality: number,
  bottleneckWidth: number,
  fd: number,
  rng: RandomState,
  input: Shape = [32, 32, 3],
): FeatureNet {
  const [h, w, c] = input;
  const side = (s: number) => convOut(convOut(s, 3, 2, 1), 3, 2, 1);
  checkPooled(arch, input, [side(h), side(w)], 8, 32);
  const parts: Array<[string, Module]> = [
    ['conv1', new Conv2d(c, 64, 1, { bias: false }, rng)],
    ['bn1', new BatchNorm(64)],
    ['relu', new ReLU()],
  ];
  let inPlanes = 64;
  let bw = bottleneckWidth;
  [1, 2, 2].forEach((stride, i) => {
    const blocks: Module[] = [];
    for (let b = 0; b < 3; b++) {
      const block = new ResNeXtBlock(inPlanes, cardinality, bw, b === 0 ? stride : 1, rng);
      inPlanes = block.outPlanes;
      blocks.push(block);
    }
    parts.push([`layer${i + 1}`, new Sequential(...blocks)]);
    bw *= 2;
  });
  parts.push(['avgpool', new AvgPool2d(8)], ['flatten', new Flatten()]);
  // The head's input is cardinality·bottleneck_width·8, which is the last stage's 2·c·(4·bw).
  return new FeatureNet(arch, input, fd, new Sequential(...parts), mlpHead(inPlanes, fd, rng), { inline: true });
}

export const resnext29_2x64d = (fd: number, rng: RandomState, input?: Shape) => resnext29('resnext29_2x64d', 2, 64, fd, rng, input);
export const resnext29_4x64d = (fd: number, rng: RandomState, input?: Shape) => resnext29('resnext29_4x64d', 4, 64, fd, rng, input);
export const resnext29_8x64d = (fd: number, rng: RandomState, input?: Shape) => resnext29('resnext29_8x64d', 8, 64, fd, rng, input);
export const resnext29_32x4d = (fd: number, rng: RandomState, input?: Shape) => resnext29('resnext29_32x4d', 32, 4, fd, rng, input);
