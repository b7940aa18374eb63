/**
 * patches/@jax-js+jax+*+read-reshapes-in-place.patch: under jit on WASM, an array that several kernels read
 * through a reshape (the operands of a matmul that the backward pass reads again) is read in place instead of
 * copied first. Views that reorder (transposes) are still copied on WASM, where strided reads are slow.
 */
import { init, jit, numpy as np, profiler, valueAndGrad } from '@jax-js/jax';
import { beforeAll, expect, it } from 'vitest';

beforeAll(async () => {
  await init('wasm');
});

const [N, IN, R, OUT] = [16, 8, 4, 8];
const values = (n: number, scale: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * scale));

/** sum(x @ A @ B) with A and B cut from one parameter vector, as glon's LoRA reads its factors. */
function loss(x: np.Array) {
  return (theta: np.Array) => {
    const a = theta.ref.slice([0, IN * R]).reshape([IN, R]);
    const b = theta.slice([IN * R, IN * R + R * OUT]).reshape([R, OUT]);
    return np.matmul(np.matmul(x, a), b).sum();
  };
}

it('runs the value and gradient of x @ A @ B without copying x or x @ A, with the same gradient as eager', async () => {
  const x = () => np.array(values(N * IN, 0.7), { shape: [2, N / 2, IN], device: 'wasm' });
  const theta = () => np.array(values(IN * R + R * OUT, 1.3), { device: 'wasm' });
  const step = jit((t: np.Array, input: np.Array) => valueAndGrad(loss(input))(t));
  const run = async () => {
    const [t, input] = [theta(), x()];
    await Promise.all([t.blockUntilReady(), input.blockUntilReady()]);
    const before = profiler.dispatchCounts().wasm ?? 0;
    const [value, grad] = step(t, input);
    const result = { value: (await value.data())[0], grad: await grad.data() };
    return { ...result, launches: (profiler.dispatchCounts().wasm ?? 0) - before };
  };
  await run(); // compiles
  const { value, grad, launches } = await run();
  const [eagerValue, eagerGrad] = valueAndGrad(loss(x()))(theta());
  expect(value).toBeCloseTo((await eagerValue.data())[0], 4);
  const expected = await eagerGrad.data();
  grad.forEach((g, i) => expect(g).toBeCloseTo(expected[i], 4));
  // x @ A, B copied transposed, (x @ A) @ B, its sum, the sum's gradient (ones), the gradient through B, B's and
  // A's gradients and their sum into one vector: 9, where copying x and x @ A before reading them made 11.
  expect(launches).toBe(9);
  step.dispose();
});
