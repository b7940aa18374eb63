/**
 * jax-js's WebGPU backend in Node: Dawn (the `webgpu` package) over SwiftShader, the CPU Vulkan driver
 * Debian's chromium ships. For tests and the bench: it proves the browser's GPU code path and counts its
 * dispatches; its timings say nothing about a real GPU.
 */
import { existsSync } from 'node:fs';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** Sets Dawn's globals and navigator.gpu; call before jax-js's init('webgpu'). Throws when SwiftShader is missing. */
export async function installDawnOnSwiftShader(): Promise<void> {
  if (!existsSync(SWIFTSHADER_ICD)) throw new Error(`${SWIFTSHADER_ICD} is missing (apt-get install chromium libvulkan1)`);
  process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  // Node 21+ has its own navigator without gpu; jax-js reads navigator.gpu and navigator.userAgent.
  Object.defineProperty(globalThis, 'navigator', { value: { gpu: create([]), userAgent: 'node' }, configurable: true });
}
