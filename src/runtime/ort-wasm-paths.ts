/// <reference types="vite/client" />
/**
 * Where the page finds ONNX Runtime's WASM build: the app serves it itself at `<base>ort/` (vite.config.ts
 * copies these files from the onnxruntime-web that transformers.js uses), never from a CDN, so the lab
 * works offline. Set `env.backends.onnx.wasm.wasmPaths = ORT_WASM_PATHS` before loading a model in the
 * page or a worker (Node uses onnxruntime-node and needs none of this).
 */

/** The WASM build that transformers.js's `onnxruntime-web/webgpu` bundle loads (WebGPU and WASM alike). */
export const ORT_WASM_FILES = {
  mjs: 'ort-wasm-simd-threaded.asyncify.mjs',
  wasm: 'ort-wasm-simd-threaded.asyncify.wasm',
} as const;

/** `import.meta.env` exists only in Vite-built code; the Vite config itself imports this file too. */
export const ORT_WASM_BASE = `${import.meta.env?.BASE_URL ?? '/'}ort/`;

export const ORT_WASM_PATHS = {
  mjs: ORT_WASM_BASE + ORT_WASM_FILES.mjs,
  wasm: ORT_WASM_BASE + ORT_WASM_FILES.wasm,
};
