// The options every command on a run folder shares (the official scripts' --model_dir, --epoch,
// --data_dir): one row each, reused by extract, export, evaluate, plot and generate (lib/options/spec.ts).
import { opt } from '../options/spec.js';

export const RUN_SPEC = {
  modelDir: opt.required({ flag: 'model_dir', help: 'run folder' }),
  epoch: opt.maybeInt({ flag: 'epoch', min: 0, help: 'which epoch (default: latest)' }),
  dataDir: opt.maybeText({ flag: 'data_dir', help: 'path to dataset (default: the one the run trained on)' }),
};
