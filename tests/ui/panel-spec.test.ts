import { describe, expect, it } from 'vitest';
import { experimentName, panelProblem, seedsFrom } from '../../src/ui/experiment/panel-spec.ts';

describe('seedsFrom', () => {
  it("counts from the Data step's seed", () => {
    expect(seedsFrom(7, 3)).toEqual([7, 8, 9]);
    expect(seedsFrom(-1, 1)).toEqual([-1]);
  });

  it('refuses a count that is not a whole number from 1 to 100', () => {
    for (const count of [0, -2, 1.5, Number.NaN, 101]) expect(seedsFrom(1, count)).toBeUndefined();
  });
});

describe('panelProblem', () => {
  it('names the first thing missing, and nothing when the choices make an experiment', () => {
    expect(panelProblem(undefined, ['base'])).toMatch(/^Seeds/);
    expect(panelProblem([1], [])).toBe('Choose at least one condition.');
    expect(panelProblem([1, 2], ['base', 'ft'])).toBeUndefined();
  });
});

describe('experimentName', () => {
  it("is the kind's title and the preset, or 'imported' for a dataset without one", () => {
    expect(experimentName({ kind: 'reversal', params: { preset: 'small' } })).toBe('Simple reversals (small)');
    expect(experimentName({ kind: 'reversal', params: {} })).toBe('Simple reversals (imported)');
  });
});
