// `mcr2 generate`: generate.py, the data files --traintest and --acc plot.
import { generateAccuracy, generateTestLosses } from '../runs/generate.js';
import { type FlagSpecs, parseFlags, UsageError } from './args.js';

export const GENERATE_FLAGS: FlagSpecs = {
  model_dir: { type: 'string', help: 'base directory for saving PyTorch model.' },
  test: { type: 'bool', help: 'create losses_test.csv (the MCR² terms on the test set, every checkpoint)' },
  train_acc: { type: 'bool', help: 'create accuracy.csv (LinearSVC train and test accuracy, every 5th checkpoint)' },
  every: { type: 'int', help: '--train_acc: every N-th checkpoint (mcr2-ts)', default: 5 },
  data_dir: { type: 'string', help: 'path to dataset (default: the one the run trained on) (mcr2-ts)' },
};

async function cmdGenerate(argv: string[]): Promise<void> {
  const f = parseFlags(argv, GENERATE_FLAGS);
  const modelDir = f.model_dir as string | undefined;
  if (modelDir === undefined || modelDir === '') throw new UsageError('--model_dir is required');
  if (f.test !== true && f.train_acc !== true) throw new UsageError('choose what to generate: --test, --train_acc');
  const dataDir = f.data_dir as string | undefined;
  if (f.test === true) await generateTestLosses(modelDir, { dataDir });
  if ((f.every as number) < 1) throw new UsageError(`--every must be at least 1, got ${f.every}`);
  if (f.train_acc === true) await generateAccuracy(modelDir, { dataDir, every: f.every as number });
}

export const generateCommand = {
  about: 'Data for the train/test figures (generate.py): losses_test.csv (--test), accuracy.csv (--train_acc).',
  flags: GENERATE_FLAGS,
  run: cmdGenerate,
};
