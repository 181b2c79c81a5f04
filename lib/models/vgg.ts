// VGG11 for CIFAR (architectures/vgg_cifar.py): convs [64,M,128,M,256,256,M,512,512,M,512,512,M],
// each conv3x3 (with bias) + BN + ReLU, 'M' a 2x2 max pool, then AvgPool2d(1) (a no-op) and the
// official `reshape` MLP head. state_dict names as there: features.0.weight, features.1.running_var,
// ..., classifier.weight, reshape.0.weight.
//
// The official model also builds `classifier = nn.Linear(512, 10)` and never calls it. We carry it
// so that checkpoints hold exactly the official state_dict's tensors (classifier.weight/bias
// included), but outside parameters(): never trained, as in PyTorch (its .grad stays None, which
// SGD skips). Trainable parameters at fd 128: 9,554,816; with the classifier 9,559,946, the number
// PyTorch's sum(p.numel() for p in net.parameters()) reports.
import type { RandomState } from '../math/random.js';
import { FeatureNet } from './feature_net.js';
import { AvgPool2d, BatchNorm, Conv2d, Flatten, Linear, MaxPool2d, type Module, ReLU, Sequential } from './nn.js';
import { checkPooled, mlpHead } from './resnet.js';

type Shape = [number, number, number];

export const VGG_CONFIGS: Record<string, Array<number | 'M'>> = {
  vgg11: [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
};

export function vgg(arch: string, fd: number, rng: RandomState, input: Shape = [32, 32, 3]): FeatureNet {
  const cfg = VGG_CONFIGS[arch];
  const [h, w, c] = input;
  let sh = h;
  let sw = w;
  for (const v of cfg)
    if (v === 'M') {
      sh = Math.floor(sh / 2);
      sw = Math.floor(sw / 2);
    }
  // The flattened map must be 512 wide, as the official head's Linear(512, ...) assumes.
  checkPooled(arch, input, [sh, sw], 1, 32);
  const layers: Module[] = [];
  let inCh = c;
  for (const v of cfg) {
    if (v === 'M') {
      layers.push(new MaxPool2d(2, 2));
    } else {
      layers.push(new Conv2d(inCh, v, 3, { padding: 1 }, rng), new BatchNorm(v), new ReLU());
      inCh = v;
    }
  }
  layers.push(new AvgPool2d(1), new Flatten());
  const features = new Sequential(...layers);
  const classifier = new Linear(512, 10, true, rng);
  return new FeatureNet(arch, input, fd, features, mlpHead(512, fd, rng), { unused: [['classifier', classifier]] });
}

/** VGG11: 9,554,816 trainable parameters at fd 128 (+5,130 in the unused classifier). */
export function vgg11(fd: number, rng: RandomState, input: Shape = [32, 32, 3]): FeatureNet {
  return vgg('vgg11', fd, rng, input);
}
