/**
 * patches/@jax-js+jax+*+simd-max-reduction.patch: on the WASM backend, max and min over a contiguous last axis
 * (a softmax's row max) run on four lanes, as sums already did, instead of one element at a time; max and min
 * do not depend on the order they combine in, so the results are exact.
 */
import { init, jit, numpy as np } from '@jax-js/jax';
import { beforeAll, expect, it } from 'vitest';
import { compiledDuring, contains } from './compiled-wasm.ts';

// f32x4.max and f32x4.min (opcodes 0xfd 233, 0xfd 232).
const VECTOR_MAX = [0xfd, 0xe9, 0x01];
const VECTOR_MIN = [0xfd, 0xe8, 0x01];

const ROWS = 256;
const COLUMNS = 64;

/** Rows of values with -Infinity (masked positions), a NaN, a -0 and an Infinity among them. */
function rows(): Float32Array<ArrayBuffer> {
  const values = Float32Array.from({ length: ROWS * COLUMNS }, (_, i) => (i % 67 === 0 ? -Infinity : Math.sin(i * 1.7) * 50));
  values[5] = NaN;
  values[3 * COLUMNS + 7] = -0;
  values[9 * COLUMNS + 1] = Infinity;
  return values;
}

beforeAll(async () => {
  await init('wasm');
});

it('runs row max and min on four lanes, equal to the exact max and min of each row', async () => {
  const values = rows();
  let results: Float32Array[] = [];
  const modules = await compiledDuring(async () => {
    const f = jit((x: np.Array) => [x.ref.max(-1), x.min(-1)]);
    const out = f(np.array(values, { shape: [ROWS, COLUMNS], device: 'wasm' }));
    results = (await Promise.all(out.map((a) => a.data()))) as Float32Array[];
    f.dispose();
  });
  expect(modules.some((m) => contains(m, VECTOR_MAX))).toBe(true);
  expect(modules.some((m) => contains(m, VECTOR_MIN))).toBe(true);
  for (let r = 0; r < ROWS; r++) {
    const row = Array.from(values.subarray(r * COLUMNS, (r + 1) * COLUMNS));
    const nan = row.some(Number.isNaN);
    expect(results[0][r]).toBe(nan ? NaN : Math.max(...row));
    expect(results[1][r]).toBe(nan ? NaN : Math.min(...row));
  }
});
