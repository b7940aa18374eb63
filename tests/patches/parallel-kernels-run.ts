// Child process of jax-parallel-kernels.test.ts: a jitted forward and backward pass big enough to split, on
// jax-js's WASM backend with its threads or on one thread (kernel-threads-mode.ts). Prints the results'
// SHA-256 and how many chunks of kernels went to threads.
import { handedOut, resetHandedOut } from './kernel-threads-mode.ts';
import { createHash } from 'node:crypto';
import type { numpy } from '@jax-js/jax';

const { init, jit, numpy: np, valueAndGrad } = await import('@jax-js/jax');
await init('wasm');
const values = (n: number, scale: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * scale));
const [M, K, N] = [512, 64, 512];
const loss = (w: numpy.Array, x: numpy.Array, y: numpy.Array) => np.sum(np.exp(np.matmul(np.tanh(np.matmul(x, w)), y).mul(0.05)));
const step = jit(valueAndGrad(loss));
const run = async (i: number) => {
  const [value, gradient] = step(
    np.array(values(K * K, 0.37 + i), { shape: [K, K] }),
    np.array(values(M * K, 0.11), { shape: [M, K] }),
    np.array(values(K * N, 0.53), { shape: [K, N] }),
  );
  return [await value.data(), await gradient.data()];
};
// Threads start on the first large kernel and take work once running: wait for them (up to 20 s).
const threaded = process.argv[2] === 'threads';
for (const start = Date.now(); threaded && handedOut() === 0 && Date.now() - start < 20_000; ) {
  await run(0);
  await new Promise((resolve) => setTimeout(resolve, 10));
}
resetHandedOut();
const hash = createHash('sha256');
for (let i = 0; i < 3; i++) for (const a of await run(i)) hash.update(new Uint8Array(a.buffer));
step.dispose();
console.log(JSON.stringify({ sha256: hash.digest('hex'), handedOut: handedOut() }));
