/**
 * The browser-test harness: the real app, built by `vite build` and served by `vite preview` (with the
 * COOP/COEP headers of vite.config.ts) on a free localhost port, driven by Debian's chromium through
 * playwright-core. Every call starts fresh (new build directory, new browser profile) and `close()`
 * removes what it made.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { preview } from 'vite';
import { MODELS_DIR } from '../models-dir.ts';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
// The app serves (vite.config.ts) the same models folder the tests read.
process.env.GLON_MODELS_DIR = MODELS_DIR;
const CHROMIUM = '/usr/bin/chromium';

// From /work/shared/notes/browser-testing.md: headless as root, nothing phoning home.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
// WebGPU through SwiftShader (CPU-emulated Vulkan): proves the WebGPU path, far too slow to time.
const WEBGPU_ARGS = ['--enable-unsafe-webgpu', '--enable-unsafe-swiftshader', '--use-angle=swiftshader'];

export interface Served {
  /** Base URL of the app, ending in "/". */
  url: string;
  close(): Promise<void>;
}

/** Builds the app into a fresh directory (never the working dist/) and serves it with `vite preview`. */
export async function serveApp(): Promise<Served> {
  const outDir = mkdtempSync(join(tmpdir(), 'glon-app-'));
  // Vitest sets NODE_ENV=test, which would give a development build; the test must see the real one.
  const { NODE_ENV: _, ...env } = process.env;
  const build = spawnSync(process.execPath, [join(REPO, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: REPO,
    env,
    encoding: 'utf8',
  });
  if (build.status !== 0) {
    rmSync(outDir, { recursive: true, force: true });
    throw new Error(`vite build failed:\n${build.stderr}${build.stdout}`);
  }
  const server = await preview({
    root: REPO,
    logLevel: 'warn',
    build: { outDir },
    preview: { host: '127.0.0.1', port: 0, open: false },
  });
  const address = server.httpServer.address();
  if (address === null || typeof address === 'string') throw new Error('vite preview did not listen on a TCP port');
  return {
    url: `http://127.0.0.1:${address.port}/`,
    async close() {
      await server.close();
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}

export interface BrowserOptions {
  /** Adds the SwiftShader flags so `navigator.gpu` has an adapter. */
  webgpu?: boolean;
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Debian's chromium with a fresh profile and a 1280x720 viewport (the projector size the lab is made for). */
export async function launchChromium(options: BrowserOptions = {}): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'glon-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, ...(options.webgpu ? WEBGPU_ARGS : [])],
    viewport: { width: 1280, height: 720 },
    acceptDownloads: true,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Collects uncaught exceptions and console errors, so a test can require a page that ran cleanly. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  return errors;
}

export const SCREENSHOTS = join(REPO, 'tests/screenshots');

export interface Lab {
  app: Served;
  browser: Browser;
  page: Page;
  /** Uncaught errors and console errors seen on the page so far. */
  errors: string[];
  close(): Promise<void>;
}

/** The built app served, chromium launched, the lab open in one page: the setup most browser tests share. */
export async function openLab(options: BrowserOptions = {}): Promise<Lab> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const app = await serveApp();
  const browser = await launchChromium(options);
  const page = await browser.context.newPage();
  const errors = watchErrors(page);
  await page.goto(app.url);
  return {
    app, browser, page, errors,
    close: async () => {
      await browser.close();
      await app.close();
    },
  };
}

/** Waits until the app's service worker has installed (precached the app) and controls the page. */
export async function waitForServiceWorker(page: Page): Promise<void> {
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 120_000 });
}

/**
 * The app's address with experiment settings in its link (src/ui/url-state.ts), e.g. a shorter Demo, and
 * optionally a dataset (`kind=reversal&facts=4`).
 */
export function experimentLink(app: Served, settings: Record<string, unknown>, dataset = ''): string {
  return `${app.url}?v=1${dataset && `&${dataset}`}&experiment=${encodeURIComponent(JSON.stringify(settings))}`;
}

/** Presses the header's Demo and waits for Compare to show its experiment; the seconds it took. */
export async function runDemo(page: Page, timeout: number): Promise<number> {
  const started = performance.now();
  await page.getByRole('button', { name: 'Demo', exact: true }).click();
  await page.getByRole('button', { name: 'Demo', exact: true, disabled: false }).waitFor({ timeout });
  const card = page.getByRole('dialog', { name: 'Experiment run' });
  // The card closes once Compare has the experiment, a moment after the worker lets go of the Demo button;
  // a card that stays open says why the Demo did not finish.
  const closed = await card.waitFor({ state: 'detached', timeout: 30_000 }).then(() => true, () => false);
  if (!closed) throw new Error(`the Demo did not finish: ${await card.innerText()}`);
  await page.locator('#step-compare').getByRole('article', { name: /^Experiment / }).first().waitFor({ timeout: 10_000 });
  return (performance.now() - started) / 1000;
}

/** Hover titles of a chart's bars ("icl on reversed: 52.5%, ..."): what the chart shows, as text. */
export async function barTitles(page: Page, chart: string | RegExp): Promise<string[]> {
  return page.getByRole('img', { name: chart }).locator('g[aria-label="bar"] rect title').allTextContents();
}

/** Opens a step of the lab by its name in the step bar. */
export async function openStep(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Lab steps' }).getByRole('button', { name: new RegExp(name) }).click();
}

/** Loads stories260K (fp32) in the Model step, then generates a reversal dataset of `seed` (small, or `preset`) in the Data step. */
export async function loadStoriesAndReversal(page: Page, seed?: number, preset: 'small' | 'paper' = 'small'): Promise<void> {
  await openStep(page, 'Model');
  await page.locator('input[name=dtype][value=fp32]').check();
  await page.getByRole('button', { name: 'Load stories260K' }).click();
  await page.getByRole('article', { name: 'Loaded model' }).waitFor({ timeout: 60_000 });
  await openStep(page, 'Data');
  await page.locator('input[name=kind][value=reversal]').check();
  await page.locator(`input[name=preset][value=${preset}]`).check();
  if (seed !== undefined) await page.locator('#step-data').getByLabel('Seed', { exact: true }).fill(String(seed));
  await page.getByRole('button', { name: 'Generate dataset' }).click();
  await page.getByRole('button', { name: 'Generate dataset', disabled: false }).waitFor();
}

/** How many records a store of the lab's IndexedDB holds, read with the raw API (the database exists by then). */
export function storeCount(page: Page, name: string): Promise<number> {
  return page.evaluate(
    (name) =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('glon');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const request = open.result.transaction(name).objectStore(name).count();
          request.onsuccess = () => (open.result.close(), resolve(request.result));
          request.onerror = () => reject(request.error);
        };
      }),
    name,
  );
}
