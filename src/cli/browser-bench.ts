/**
 * `glon bench --browser`: the page's training engine measured in Debian's chromium. A Vite dev server
 * with the app's configuration (its COOP/COEP headers make the page cross-origin isolated, as the lab is)
 * serves bench/browser.html, which runs src/train/bench-worker.ts in a Web Worker.
 */
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';
import type { BrowserBenchResult } from '../train/bench-worker.ts';
import type { TrainShape } from '../train/bench.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';

export async function benchInBrowser(steps: number, shape: TrainShape): Promise<BrowserBenchResult & { browser: string }> {
  // A fresh dependency bundle: Vite's cache does not notice node_modules patched after it was made.
  const server = await createServer({ root: REPO, logLevel: 'warn', optimizeDeps: { force: true }, server: { host: '127.0.0.1', port: 0, hmr: false } });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error('the Vite server did not listen on a TCP port');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${address.port}/bench/browser.html?steps=${steps}&batch=${shape.batch}&length=${shape.length}`);
    const handle = await page.waitForFunction(() => (window as unknown as { benchResult?: unknown }).benchResult, undefined, { timeout: 600_000 });
    const result = (await handle.jsonValue()) as BrowserBenchResult | { error: string };
    if ('error' in result) throw new Error(`the benchmark failed in chromium: ${result.error}`);
    return { ...result, browser: `chromium ${browser.version()}` };
  } finally {
    await browser.close();
    await server.close();
  }
}
