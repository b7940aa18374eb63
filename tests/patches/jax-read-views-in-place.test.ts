/**
 * patches/@jax-js+jax+*+read-views-in-place.patch: under jit on WebGPU, a view (reshape, transpose, stop_gradient)
 * that several kernels read is read in place by each of them instead of being copied first.
 */
import { init, jit, numpy as np, profiler, valueAndGrad } from '@jax-js/jax';
import { beforeAll, expect, it } from 'vitest';
import { installDawnOnSwiftShader } from '../../src/engine/webgpu-node.ts';

// The rule is WebGPU's (where a launch costs more than the work it saves): Dawn over SwiftShader in Node.
beforeAll(async () => {
  await installDawnOnSwiftShader();
  expect(await init('webgpu')).toContain('webgpu');
});

it('a matmul and its gradient run without copying their input', async () => {
  const f = jit(valueAndGrad((w: np.Array, x: np.Array) => np.matmul(x, w).sum()));
  const run = async () => {
    const x = np.array(new Float32Array(512 * 64).map((_, i) => (i % 7) / 7), { shape: [512, 64], device: 'webgpu' });
    const w = np.array(new Float32Array(64 * 8).map((_, i) => (i % 5) / 5), { shape: [64, 8], device: 'webgpu' });
    await x.blockUntilReady();
    await w.blockUntilReady();
    const before = profiler.dispatchCounts().webgpu ?? 0;
    const [value, grad] = f(w, x);
    const out = { value: (await value.data())[0], grad: (await grad.data()) as Float32Array };
    return { ...out, launches: (profiler.dispatchCounts().webgpu ?? 0) - before };
  };
  await run(); // compiles
  const { value, grad, launches } = await run();
  // sum(x @ w) = sum_k (column sum of x)_k * (row sum of w)_k, and d/dw[k, j] = column sum of x at k.
  const column = (k: number) => Array.from({ length: 512 }, (_, i) => ((i * 64 + k) % 7) / 7).reduce((a, b) => a + b, 0);
  const row = (k: number) => Array.from({ length: 8 }, (_, j) => ((k * 8 + j) % 5) / 5).reduce((a, b) => a + b, 0);
  const expected = Array.from({ length: 64 }, (_, k) => column(k) * row(k)).reduce((a, b) => a + b, 0);
  expect(Math.abs(value - expected) / expected).toBeLessThan(1e-5);
  expect(Math.abs(grad[3 * 8 + 5] - column(3)) / column(3)).toBeLessThan(1e-5);
  // The matmul, the sum, the gradient's matmul and its transpose into [64, 8]: no copy of x.
  expect(launches).toBe(4);
  f.dispose();
});
