import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { normalizePath } from 'vite';
import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { viteStaticCopy } from 'vite-plugin-static-copy';
import { serveModels } from './vite/serve-models.ts';
import { ORT_WASM_FILES } from './src/model/ort-wasm-paths.ts';

// Cross-origin isolation lets ONNX Runtime and jax-js use multithreaded WASM (SharedArrayBuffer).
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

const repoFile = (path: string) => normalizePath(fileURLToPath(new URL(path, import.meta.url)));

// The onnxruntime-web that transformers.js itself resolves, so the WASM matches its JS exactly.
const ortRequire = createRequire(createRequire(import.meta.url).resolve('@huggingface/transformers'));
const ortFile = (name: string) => normalizePath(ortRequire.resolve(`onnxruntime-web/${name}`));

export default defineConfig({
  plugins: [
    svelte(),
    serveModels(process.env.GLON_MODELS_DIR ?? repoFile('./models')),
    // Served in dev, copied into the build: the app works offline and never asks a CDN for ORT or a model.
    viteStaticCopy({
      targets: [
        { src: [ortFile(ORT_WASM_FILES.mjs), ortFile(ORT_WASM_FILES.wasm)], dest: 'ort' },
        { src: repoFile('./models/stories260K'), dest: 'models' },
      ],
    }),
  ],
  server: { headers: isolation },
  preview: { headers: isolation },
  worker: { format: 'es' },
  // Bundled up front: otherwise the first visit to the Model step makes the dev server reload the page.
  optimizeDeps: { include: ['@huggingface/transformers', '@observablehq/plot'] },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/**/*.test.ts'],
          exclude: ['tests/browser/**'],
          testTimeout: 120_000,
          pool: 'forks',
          execArgv: ['--harmony-iterator-helpers'],
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
