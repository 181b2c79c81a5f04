// Classification and clustering scores.

export function accuracy(pred: ArrayLike<number>, truth: ArrayLike<number>): number {
  if (pred.length !== truth.length) throw new Error(`accuracy: ${pred.length} predictions for ${truth.length} labels`);
  if (truth.length === 0) return NaN;
  let ok = 0;
  for (let i = 0; i < truth.length; i++) if (pred[i] === truth[i]) ok++;
  return ok / truth.length;
}

/** counts[t][p]: how many items of true class t were predicted p. */
export function confusionMatrix(pred: ArrayLike<number>, truth: ArrayLike<number>, numClasses?: number): number[][] {
  let k = numClasses ?? 0;
  for (let i = 0; i < truth.length; i++) k = Math.max(k, truth[i] + 1, pred[i] + 1);
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < truth.length; i++) m[truth[i]][pred[i]]++;
  return m;
}
