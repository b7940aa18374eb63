import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { normalizePath, type Plugin } from 'vite';
import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { viteStaticCopy } from 'vite-plugin-static-copy';
import { VitePWA } from 'vite-plugin-pwa';
import { serveModels } from './vite/serve-models.ts';
import { ORT_WASM_FILES } from './src/runtime/ort-wasm-paths.ts';

// Cross-origin isolation lets ONNX Runtime and jax-js use multithreaded WASM (SharedArrayBuffer).
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

const repoFile = (path: string) => normalizePath(fileURLToPath(new URL(path, import.meta.url)));

// The onnxruntime-web that transformers.js itself resolves, so the WASM matches its JS exactly.
const ortRequire = createRequire(createRequire(import.meta.url).resolve('@huggingface/transformers'));
const ortFile = (name: string) => normalizePath(ortRequire.resolve(`onnxruntime-web/${name}`));

/**
 * onnxruntime-web names its .wasm with `new URL(..., import.meta.url)`, a fallback for when no wasmPaths
 * are set; Vite would copy those 26 MB into assets/ beside the copy under ort/ that the app really loads
 * (ORT_WASM_PATHS). Pointing the fallback at ort/ keeps one copy in the build and in the offline cache.
 */
function ortWasmOnce(): Plugin {
  let base = '/';
  return {
    name: 'glon:ort-wasm-once',
    enforce: 'pre',
    configResolved(config) {
      base = config.base;
    },
    transform(code, id) {
      if (!id.includes('onnxruntime-web')) return;
      const pattern = /new URL\((["'`])(ort-[\w.-]+\.wasm)\1,\s*import\.meta\.url\)/g;
      if (!pattern.test(code)) return;
      return { code: code.replace(pattern, (_, _quote, file: string) => `new URL(${JSON.stringify(`${base}ort/${file}`)}, self.location.href)`), map: null };
    },
  };
}

/**
 * The offline app: a service worker (Workbox) precaches the shell, ONNX Runtime's WASM and the embedded
 * model, so a reload without network opens the lab and runs it. Off under `vite` (dev stays simple).
 */
const offline = VitePWA({
  registerType: 'prompt', // a new version waits until the student chooses to reload (the header offers it)
  injectRegister: null, // registered by the page (src/ui/shell/service-worker.svelte.ts), which shows its state
  devOptions: { enabled: false },
  // After the models index is written (vite/serve-models.ts), so the precache holds it.
  integration: { closeBundleOrder: 'post' },
  manifest: {
    name: 'glon — in-context learning vs fine-tuning',
    short_name: 'glon',
    description: 'A browser-local lab for how language models learn new facts: from context, or from fine-tuning',
    theme_color: '#3b5bdb',
    background_color: '#fbfaf7',
    icons: [{ src: 'favicon.svg', sizes: 'any', type: 'image/svg+xml' }],
  },
  workbox: {
    globPatterns: ['**/*.{html,js,css}', 'ort/*.{mjs,wasm}', 'models/index.json', 'models/stories260K/*.json', 'models/stories260K/onnx/*.onnx'],
    // The ORT WASM alone is 26 MB.
    maximumFileSizeToCacheInBytes: 64 * 1024 * 1024,
    navigateFallback: 'index.html',
    navigateFallbackDenylist: [/^\/models\//, /^\/ort\//],
    // The first visit's page is controlled at once, so the model it loads is cached for offline use.
    clientsClaim: true,
    runtimeCaching: [
      {
        // A model file never changes under its name. transformers.js keeps the files it loads in its own cache
        // (env.useBrowserCache); sharing that cache keeps one copy of a model's bytes for ORT and for training.
        urlPattern: ({ sameOrigin, url }) => sameOrigin && url.pathname.includes('/models/'),
        handler: 'CacheFirst',
        options: { cacheName: 'transformers-cache', cacheableResponse: { statuses: [200] } },
      },
    ],
  },
});

export default defineConfig({
  plugins: [
    svelte(),
    ortWasmOnce(),
    offline,
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
  worker: { format: 'es', plugins: () => [ortWasmOnce()] },
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
          // Type-level tests (*.test-d.ts): what must not compile, such as a worker command without a handler.
          typecheck: { enabled: true, include: ['tests/**/*.test-d.ts'] },
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
