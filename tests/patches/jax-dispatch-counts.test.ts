/** patches/@jax-js+jax+*+dispatch-counts.patch: profiler.dispatchCounts() counts every kernel launch per device. */
import { init, numpy as np, profiler } from '@jax-js/jax';
import { expect, it } from 'vitest';

const launches = () => profiler.dispatchCounts().wasm ?? 0;

it('counts one launch per kernel a computation runs, on its device', async () => {
  await init('wasm');
  // Over 128 elements, so the result is computed by a kernel rather than inlined.
  const x = np.array(new Float32Array(1024).map((_, i) => i % 2), { device: 'wasm' });
  await x.blockUntilReady();
  const start = launches();
  // Outside jit every op is a kernel of its own: two here.
  expect((await x.ref.add(1).mul(2).data())[0]).toBe(2);
  expect(launches() - start).toBe(2);
  // A reshape is a view and launches nothing; the matmul is one kernel.
  await np.matmul(x.ref.reshape([32, 32]), x.reshape([32, 32])).data();
  expect(launches() - start).toBe(3);
});
