import { expect, it } from 'vitest';
import { presentStep } from '../../src/ui/shell/present-keys.ts';

it("steps forward on a clicker's PageDown or the right arrow, back on PageUp or the left arrow, and stops at the ends", () => {
  expect(presentStep('PageDown', 0, 4)).toBe(1);
  expect(presentStep('ArrowRight', 2, 4)).toBe(3);
  expect(presentStep('PageDown', 3, 4)).toBe(3);
  expect(presentStep('PageUp', 2, 4)).toBe(1);
  expect(presentStep('ArrowLeft', 0, 4)).toBe(0);
  expect(presentStep('a', 1, 4)).toBeUndefined();
});
