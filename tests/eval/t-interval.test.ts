import { describe, expect, it } from 'vitest';
import { MIN_SEEDS_FOR_T, tInterval } from '../../src/eval/t-interval.ts';

describe('tInterval (for this kind of dataset)', () => {
  it('is mean ± t(0.975, n-1) · sd / sqrt(n)', () => {
    // mean 0.5, sd = sqrt(0.025) = 0.1581; t(0.975, 4) = 2.776445; half = 0.196320
    const [lo, hi] = tInterval([0.3, 0.4, 0.5, 0.6, 0.7])!;
    expect(lo).toBeCloseTo(0.5 - 0.19632, 4);
    expect(hi).toBeCloseTo(0.5 + 0.19632, 4);
  });

  it('is clipped to the range of an accuracy', () => {
    expect(tInterval([1, 1, 1, 0.9, 1])![1]).toBe(1);
    expect(tInterval([0, 0, 0.1, 0, 0])![0]).toBe(0);
  });

  it('needs at least 5 seeds', () => {
    expect(MIN_SEEDS_FOR_T).toBe(5);
    expect(tInterval([0.2, 0.4, 0.6, 0.8])).toBeNull();
  });
});
