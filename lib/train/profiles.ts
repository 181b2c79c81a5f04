// Run sizes for notebooks and the quickstart, picked by MCR2_PROFILE:
//   smoke  CI-sized: a slice of the data, seconds to a few minutes on 2 CPU cores
//   cpu    the default: minutes on a laptop, real accuracies
//   paper  the reference protocol's hyperparameters (docs/reference-results.md), for a GPU or a patient CPU

export type ProfileName = 'smoke' | 'cpu' | 'paper';

/** The run-size options of a profile (SupervisedOptions names; spread them into Trainer.create). */
export interface SupervisedProfile {
  subset: number;
  epochs: number;
  batchSize: number;
  lr: number;
  milestones: number[];
}

export const SUPERVISED_PROFILES: Record<ProfileName, SupervisedProfile> = {
  smoke: { subset: 3000, epochs: 2, batchSize: 100, lr: 0.05, milestones: [] },
  cpu: { subset: 0, epochs: 2, batchSize: 1000, lr: 0.05, milestones: [] },
  paper: { subset: 0, epochs: 8, batchSize: 1000, lr: 0.05, milestones: [6] },
};

export function profileName(name?: string): ProfileName {
  const p = (name ?? process.env.MCR2_PROFILE ?? 'cpu').toLowerCase();
  if (p !== 'smoke' && p !== 'cpu' && p !== 'paper') throw new Error(`MCR2_PROFILE=${p}: use smoke, cpu or paper`);
  return p;
}
