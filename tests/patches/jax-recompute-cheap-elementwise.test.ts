/**
 * patches/@jax-js+jax+*+recompute-cheap-elementwise.patch: under jit on WebGPU, a short elementwise chain over
 * materialized arrays that several kernels read (here 1 / sqrt of a row sum) is recomputed inside each of
 * them instead of launching kernels of its own.
 */
import { init, jit, numpy as np, profiler } from '@jax-js/jax';
import { beforeAll, expect, it } from 'vitest';
import { installDawnOnSwiftShader } from '../../src/engine/webgpu-node.ts';

// The rule is WebGPU's (where a launch costs more than the work it saves): Dawn over SwiftShader in Node.
beforeAll(async () => {
  await installDawnOnSwiftShader();
  expect(await init('webgpu')).toContain('webgpu');
});

it('two reductions that share 1 / sqrt(row sum) run as three kernels', async () => {
  const f = jit((x: np.Array) => {
    const scale = np.reciprocal(np.sqrt(x.ref.mul(x.ref).sum(-1, { keepdims: true }).add(1)));
    return [x.ref.mul(scale.ref).sum(-1), x.mul(x.ref).mul(scale).max(-1)];
  });
  const x = () => np.array(new Float32Array(64 * 32).map((_, i) => ((i % 9) - 4) / 4), { shape: [64, 32], device: 'webgpu' });
  const run = async () => {
    const input = x();
    await input.blockUntilReady();
    const before = profiler.dispatchCounts().webgpu ?? 0;
    const [sum, max] = f(input);
    const values = [(await sum.data())[0], (await max.data())[0]];
    return { values, launches: (profiler.dispatchCounts().webgpu ?? 0) - before };
  };
  await run(); // compiles
  const { values, launches } = await run();
  const row = Array.from({ length: 32 }, (_, j) => ((j % 9) - 4) / 4);
  const scale = 1 / Math.sqrt(row.reduce((a, v) => a + v * v, 0) + 1);
  expect(values[0]).toBeCloseTo(row.reduce((a, v) => a + v * scale, 0), 5);
  expect(values[1]).toBeCloseTo(Math.max(...row.map((v) => v * v * scale)), 5);
  // The row sum, then each of the two reductions with the scale recomputed inside it.
  expect(launches).toBe(3);
  f.dispose();
});
