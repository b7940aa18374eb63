/** Which ONNX Runtime backend to use here: the CPU in Node, WebGPU in a page when an adapter exists, else WASM. */
import type { Device } from './language-model.ts';

interface GpuNavigator {
  gpu?: { requestAdapter(): Promise<unknown> };
}

export function isNode(): boolean {
  return typeof process !== 'undefined' && !!process.versions?.node;
}

export async function pickDevice(): Promise<Device> {
  if (isNode()) return 'cpu';
  const nav = (globalThis as { navigator?: GpuNavigator }).navigator;
  try {
    if (nav?.gpu && (await nav.gpu.requestAdapter())) return 'webgpu';
  } catch {
    // A browser can expose navigator.gpu yet refuse an adapter (blocklisted GPU): WASM still works.
  }
  return 'wasm';
}
