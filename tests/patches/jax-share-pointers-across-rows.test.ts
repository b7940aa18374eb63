/**
 * patches/@jax-js+jax+*+share-pointers-across-rows.patch: in a WASM matmul kernel, an operand whose index does
 * not change from one row of a micro-block to the next (the keys of a batched attention-scores matmul,
 * indexed through (gidx / 8192) % 4 and the like) is loaded once per column and shared by the block's rows,
 * as it already was when the index was simple enough to prove that symbolically.
 */
import { init, jit, numpy as np } from '@jax-js/jax';
import { beforeAll, expect, it } from 'vitest';
import { compiledDuring, occurrences } from './compiled-wasm.ts';

// v128.load with its natural alignment and no offset.
const VECTOR_LOAD = [0xfd, 0x00, 0x04, 0x00];

const [B, K, M, T, D] = [8, 4, 128, 64, 8];
const values = (n: number, scale: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * scale));

beforeAll(async () => {
  await init('wasm');
});

it('loads the keys of batched attention scores once per column of a micro-block, with correct scores', async () => {
  const q = values(B * K * M * D, 0.37);
  const k = values(B * K * T * D, 0.91);
  let scores: Float32Array = new Float32Array();
  const modules = await compiledDuring(async () => {
    const f = jit((a: np.Array, b: np.Array) => np.matmul(a, b.transpose([0, 1, 3, 2])));
    scores = (await f(np.array(q, { shape: [B, K, M, D], device: 'wasm' }), np.array(k, { shape: [B, K, T, D], device: 'wasm' })).data()) as Float32Array;
    f.dispose();
  });
  expect(modules).toHaveLength(1);
  // A 4 x 4 micro-block over 8 reduced elements: 2 vectors for each of 4 rows of queries and 4 columns of keys
  // (40 when every output loaded its own keys).
  expect(occurrences(modules[0], VECTOR_LOAD)).toBe(16);
  for (const [b, h, m, t] of [[0, 0, 0, 0], [3, 2, 77, 41], [7, 3, 127, 63], [5, 1, 64, 5]]) {
    let want = 0;
    for (let d = 0; d < D; d++) want += q[((b * K + h) * M + m) * D + d] * k[((b * K + h) * T + t) * D + d];
    expect(scores[((b * K + h) * M + m) * T + t]).toBeCloseTo(want, 5);
  }
});
