// Child process of kernel-threads.test.ts: 20 LoRA steps of the trainer's jitted step on a model, with
// jax-js's kernel threads or on one thread (../patches/kernel-threads-mode.ts). Prints the LoRA parameters'
// SHA-256 and how many chunks of kernels went to threads.
import { handedOut } from '../patches/kernel-threads-mode.ts';
import { createHash } from 'node:crypto';

const folder = process.argv[3];

const { startEngine, wasmKernelThreads } = await import('../../src/engine/backend.ts');
const { loadEngineModel } = await import('../../src/engine/load-node.ts');
const { trainTimer } = await import('../../src/train/bench.ts');
await startEngine('wasm');
const model = await loadEngineModel(folder, 'fp32');
const timer = trainTimer(model.weights, 'wasm', 8, 64);
await timer.run(20);
const theta = (await timer.theta.ref.data()) as Float32Array;
const sha256 = createHash('sha256').update(new Uint8Array(theta.buffer, theta.byteOffset, theta.byteLength)).digest('hex');
console.log(JSON.stringify({ sha256, handedOut: handedOut(), threads: wasmKernelThreads() }));
