// mcr2: Maximal Coding Rate Reduction in TypeScript. What `import * as mcr2 from 'mcr2'` gives:
// a short top level with what a notebook needs first, and one namespace per part of the library
// (mcr2.data, mcr2.models, mcr2.loss, mcr2.train, mcr2.features, mcr2.evaluate, mcr2.plot,
// mcr2.runs, mcr2.io, mcr2.math, mcr2.backend, mcr2.redunet). Internals (solvers, file codecs, worker protocols) are not
// exported here; tests reach them through their module paths.
import * as tf from '@tensorflow/tfjs';

/** The tfjs namespace this library computes with (the same engine and backend). */
export { tf };

// ── The top level: a notebook's first calls ──────────────────────────────────────────────────
export { initBackend, describeBackend } from './backend/backend.js';
export { loadDataset, type ImageDataset } from './data/index.js';
export { randomUnitFeatures, subspaceMixture } from './features/synthetic.js';
export { MaximalCodingRateReduction } from './loss/mcr2.js';
// Training: the stepping Trainer, and the two one-call wrappers over it.
export { Trainer, trainSupervised, trainSelfSup } from './train/trainer.js';
export type { Features } from './features/dataset.js';
export { KNN, NearestSubspace, LinearSVC, KMeans, EnSC } from './evaluate/index.js';
export { evaluateRun } from './runs/evaluate.js';
export { showFigure, showTable } from './plot/notebook.js';
// The notebook kit: profile, timer, figure folder, tidy paths, show-and-save, the closing line.
export { notebook, type Notebook } from './notebook/notebook.js';

// ── Namespaces: everything public, by part ────────────────────────────────────────────────────
export * as backend from './namespaces/backend.js';
export * as data from './namespaces/data.js';
export * as models from './namespaces/models.js';
export * as loss from './namespaces/loss.js';
export * as train from './namespaces/train.js';
export * as features from './namespaces/features.js';
export * as evaluate from './namespaces/evaluate.js';
export * as plot from './namespaces/plot.js';
export * as runs from './namespaces/runs.js';
export * as frames from './namespaces/frames.js';
export * as io from './namespaces/io.js';
export * as math from './namespaces/math.js';
export * as redunet from './namespaces/redunet.js';
