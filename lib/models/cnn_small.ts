// cnn-small (docs/reference-results.md): a 2-conv MNIST network with the official MLP head, 855,232 parameters.
import type { RandomState } from '../math/random.js';
import { FeatureNet } from './feature_net.js';
import { BatchNorm, Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential } from './nn.js';

export function cnnSmall(fd: number, rng: RandomState, inputShape: [number, number, number] = [28, 28, 1]): FeatureNet {
  const [h, w, c] = inputShape;
  const features = new Sequential(
    new Conv2d(c, 32, 3, { padding: 1 }, rng),
    new BatchNorm(32),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(32, 64, 3, { padding: 1 }, rng),
    new BatchNorm(64),
    new ReLU(),
    new MaxPool2d(2),
    new Flatten(),
  );
  const flat = 64 * Math.floor(Math.floor(h / 2) / 2) * Math.floor(Math.floor(w / 2) / 2);
  const reshape = new Sequential(new Linear(flat, 256, false, rng), new BatchNorm(256), new ReLU(), new Linear(256, fd, true, rng));
  return new FeatureNet('cnn-small', inputShape, fd, features, reshape);
}

/**
 * cnn3: three conv3x3 + BN + ReLU + max-pool 2 stages (32/64/128 channels) and the official MLP head
 * (2048→256→fd), for 32x32 colour images: a network 2 CPU cores train on all of CIFAR-10 in
 * minutes (notebook 05's cpu profile), ~1.6x the work of cnn-small per image.
 */
export function cnn3(fd: number, rng: RandomState, inputShape: [number, number, number] = [32, 32, 3]): FeatureNet {
  const [h, w, c] = inputShape;
  const stage = (cin: number, cout: number) => [
    new Conv2d(cin, cout, 3, { padding: 1 }, rng),
    new BatchNorm(cout),
    new ReLU(),
    new MaxPool2d(2),
  ];
  const features = new Sequential(...stage(c, 32), ...stage(32, 64), ...stage(64, 128), new Flatten());
  const side = (s: number) => Math.floor(Math.floor(Math.floor(s / 2) / 2) / 2);
  const reshape = new Sequential(
    new Linear(128 * side(h) * side(w), 256, false, rng),
    new BatchNorm(256),
    new ReLU(),
    new Linear(256, fd, true, rng),
  );
  return new FeatureNet('cnn3', inputShape, fd, features, reshape);
}
