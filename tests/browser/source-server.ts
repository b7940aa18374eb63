/**
 * The source tree served by the Vite dev server, so a browser test can `await import('/src/...')` core
 * modules into a page and exercise them against the browser's real APIs (IndexedDB, storage quota).
 * The page it opens is an empty document of that origin: the app itself never starts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { createServer } from 'vite';
import { REPO, type Served } from './harness.ts';

/** Dependencies of the core modules, bundled up front: one found mid-test would make Vite reload the page. */
const CORE_DEPENDENCIES = ['idb', 'zod', 'onnx-proto', '@jax-js/jax'];

export async function serveSource(): Promise<Served> {
  // A cache of its own: these options differ from the app's, and sharing node_modules/.vite would make
  // dev servers of other tests re-bundle under each other's feet.
  const cacheDir = mkdtempSync(join(tmpdir(), 'glon-vite-cache-'));
  const server = await createServer({
    root: REPO,
    cacheDir,
    logLevel: 'warn',
    appType: 'custom',
    server: { host: '127.0.0.1', port: 0 },
    optimizeDeps: { include: CORE_DEPENDENCIES },
  });
  await server.listen();
  const address = server.httpServer!.address();
  if (address === null || typeof address === 'string') throw new Error('vite did not listen on a TCP port');
  return {
    url: `http://127.0.0.1:${address.port}/`,
    async close() {
      await server.close();
      rmSync(cacheDir, { recursive: true, force: true });
    },
  };
}

/**
 * Opens an empty page of the served origin, where modules can be imported. Answered by the browser
 * itself: the dev server's own 404 page forbids scripts.
 */
export async function openBlank(page: Page, served: Served): Promise<void> {
  const url = `${served.url}__blank`;
  await page.route(url, (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>glon test</title>' }));
  await page.goto(url);
}
