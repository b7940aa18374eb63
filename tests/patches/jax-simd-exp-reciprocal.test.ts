/**
 * patches/@jax-js+jax+*+simd-exp-reciprocal.patch: on the WASM backend, kernels with exp or 1/x run on four
 * lanes at a time (a softmax's exp was the one large kernel left scalar), with results equal bit for bit to
 * the scalar code's.
 */
import { init, jit, numpy as np } from '@jax-js/jax';
import { beforeAll, expect, it } from 'vitest';
import { compiledDuring, contains } from './compiled-wasm.ts';

// x / ln 2 rounded to an integer on four lanes: f32x4.mul then f32x4.nearest (opcodes 0xfd 230, 0xfd 106).
const VECTOR_EXP_REDUCTION = [0xfd, 0xe6, 0x01, 0xfd, 0x6a];
// 1 / x on four lanes: f32x4.div (0xfd 231).
const VECTOR_DIVIDE = [0xfd, 0xe7, 0x01];

/** Ordinary values, both overflow cutoffs, infinities and NaN, then a spread over exp's float32 range. */
function inputs(n: number): Float32Array<ArrayBuffer> {
  const special = [0, -0, 1, -1, 0.5, -0.5, 10, -10, 88, 88.8, 89, -87.3, -87.4, -88, -103, -104, -200, 200, Infinity, -Infinity, NaN, 1e-8];
  return Float32Array.from({ length: n }, (_, i) => (i < special.length ? special[i] : Math.sin(i * 12.9898) * 120));
}

/** Same results for a kernel over 4n elements (the SIMD path) and over 4n + 1 (the scalar path runs all of it). */
async function vectorAndScalar(f: (x: np.Array) => np.Array, n: number): Promise<[Float32Array, Float32Array]> {
  const g = jit(f);
  const values = inputs(n + 1);
  const vector = (await g(np.array(values.slice(0, n), { shape: [n], device: 'wasm' })).data()) as Float32Array;
  const scalar = (await g(np.array(values, { shape: [n + 1], device: 'wasm' })).data()) as Float32Array;
  g.dispose();
  return [vector, scalar.slice(0, n)];
}

beforeAll(async () => {
  await init('wasm');
});

it('compiles exp and 1/x kernels to four-lane code', async () => {
  const modules = await compiledDuring(async () => {
    const f = jit((x: np.Array) => [np.exp(x.ref.mul(3)), np.reciprocal(x.add(2))]);
    const [e, r] = f(np.array(inputs(64), { shape: [64], device: 'wasm' }));
    await e.data();
    await r.data();
    f.dispose();
  });
  expect(modules.some((m) => contains(m, VECTOR_EXP_REDUCTION))).toBe(true);
  expect(modules.some((m) => contains(m, VECTOR_DIVIDE))).toBe(true);
});

it('gives exp equal bit for bit to the scalar code, overflow, underflow, infinities and NaN included', async () => {
  const [vector, scalar] = await vectorAndScalar((x) => np.exp(x), 4096);
  expect(Array.from(vector)).toEqual(Array.from(scalar));
  expect(vector[0]).toBe(1);
  expect(vector[2]).toBeCloseTo(Math.E, 6);
  expect(vector.slice(18, 21)).toEqual(Float32Array.from([Infinity, 0, NaN]));
  for (let i = 22; i < 4096; i++) {
    const want = Math.exp(Math.fround(Math.sin(i * 12.9898) * 120));
    if (want > 1e-37 && want < 1e38) expect(Math.abs(vector[i] - want) / want).toBeLessThan(1e-5);
  }
});

it('gives 1/x equal bit for bit to the scalar code', async () => {
  const [vector, scalar] = await vectorAndScalar((x) => np.reciprocal(x), 4096);
  expect(Array.from(vector)).toEqual(Array.from(scalar));
  expect(vector[1]).toBe(-Infinity);
});
