// What opening a trainer does before its loop can run: the backend started and said, the plan
// made, the callbacks told (the notebook kit closes a trainer already open on the folder), the run
// folder locked and created or recovered (run_folder.ts), and its last complete epoch's model and
// optimizer state loaded, the learning rate of the next epoch set.
import { type BackendInfo, describeBackend, initBackend } from '../accel/backend.js';
import { displayPath } from '../io/paths.js';
import { loadTensors } from '../io/safetensors.js';
import { RunFolder } from '../runs/run_folder.js';
import type { TrainHooks } from './callbacks.js';
import type { CommonTrainOptions } from './options.js';
import type { TrainingPlan } from './plan.js';
import { SGD } from './sgd.js';

export interface OpenedRun<O extends CommonTrainOptions> {
  plan: TrainingPlan<O>;
  backend: BackendInfo;
  run: RunFolder;
  /** Releases the folder's lock. */
  release: () => void;
  optim: SGD;
  /** The first epoch to run (0: a fresh run). */
  startEpoch: number;
  /** Opening said the run is complete already. */
  saidDone: boolean;
  log: (line: string) => void;
}

export async function openRun<O extends CommonTrainOptions>(
  makePlan: (log: (l: string) => void) => TrainingPlan<O>,
  hooks: TrainHooks,
): Promise<OpenedRun<O>> {
  const log = hooks.log ?? ((l: string) => console.log(l));
  const backend = await initBackend();
  log(describeBackend(backend));
  const plan = makePlan(log);
  let optim: SGD | undefined;
  let opened: ReturnType<typeof RunFolder.open> | undefined;
  try {
    for (const c of hooks.callbacks ?? []) await c.beforeOpen?.(plan.runDir, log);
    optim = new SGD(plan.model.namedParameters(), { lr: plan.lr, momentum: plan.momentum, weightDecay: plan.weightDecay });
    // The lock, then the folder created or recovered; then the last complete epoch's state loaded.
    opened = RunFolder.open(plan.runDir, plan.params, plan.sameRunKeys);
    const { run, lastEpoch: last } = opened;
    const saidDone = last >= 0 && last + 1 >= plan.epochs;
    if (last >= 0) {
      plan.model.loadStateDict(loadTensors(run.modelFile(last)).tensors, run.modelFile(last));
      optim.loadState(loadTensors(run.optimizerFile(last)).tensors);
      log(
        saidDone
          ? `${displayPath(run.dir)}: already trained for ${plan.epochs} epochs`
          : `resuming ${displayPath(run.dir)} after epoch ${last}`,
      );
    }
    optim.lr = plan.lrAt(last + 1);
    return { plan, backend, run, release: opened.release, optim, startEpoch: last + 1, saidDone, log };
  } catch (e) {
    opened?.release();
    optim?.dispose();
    plan.model.dispose();
    throw e;
  }
}

/** What a closed trainer says when it is used again: why it closed, and how to go on. */
export function closedError(reason: string, runDir: string): Error {
  const why = reason === 'closed' ? '' : ` (${reason})`;
  return new Error(`this trainer is closed${why}; Trainer.open(trainer.runDir) resumes its run, ${displayPath(runDir)}`);
}
