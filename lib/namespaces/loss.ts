// mcr2.loss: MCR² and the cross-entropy baseline, their terms, MCR² on the features themselves
// (no network) and the closed-form optimum it should reach.
export {
  MaximalCodingRateReduction,
  type MCR2Options,
  type Labels,
  type LossOutput,
  type LossEvaluation,
  type TrainingLoss,
} from '../loss/mcr2.js';
export type { LossTerms, LossRow } from '../loss/terms.js';
export { CrossEntropyLoss } from '../loss/cross_entropy.js';
export { optimiseFeatures, type AscentOptions } from '../loss/ascent.js';
export { rateReductionOptimum, orthogonalRateReduction, type RateReductionOptimum, type RateTerms } from '../loss/optimum.js';
