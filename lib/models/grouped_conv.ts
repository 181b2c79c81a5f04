// Grouped 2-D convolution (nn.Conv2d(..., groups=g)), which tfjs lacks: the input channels are cut
// into g groups, group i is convolved with its own filters into output group i, and the outputs are
// joined: split → g convolutions → concat, with a hand-written gradient of the same shape (split
// x, dy and the filter; per group the two convolution gradient kernels; concat), so that it runs
// on every backend and only its input and output stay taped.
//
// Alternatives measured on wasm (forward + backward, batch 8, CIFAR ResNeXt shapes): a dense
// convolution with a block-diagonal filter costs g times the arithmetic and was 2x slower at g = 2,
// 4-20x at g = 8..32; depthwise convolutions only cover one channel per group and have no gradient
// kernels on wasm. lib/kernels/wasm_copy.ts makes the narrow channel split and concat one pass each
// on wasm (the stock kernels cost more than the 32 convolutions of a 32x4d block).
import * as tf from '@tensorflow/tfjs';
import type { RandomState } from '../math/random.js';
import { ConvLayer } from './nn.js';

export interface GroupedConv2dOptions {
  stride?: number;
  padding?: number;
  groups?: number;
  bias?: boolean;
}

/** Weight [kh, kw, in/groups, out] (PyTorch's [out, in/groups, kh, kw] in NHWC order); out group i reads in group i. */
export class GroupedConv2d extends ConvLayer {
  constructor(inChannels: number, outChannels: number, kernelSize: number, opts: GroupedConv2dOptions, rng: RandomState) {
    const g = opts.groups ?? 1;
    if (!Number.isInteger(g) || g < 1 || inChannels % g !== 0 || outChannels % g !== 0) {
      throw new Error(`GroupedConv2d: ${g} groups must divide both ${inChannels} input and ${outChannels} output channels`);
    }
    super(inChannels, outChannels, kernelSize, opts, rng, g);
  }

  override typeLabel(): string {
    const k = this.kernelSize;
    return `GroupedConv2d(${this.inChannels}→${this.outChannels}, ${k}x${k}, ${this.groups} groups${this.labelTail()}`;
  }

  forward(x: tf.Tensor): tf.Tensor {
    return groupedConv2d(x as tf.Tensor4D, this.weight as tf.Tensor4D, this.groups, this.stride, this.padding, this.bias);
  }
}

/**
 * x [n, h, w, in], filter [kh, kw, in/groups, out] → [n, oh, ow, out]; symmetric zero padding `padding`.
 * With groups > 1 this is one taped op with its own gradient, so that the split pieces and the
 * per-group outputs (and their gradients) do not stay alive for the whole backward pass.
 */
export function groupedConv2d(x: tf.Tensor4D, filter: tf.Tensor4D, groups: number, stride = 1, padding = 0, bias?: tf.Tensor): tf.Tensor4D {
  const pad: 'valid' | tf.backend_util.ExplicitPadding =
    padding === 0
      ? 'valid'
      : [
          [0, 0],
          [padding, padding],
          [padding, padding],
          [0, 0],
        ];
  const cin = x.shape[3];
  if (cin !== filter.shape[2] * groups) {
    throw new Error(`grouped conv: input has ${cin} channels, filter expects ${groups} groups of ${filter.shape[2]}`);
  }
  const y = groups === 1 ? tf.conv2d(x, filter, stride, pad) : grouped(x, filter, groups, stride, pad);
  return bias === undefined ? y : tf.tidy(() => tf.add(y, bias) as tf.Tensor4D);
}

function grouped(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  groups: number,
  stride: number,
  pad: 'valid' | tf.backend_util.ExplicitPadding,
): tf.Tensor4D {
  const attrs = { strides: stride, pad, dataFormat: 'NHWC', dimRoundingMode: undefined };
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xi, fi] = args as tf.Tensor4D[];
    const save = args[2] as tf.GradSaveFunc;
    save([xi, fi]);
    const xs = tf.split(xi, groups, 3) as tf.Tensor4D[];
    const fs = tf.split(fi, groups, 3) as tf.Tensor4D[];
    const value = tf.concat(
      xs.map((xg, i) => tf.conv2d(xg, fs[i], stride, pad)),
      3,
    );
    // Called outside any tidy by tfjs (see batchnorm.ts), hence the tidy.
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) =>
      tf.tidy(() => {
        const [sx, sf] = saved as tf.Tensor4D[];
        const gx = tf.split(sx, groups, 3);
        const gf = tf.split(sf, groups, 3);
        const gy = tf.split(dy, groups, 3);
        const e = tf.engine();
        const dx = gy.map(
          (d, i) =>
            e.runKernel(tf.Conv2DBackpropInput, { dy: d, filter: gf[i] }, { ...attrs, inputShape: gx[i].shape } as never) as tf.Tensor,
        );
        const df = gy.map(
          (d, i) => e.runKernel(tf.Conv2DBackpropFilter, { x: gx[i], dy: d }, { ...attrs, filterShape: gf[i].shape } as never) as tf.Tensor,
        );
        return [tf.concat(dx, 3), tf.concat(df, 3)];
      });
    return { value, gradFunc };
  });
  return f(x, filter) as tf.Tensor4D;
}
