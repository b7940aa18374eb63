/**
 * The bootstrap, kept only where no closed form exists: the mean over seeds of a per-seed mean (a paired
 * difference between two conditions; summary.ts draws the same resamples of an accuracy by a binomial
 * shortcut) for these datasets. Each resample draws every seed's items with replacement and
 * keeps the seeds themselves fixed: the datasets are the ones measured, so only item noise is resampled
 * (drawing seeds too would count item noise twice and, with 2 seeds, reuse one seed in half the resamples).
 * Seeded, so a result reproduces exactly.
 */
import type { Rng } from '../util/rng.ts';

export const BOOTSTRAP_RESAMPLES = 2000;

/** Linear interpolation between order statistics (the usual "type 7" quantile). */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The mean of per-seed means, and every resample of it, ascending. */
export function stratifiedBootstrap(
  perSeed: readonly (readonly number[])[],
  rng: Rng,
  resamples = BOOTSTRAP_RESAMPLES,
): { value: number; resampled: Float64Array } {
  if (perSeed.length === 0 || perSeed.some((v) => v.length === 0)) throw new RangeError('stratifiedBootstrap needs at least one item in every seed');
  const resampled = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let total = 0;
    for (const values of perSeed) {
      let sum = 0;
      for (let i = 0; i < values.length; i++) sum += values[rng.int(values.length)];
      total += sum / values.length;
    }
    resampled[r] = total / perSeed.length;
  }
  resampled.sort();
  return { value: mean(perSeed.map(mean)), resampled };
}

/** The central interval of sorted resamples at this level. */
export function percentileInterval(sorted: ArrayLike<number>, level = 0.95): [number, number] {
  const tail = (1 - level) / 2;
  return [quantile(sorted, tail), quantile(sorted, 1 - tail)];
}
