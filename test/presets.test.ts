// The named presets are the commands they stand for: each parsed as the CLI parses it gives the same
// resolved options as the preset spread into the library; and the one CommonTrainOptions really is
// shared (every shared option in both kinds' defaults and params.json keys).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseArgs } from '../lib/options/flags.js';
import { COMMON_TRAIN_DEFAULTS, COMMON_TRAIN_SPEC } from '../lib/train/options.js';
import { PRESET_COMMANDS, SELFSUP_PRESETS, SUPERVISED_PRESETS } from '../lib/train/presets.js';
import { resolveSelfSup, SELFSUP_DEFAULTS, SELFSUP_SPEC } from '../lib/train/selfsup.js';
import { resolveSupervised, SUPERVISED_DEFAULTS, SUPERVISED_SPEC } from '../lib/train/supervised.js';

const argv = (name: string) => PRESET_COMMANDS[name as keyof typeof PRESET_COMMANDS].split(' ').slice(1);

test('each preset resolves to the options of its command line', () => {
  for (const [name, preset] of Object.entries(SUPERVISED_PRESETS)) {
    assert.match(PRESET_COMMANDS[name as keyof typeof PRESET_COMMANDS], /^train-sup /);
    assert.deepEqual(resolveSupervised(preset), resolveSupervised(parseArgs(argv(name), SUPERVISED_SPEC)), name);
  }
  for (const [name, preset] of Object.entries(SELFSUP_PRESETS)) {
    assert.match(PRESET_COMMANDS[name as keyof typeof PRESET_COMMANDS], /^train-selfsup /);
    assert.deepEqual(resolveSelfSup(preset), resolveSelfSup(parseArgs(argv(name), SELFSUP_SPEC)), name);
  }
  // The official README's reproduction commands, as it prints them.
  assert.match(
    PRESET_COMMANDS.cifar10Sup,
    /--arch resnet18 --data cifar10 --fd 128 --epo 500 --bs 1000 --eps 0.5 --gam1 1 --gam2 1 --lr 0.01 --lcr 0.0 --no_shuffle$/,
  );
  // What the official code adds to the commands (official-code notes, section 2): MultiStepLR milestones
  // hard-coded in train_sup.py / train_selfsup.py, and loaders that keep the dataset's order.
  const sup = resolveSupervised(SUPERVISED_PRESETS.cifar10Sup);
  assert.deepEqual(
    [sup.milestones, sup.shuffle, sup.momentum, sup.weightDecay, sup.transform],
    [[200, 400, 600], false, 0.9, 5e-4, 'default'],
  );
  const ctrl = resolveSelfSup(SELFSUP_PRESETS.cifar10Ctrl);
  assert.deepEqual([ctrl.milestones, ctrl.shuffle, ctrl.sampler, ctrl.momentum, ctrl.weightDecay], [[30, 60], false, 'random', 0.9, 5e-4]);
  assert.match(PRESET_COMMANDS.cifar10Ctrl, /--gam1 20 --gam2 0.05 --lr 0.1 --aug 50 --transform cifar$/);
});

test('supervised and self-supervised options extend one CommonTrainOptions', () => {
  for (const [defaults, spec] of [
    [SUPERVISED_DEFAULTS, SUPERVISED_SPEC],
    [SELFSUP_DEFAULTS, SELFSUP_SPEC],
  ] as const) {
    for (const k of Object.keys(COMMON_TRAIN_DEFAULTS)) {
      assert.ok(k in defaults, k);
      const key = k as keyof typeof COMMON_TRAIN_SPEC;
      assert.equal(spec[key].flag, COMMON_TRAIN_SPEC[key].flag, k);
    }
  }
  // train_selfsup.py's own defaults where they differ from train_sup.py's.
  const changed = Object.keys(COMMON_TRAIN_DEFAULTS).filter(
    (k) =>
      JSON.stringify((SELFSUP_DEFAULTS as unknown as Record<string, unknown>)[k]) !==
      JSON.stringify((COMMON_TRAIN_DEFAULTS as unknown as Record<string, unknown>)[k]),
  );
  assert.deepEqual(changed.sort(), ['epochs', 'eps', 'featureDim', 'gam2', 'milestones', 'shuffle']);
});
