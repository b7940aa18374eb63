/**
 * The interval for this kind of dataset: each seed's dataset is one draw from the generator, so the mean
 * over seeds has a Student t interval from the spread between seeds (items and datasets both vary in it).
 * Only offered from MIN_SEEDS_FOR_T seeds on: with fewer, the spread between seeds is too poorly known.
 */
import tQuantile from '@stdlib/stats-base-dists-t-quantile';

export const MIN_SEEDS_FOR_T = 5;

/** 95% t interval of the mean of `values` (one per seed), clipped to [lo, hi]; null under MIN_SEEDS_FOR_T values. */
export function tInterval(values: readonly number[], [lo, hi]: [number, number] = [0, 1], level = 0.95): [number, number] | null {
  const n = values.length;
  if (n < MIN_SEEDS_FOR_T) return null;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (n - 1);
  const half = tQuantile(1 - (1 - level) / 2, n - 1) * Math.sqrt(variance / n);
  return [Math.max(lo, mean - half), Math.min(hi, mean + half)];
}
