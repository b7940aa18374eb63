import { describe, expect, it } from 'vitest';
import { BoundaryError, commonPrefixLength, planScoring } from '../../src/model/boundary.ts';

describe('commonPrefixLength', () => {
  it('counts the leading tokens two sequences share', () => {
    expect(commonPrefixLength([1, 2, 3], [1, 2, 4, 5])).toBe(2);
    expect(commonPrefixLength([1, 2], [1, 2, 3])).toBe(2);
    expect(commonPrefixLength([], [1])).toBe(0);
    expect(commonPrefixLength([7], [1])).toBe(0);
  });
});

describe('planScoring', () => {
  it('scores the tokens after context + prompt and caches the whole context when nothing merges', () => {
    const context = [1, 10, 11];
    const plan = planScoring(context, [
      { whole: [1, 10, 11, 20, 30, 31], head: [1, 10, 11, 20] },
      { whole: [1, 10, 11, 21, 40], head: [1, 10, 11, 21] },
    ]);
    expect(plan).toEqual({ prefix: 3, scoredFrom: [4, 4] });
  });

  it('gives a token that straddles the prompt/option join to the option', () => {
    // head ends in 22 ("ti"); with the option the last piece merges into 25 ("time").
    const plan = planScoring([1], [{ whole: [1, 20, 25], head: [1, 20, 22] }]);
    expect(plan.scoredFrom).toEqual([2]);
  });

  it('shortens the cached prefix to what every sequence shares, and never past a scored token', () => {
    // The context's last token 11 merges with the prompt of the second request (11 -> 12).
    const context = [1, 10, 11];
    const plan = planScoring(context, [
      { whole: [1, 10, 11, 20, 30], head: [1, 10, 11, 20] },
      { whole: [1, 10, 12, 40], head: [1, 10, 12] },
    ]);
    expect(plan).toEqual({ prefix: 2, scoredFrom: [4, 3] });
    // An option whose scored tokens begin inside the context also bounds the prefix.
    expect(planScoring([1, 10, 11], [{ whole: [1, 10, 13], head: [1, 10, 11] }]).prefix).toBe(2);
  });

  it('refuses an option that adds no token or that nothing precedes', () => {
    expect(() => planScoring([1], [{ whole: [1, 20], head: [1, 20] }])).toThrow(BoundaryError);
    expect(() => planScoring([], [{ whole: [20, 21], head: [22] }])).toThrow(/nothing precedes it/);
  });
});
