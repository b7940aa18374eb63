// Child process of jax-parallel-kernels.test.ts: a jitted forward and backward pass big enough to split, on
// jax-js's WASM backend with its threads, or on one thread ("one-thread" hides SharedArrayBuffer, as a page
// that is not cross-origin isolated does). Prints the results' SHA-256 and how many kernels went to threads.
import { createHash } from 'node:crypto';

if (process.argv[2] === 'one-thread') globalThis.SharedArrayBuffer = undefined;
// The caller wakes a thread with Atomics.notify once per chunk it hands out.
let handedOut = 0;
const notify = Atomics.notify;
Atomics.notify = (...args) => (handedOut++, notify(...args));

const { init, jit, numpy: np, valueAndGrad } = await import('@jax-js/jax');
await init('wasm');
const values = (n, scale) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * scale));
const [M, K, N] = [512, 64, 512];
const loss = (w, x, y) => {
  const h = np.tanh(np.matmul(x, w));
  return np.sum(np.exp(np.matmul(h, y).mul(0.05)));
};
const step = jit(valueAndGrad(loss));
const run = async (i) => {
  const [value, gradient] = step(
    np.array(values(K * K, 0.37 + i), { shape: [K, K] }),
    np.array(values(M * K, 0.11), { shape: [M, K] }),
    np.array(values(K * N, 0.53), { shape: [K, N] }),
  );
  return [await value.data(), await gradient.data()];
};
// Threads start on the first large kernel and take work once running: wait for them (up to 20 s).
const threaded = process.argv[2] === 'threads';
for (const start = Date.now(); threaded && handedOut === 0 && Date.now() - start < 20_000; ) {
  await run(0);
  await new Promise((resolve) => setTimeout(resolve, 10));
}
handedOut = 0;
const hash = createHash('sha256');
for (let i = 0; i < 3; i++) for (const a of await run(i)) hash.update(new Uint8Array(a.buffer));
step.dispose();
console.log(JSON.stringify({ sha256: hash.digest('hex'), handedOut }));
