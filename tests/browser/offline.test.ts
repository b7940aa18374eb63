/**
 * The lab without network (vite-plugin-pwa's service worker, vite.config.ts): after one online visit that
 * loads stories260K and scores it, a reload with the network off and the server gone opens the lab, says
 * it is offline, stays cross-origin isolated (threads), loads the model from the cache, evaluates, and runs
 * the Demo end to end (generation, training, scoring: nothing it needs comes from the network).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchChromium, runDemo, serveApp, waitForServiceWorker, watchErrors, type Browser, type Served } from './harness.ts';

let app: Served | undefined;
let browser: Browser;
let page: Page;
let errors: string[];
// A Demo shortened by the link (its dataset: 4 facts; 2 epochs), as a speaker might set it up.
const SHORT_DEMO = encodeURIComponent(JSON.stringify({ train: { epochs: 2 }, augment: { local: { samples: 1 } } }));
const SETUP = `?v=1&kind=reversal&preset=small&seed=3&facts=4&linesPerFact=2&model=stories260K&dtype=fp32&experiment=${SHORT_DEMO}`;

beforeAll(async () => {
  app = await serveApp();
  browser = await launchChromium();
  page = await browser.context.newPage();
  errors = watchErrors(page);
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

const stepButton = (title: string) => page.getByRole('navigation', { name: 'Lab steps' }).getByRole('button', { name: new RegExp(title) });

async function loadAndScoreBase() {
  await page.getByRole('article', { name: 'Loaded model', includeHidden: true }).waitFor({ state: 'attached', timeout: 120_000 });
  await stepButton('Learn').click();
  await page.locator('input[name=condition][value=icl]').setChecked(false);
  await page.getByRole('button', { name: 'Run base' }).click();
  await page.getByRole('region', { name: 'Runs' }).locator('tbody tr').waitFor({ timeout: 60_000 });
}

it('works online with the service worker in control', async () => {
  await page.goto(app!.url);
  await waitForServiceWorker(page);
  await page.goto(app!.url + SETUP);
  expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  expect(await page.getByTestId('offline').count()).toBe(0);
  await loadAndScoreBase();
});

it('reloads offline from cached files, still cross-origin isolated, and evaluates', async () => {
  const url = page.url();
  await browser.context.setOffline(true);
  // Nothing left to answer: what the page gets now comes from the caches.
  await app!.close();
  app = undefined;
  await page.goto(url);
  await page.getByTestId('offline').waitFor();
  // Short on screen (it must not push the steps out of the header); the whole sentence is read out.
  expect(await page.getByTestId('offline').innerText()).toMatch(/^●\s*Offline/);
  expect(await page.getByTestId('offline').textContent()).toMatch(/Offline: the lab still works from cached files/);
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await loadAndScoreBase();
  expect(await page.getByRole('region', { name: 'Runs' }).innerText()).toContain('base');
  expect(errors).toEqual([]);
});

it('runs the Demo offline', async () => {
  console.log(`demo offline: ${(await runDemo(page, 240_000)).toFixed(1)} s`);
  expect(await page.locator('#step-compare').getByTestId('run-outcome').innerText()).toMatch(/^Demo: done in [\d.]+ s\. 5 results;/);
  expect(errors).toEqual([]);
});
