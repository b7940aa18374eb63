import { describe, expect, it } from 'vitest';
import binomialCdf from '@stdlib/stats-base-dists-binomial-cdf';
import { clopperPearson } from '../../src/eval/proportion-interval.ts';

/** P(the interval covers p) when k ~ Binomial(n, p): exact, by summing over every k. */
function coverage(n: number, p: number): number {
  let covered = 0;
  for (let k = 0; k <= n; k++) {
    const [lo, hi] = clopperPearson(k, n);
    if (lo <= p && p <= hi) covered += binomialCdf(k, n, p) - (k > 0 ? binomialCdf(k - 1, n, p) : 0);
  }
  return covered;
}

describe('clopperPearson', () => {
  it('gives the exact binomial interval', () => {
    // At the edges it has a closed form: 0.025^(1/n).
    const [lo24, hi24] = clopperPearson(24, 24);
    expect(lo24).toBeCloseTo(0.025 ** (1 / 24), 9);
    expect(lo24).toBeCloseTo(0.858, 3);
    expect(hi24).toBe(1);
    expect(clopperPearson(0, 24)).toEqual([0, expect.closeTo(1 - 0.025 ** (1 / 24), 9)]);
    // Inside, each bound is the accuracy at which observing k or more (k or fewer) has probability 2.5%.
    const [lo, hi] = clopperPearson(3, 80);
    expect(1 - binomialCdf(2, 80, lo)).toBeCloseTo(0.025, 9);
    expect(binomialCdf(3, 80, hi)).toBeCloseTo(0.025, 9);
  });

  it('never collapses to a point at the edges, where the percentile bootstrap gave [1, 1] and [0, 0]', () => {
    for (const n of [3, 10, 24, 80]) {
      expect(clopperPearson(n, n)[0]).toBeLessThan(1);
      expect(clopperPearson(0, n)[1]).toBeGreaterThan(0);
    }
  });

  it('covers the true accuracy at least 95% of the time for every p, by exact enumeration', () => {
    // The bootstrap covered 0.913 at n=24, p=0.9; 0.71 at n=24, p=0.95; 0.65 at n=10, p=0.9.
    for (const n of [10, 24, 80])
      for (let p = 0.01; p < 1; p += 0.01) expect(coverage(n, p), `n=${n}, p=${p.toFixed(2)}`).toBeGreaterThanOrEqual(0.95 - 1e-9);
  });

  it('refuses counts that are not k of n', () => {
    expect(() => clopperPearson(3, 2)).toThrow(RangeError);
    expect(() => clopperPearson(0, 0)).toThrow(RangeError);
    expect(() => clopperPearson(1.5, 4)).toThrow(RangeError);
  });
});
