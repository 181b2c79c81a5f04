// mcr2.frames: danfojs-node DataFrames of the library's rows (losses.csv, losses_test.csv,
// accuracy.csv, Trainer.losses(), evaluations, result tables), for notebooks that think in pandas.
// danfojs-node is loaded on the first call, not by `import 'mcr2'`.
export {
  danfo,
  fromRows,
  rowsOf,
  lossFrame,
  accuracyFrame,
  readFrame,
  epochFrame,
  evaluationFrame,
  LOSS_COLUMNS,
  type DataFrame,
  type Danfo,
  type EvaluationScores,
} from '../runs/frames.js';
