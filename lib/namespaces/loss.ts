// mcr2.loss: MCR² and the cross-entropy baseline.
export { MaximalCodingRateReduction, type MCR2Options, type MCR2Result, type Labels } from '../loss/mcr2.js';
export { CrossEntropyLoss } from '../loss/cross_entropy.js';
