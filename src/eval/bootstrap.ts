/**
 * 95% percentile bootstrap confidence interval of an accuracy: resample the items with replacement,
 * recompute the accuracy, take the 2.5th and 97.5th percentiles. Seeded, so a result reproduces exactly.
 */
import type { Rng } from '../data/rng.ts';

export const BOOTSTRAP_RESAMPLES = 2000;

/** Linear interpolation between order statistics (the usual "type 7" quantile). */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

export function bootstrapCi(
  correct: readonly boolean[],
  rng: Rng,
  { resamples = BOOTSTRAP_RESAMPLES, level = 0.95 }: { resamples?: number; level?: number } = {},
): [number, number] {
  const n = correct.length;
  if (n === 0) throw new RangeError('bootstrapCi needs at least one item');
  const accuracies: number[] = [];
  for (let r = 0; r < resamples; r++) {
    let hits = 0;
    for (let i = 0; i < n; i++) if (correct[rng.int(n)]) hits++;
    accuracies.push(hits / n);
  }
  accuracies.sort((a, b) => a - b);
  const tail = (1 - level) / 2;
  return [quantile(accuracies, tail), quantile(accuracies, 1 - tail)];
}
