/** Starts jax-js on a device. WASM works everywhere; WebGPU needs `navigator.gpu` (a browser, or Dawn in Node). */
import { defaultDevice, init } from '@jax-js/jax';

export type EngineDevice = 'wasm' | 'webgpu';

export async function startEngine(device: EngineDevice): Promise<void> {
  const available = await init(device);
  if (!available.includes(device))
    throw new Error(device === 'webgpu' ? 'WebGPU is not available here (no GPU adapter); use the WASM device' : `jax-js cannot start on ${device}`);
  defaultDevice(device);
}

interface NodeBuiltins {
  getBuiltinModule?(id: 'node:os'): { availableParallelism(): number } | undefined;
  getBuiltinModule?(id: 'node:worker_threads'): object | undefined;
}

/**
 * How many threads jax-js's WASM backend splits large kernels across (the caller and its worker threads,
 * patches/@jax-js+jax+*+parallel-kernels.patch): every core where memory can be shared between threads (a
 * cross-origin isolated page, Node), else one. The patch's own rule, restated for reports.
 */
export function wasmKernelThreads(): number {
  const node = (globalThis as { process?: NodeBuiltins }).process;
  const workers = typeof Worker !== 'undefined' || node?.getBuiltinModule?.('node:worker_threads') !== undefined;
  if (typeof SharedArrayBuffer === 'undefined' || !workers) return 1;
  if (typeof navigator !== 'undefined' && navigator.hardwareConcurrency) return navigator.hardwareConcurrency;
  return node?.getBuiltinModule?.('node:os')?.availableParallelism() ?? 4;
}
