import { describe, expect, it } from 'vitest';
import { chanceLevel } from '../../src/eval/chance.ts';

describe('chanceLevel', () => {
  it('is 1/k when every item has k options', () => {
    expect(chanceLevel([2, 2, 2])).toBe(0.5);
    expect(chanceLevel([4])).toBe(0.25);
  });

  it('averages 1/k over items with different numbers of options', () => {
    expect(chanceLevel([2, 4])).toBeCloseTo((0.5 + 0.25) / 2, 15);
    expect(chanceLevel([2, 3, 3])).toBeCloseTo((1 / 2 + 2 / 3) / 3, 15);
  });
});
