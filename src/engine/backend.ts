/** Starts jax-js on a device. WASM works everywhere; WebGPU needs `navigator.gpu` (a browser, or Dawn in Node). */
import { defaultDevice, init } from '@jax-js/jax';

export type EngineDevice = 'wasm' | 'webgpu';

export async function startEngine(device: EngineDevice): Promise<void> {
  const available = await init(device);
  if (!available.includes(device))
    throw new Error(device === 'webgpu' ? 'WebGPU is not available here (no GPU adapter); use the WASM device' : `jax-js cannot start on ${device}`);
  defaultDevice(device);
}
