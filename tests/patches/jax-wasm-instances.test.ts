/**
 * patches/@jax-js+jax+*+reuse-wasm-instances.patch: the WASM backend instantiates each compiled kernel
 * once, not on every launch (a new WebAssembly.Instance per launch cost more than small kernels run).
 */
import { init, jit, numpy as np } from '@jax-js/jax';
import { afterEach, expect, it } from 'vitest';

const Instance = WebAssembly.Instance;
let instantiations = 0;
afterEach(() => {
  WebAssembly.Instance = Instance;
});

it('runs a jitted function a second time without instantiating any kernel again', async () => {
  await init('wasm');
  WebAssembly.Instance = class extends Instance {
    constructor(module: WebAssembly.Module, imports?: WebAssembly.Imports) {
      super(module, imports);
      instantiations++;
    }
  };
  const f = jit((a: np.Array) => np.matmul(a.ref, a.transpose()).sum());
  const x = () => np.array(new Float32Array(64).map((_, i) => i / 64), { shape: [8, 8], device: 'wasm' });
  const first = await f(x()).data();
  const afterFirst = instantiations;
  expect(afterFirst).toBeGreaterThan(0);
  const second = await f(x()).data();
  expect(second).toEqual(first);
  expect(instantiations).toBe(afterFirst);
  f.dispose();
});
