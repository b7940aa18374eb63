// Child process of kernel-threads.test.ts: 20 LoRA steps of the trainer's jitted step on a model, with
// jax-js's kernel threads or on one thread ("one-thread" hides SharedArrayBuffer before jax-js loads, as a
// page that is not cross-origin isolated does). Prints the LoRA parameters' SHA-256 and how many chunks of
// kernels went to threads.
import { createHash } from 'node:crypto';

const [mode, folder] = process.argv.slice(2);
if (mode === 'one-thread') (globalThis as { SharedArrayBuffer?: unknown }).SharedArrayBuffer = undefined;
// The caller wakes a thread with Atomics.notify once per chunk it hands out.
let handedOut = 0;
const notify = Atomics.notify;
Atomics.notify = ((typedArray: Int32Array, index: number, count?: number) => (handedOut++, notify(typedArray, index, count))) as typeof Atomics.notify;

const { startEngine, wasmKernelThreads } = await import('../../src/engine/backend.ts');
const { loadEngineModel } = await import('../../src/engine/load-node.ts');
const { trainTimer } = await import('../../src/train/bench.ts');
await startEngine('wasm');
const model = await loadEngineModel(folder, 'fp32');
const timer = trainTimer(model.weights, 'wasm', 8, 64);
await timer.run(20);
const theta = (await timer.theta.ref.data()) as Float32Array;
const sha256 = createHash('sha256').update(new Uint8Array(theta.buffer, theta.byteOffset, theta.byteLength)).digest('hex');
console.log(JSON.stringify({ sha256, handedOut, threads: wasmKernelThreads() }));
