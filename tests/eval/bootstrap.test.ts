import { describe, expect, it } from 'vitest';
import { percentileInterval, stratifiedBootstrap } from '../../src/eval/bootstrap.ts';
import { Rng } from '../../src/util/rng.ts';

describe('stratifiedBootstrap (items within each seed, seeds fixed)', () => {
  it('is reproducible from the rng seed and centred on the mean of per-seed means', () => {
    const perSeed = [[1, 0, 1, 1], [0, 0, 1, 0, 0, 1, 0, 0]];
    const a = stratifiedBootstrap(perSeed, new Rng(3), 500);
    expect(a).toEqual(stratifiedBootstrap(perSeed, new Rng(3), 500));
    expect(a.value).toBe((0.75 + 0.25) / 2);
    expect(a.resampled.length).toBe(500);
  });

  it('keeps the seeds: seeds that each agree with themselves give no spread, however far apart they are', () => {
    // Resampling seeds as well would put half the resamples on one seed alone (0 or 1).
    const { value, resampled } = stratifiedBootstrap([[1, 1, 1], [0, 0, 0]], new Rng(1), 200);
    expect(value).toBe(0.5);
    expect(percentileInterval(resampled)).toEqual([0.5, 0.5]);
  });

  it('has the normal-approximation width for one seed of a 50/50 item set', () => {
    const half = Array.from({ length: 400 }, (_, i) => i % 2);
    const [lo, hi] = percentileInterval(stratifiedBootstrap([half], new Rng(7)).resampled);
    // 2 * 1.96 * sqrt(0.25 / 400) = 0.098
    expect(Math.abs(hi - lo - 0.098)).toBeLessThan(0.01);
  });

  it('refuses a seed without items', () => {
    expect(() => stratifiedBootstrap([[1], []], new Rng(1))).toThrow(RangeError);
  });
});
