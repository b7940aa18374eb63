/**
 * patches/@jax-js+jax+*+prepare-kernels-once.patch: the WASM backend keeps the executable of each kernel
 * object, so a jitted program's later calls launch its kernels without hashing each kernel's expression again
 * to find its compiled module (a BigInt polynomial hash per launch, about 3% of a stories260K training step).
 */
import { init, jit, numpy as np } from '@jax-js/jax';
import { afterEach, beforeAll, expect, it } from 'vitest';

const { BigInt } = globalThis;
afterEach(() => {
  globalThis.BigInt = BigInt;
});

beforeAll(async () => {
  await init('wasm');
});

it('runs a jitted function a second time without hashing any kernel', async () => {
  const f = jit((a: np.Array) => np.exp(np.matmul(a.ref, a.transpose())).sum(-1));
  const x = () => np.array(new Float32Array(64).map((_, i) => i / 64), { shape: [8, 8], device: 'wasm' });
  const first = await f(x()).data();
  let hashed = 0;
  // The kernel hash feeds every character and number of a kernel through BigInt.
  globalThis.BigInt = Object.assign((value: string | number | bigint | boolean) => (hashed++, BigInt(value)), BigInt);
  const second = await f(x()).data();
  globalThis.BigInt = BigInt;
  expect(second).toEqual(first);
  expect(hashed).toBe(0);
  f.dispose();
});
