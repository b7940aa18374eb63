import { describe, expect, it } from 'vitest';
import { transposed } from '../../src/model/llama-weights.ts';

describe('transposed', () => {
  it('turns [rows, cols] row-major into [cols, rows] and back', () => {
    const m = { rows: 2, cols: 3, data: Float32Array.from([1, 2, 3, 4, 5, 6]) };
    const t = transposed(m);
    expect(t).toEqual({ rows: 3, cols: 2, data: Float32Array.from([1, 4, 2, 5, 3, 6]) });
    expect(transposed(t)).toEqual(m);
    expect(m.data).toEqual(Float32Array.from([1, 2, 3, 4, 5, 6])); // the input is not changed
  });
});
