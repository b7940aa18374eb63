import { describe, expect, it } from 'vitest';
import { bootstrapCi } from '../../src/eval/bootstrap.ts';
import { Rng } from '../../src/data/rng.ts';

const outcomes = (n: number, p: number, rng: Rng) => Array.from({ length: n }, () => rng.next() < p);
const mean = (xs: boolean[]) => xs.filter(Boolean).length / xs.length;

describe('bootstrapCi', () => {
  it('is reproducible from the rng seed', () => {
    const data = outcomes(50, 0.6, new Rng('data'));
    expect(bootstrapCi(data, new Rng(3))).toEqual(bootstrapCi(data, new Rng(3)));
  });

  it('brackets the observed accuracy', () => {
    const rng = new Rng('bracket');
    for (const [n, p] of [[10, 0.5], [37, 0.2], [200, 0.9]] as const) {
      const data = outcomes(n, p, rng);
      const [lo, hi] = bootstrapCi(data, rng);
      expect(lo).toBeLessThanOrEqual(mean(data));
      expect(hi).toBeGreaterThanOrEqual(mean(data));
      expect(lo).toBeLessThan(hi);
    }
  });

  it('collapses when every item agrees', () => {
    expect(bootstrapCi([true, true, true], new Rng(1))).toEqual([1, 1]);
    expect(bootstrapCi([false, false], new Rng(1))).toEqual([0, 0]);
  });

  it('has the normal-approximation width and narrows as n grows', () => {
    const half = (n: number) => Array.from({ length: n }, (_, i) => i % 2 === 0);
    const width = (n: number) => {
      const [lo, hi] = bootstrapCi(half(n), new Rng(n));
      return hi - lo;
    };
    // 2 * 1.96 * sqrt(0.25 / 400) = 0.098
    expect(Math.abs(width(400) - 0.098)).toBeLessThan(0.01);
    expect(width(1600)).toBeLessThan(width(400) * 0.6);
  });

  it('covers the true accuracy about 95% of the time', () => {
    const rng = new Rng('coverage');
    let covered = 0;
    const trials = 300;
    for (let t = 0; t < trials; t++) {
      const [lo, hi] = bootstrapCi(outcomes(100, 0.7, rng), rng, { resamples: 500 });
      if (lo <= 0.7 && 0.7 <= hi) covered++;
    }
    expect(covered / trials).toBeGreaterThan(0.9);
    expect(covered / trials).toBeLessThan(0.99);
  });

  it('refuses an empty split', () => {
    expect(() => bootstrapCi([], new Rng(1))).toThrow(RangeError);
  });
});
