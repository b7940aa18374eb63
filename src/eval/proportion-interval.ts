/**
 * The interval of one accuracy: k of n items right. Clopper-Pearson (the exact binomial interval) rather
 * than Wilson: its coverage is at least the nominal level for every true accuracy and every n (Wilson's
 * dips below it near 0 and 1, where fine-tuned models often score), and unlike the percentile bootstrap it
 * never collapses to a point at 0/n or n/n (24 of 24 gives [0.858, 1], not [1, 1]). The price is a slightly
 * wider interval.
 */
import betaQuantile from '@stdlib/stats-base-dists-beta-quantile';

export const INTERVAL_LEVEL = 0.95;

export function clopperPearson(correct: number, n: number, level = INTERVAL_LEVEL): [number, number] {
  if (!Number.isInteger(n) || n <= 0 || !Number.isInteger(correct) || correct < 0 || correct > n)
    throw new RangeError(`clopperPearson needs 0 <= correct <= n and n >= 1, got ${correct} of ${n}`);
  const tail = (1 - level) / 2;
  return [correct === 0 ? 0 : betaQuantile(tail, correct, n - correct + 1), correct === n ? 1 : betaQuantile(1 - tail, correct + 1, n - correct)];
}
