/**
 * Which ONNX Runtime backend to use: the CPU in Node; in a page WebGPU when the browser has a real graphics
 * adapter, else WASM. A fallback adapter (SwiftShader: the GPU's work emulated on the CPU) counts as no GPU,
 * because it runs the lab's models tens of times slower than WASM. A person's own choice overrides the rule.
 */
import type { Device } from './language-model.ts';

/** What the browser's WebGPU offers, as far as the device choice needs to know. */
export interface GpuFacts {
  /** navigator.gpu.requestAdapter() returned an adapter. */
  found: boolean;
  /** That adapter is a software fallback (`isFallbackAdapter`). */
  fallback: boolean;
}

/** A person's choice, remembered by the page; without one the rule decides. */
export type DevicePreference = 'webgpu' | 'wasm';
export const DEVICE_PREFERENCES: readonly DevicePreference[] = ['webgpu', 'wasm'];

export interface DeviceChoice {
  device: 'webgpu' | 'wasm';
  /** One sentence saying why, for the Model step. */
  reason: string;
}

export function chooseDevice(gpu: GpuFacts, preference?: DevicePreference): DeviceChoice {
  if (preference === 'wasm') return { device: 'wasm', reason: 'You chose WASM (the CPU).' };
  if (preference === 'webgpu' && gpu.found)
    return {
      device: 'webgpu',
      reason: gpu.fallback
        ? 'You chose WebGPU, but its only adapter here is a software one that emulates a GPU on the CPU: expect it to be far slower than WASM.'
        : 'You chose WebGPU: this browser has a graphics adapter.',
    };
  if (preference === 'webgpu') return { device: 'wasm', reason: 'You chose WebGPU, but this browser offers no WebGPU adapter, so WASM (the CPU) is used.' };
  if (gpu.found && !gpu.fallback) return { device: 'webgpu', reason: 'This browser has a graphics adapter.' };
  if (gpu.found)
    return {
      device: 'wasm',
      reason: 'The only WebGPU adapter here is a software one that emulates a GPU on the CPU, far slower than WASM, so WASM (the CPU) is used.',
    };
  return { device: 'wasm', reason: 'This browser offers no WebGPU adapter, so WASM (the CPU) is used.' };
}

/**
 * Where a LoRA run trains by default: where the loaded model runs, so on the graphics adapter when the
 * model was put on one; WASM otherwise (Node's CPU scorer included), and with no model yet.
 */
export function trainingDevice(modelDevice: Device | undefined): DeviceChoice['device'] {
  return modelDevice === 'webgpu' ? 'webgpu' : 'wasm';
}

interface GpuAdapterLike {
  isFallbackAdapter?: boolean;
  info?: { isFallbackAdapter?: boolean };
}
interface GpuNavigator {
  gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> };
}

export function isNode(): boolean {
  return typeof process !== 'undefined' && !!process.versions?.node;
}

/** Asks the browser for a WebGPU adapter; `adapter.info.isFallbackAdapter` is the current field, `adapter.isFallbackAdapter` the older one. */
export async function probeGpu(): Promise<GpuFacts> {
  const nav = (globalThis as { navigator?: GpuNavigator }).navigator;
  try {
    const adapter = await nav?.gpu?.requestAdapter();
    if (adapter) return { found: true, fallback: adapter.info?.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false };
  } catch {
    // A browser can expose navigator.gpu yet refuse an adapter (blocklisted GPU): WASM still works.
  }
  return { found: false, fallback: false };
}

export async function pickDevice(preference?: DevicePreference): Promise<Device> {
  if (isNode()) return 'cpu';
  return chooseDevice(await probeGpu(), preference).device;
}
