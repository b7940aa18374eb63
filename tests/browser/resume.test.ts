/**
 * An experiment interrupted by a closed page (built app, chromium, WASM): on the next visit it is found
 * ('running' in the store, its Web Lock free) and offered for resume; resuming continues the training
 * from its last checkpoint, not from step 1, and finishes with results.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { SCREENSHOTS, barTitles, experimentLink, launchChromium, serveApp, storeCount, watchErrors, type Browser, type Served } from './harness.ts';

let app: Served;
let browser: Browser;
beforeAll(async () => {
  app = await serveApp();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

// A small dataset (one batch an epoch) trained long enough that training is still going when its first
// checkpoint is saved (about 5 s of estimated work: ~195 steps here).
const LINK = (app: Served) => experimentLink(app, { conditions: ['base', 'ft'], train: { epochs: 450 } }, 'kind=reversal&preset=small&seed=1&facts=4&linesPerFact=2');

const checkpoints = (page: Page) => storeCount(page, 'checkpoints');

it('offers a run interrupted mid-training and resumes it from its checkpoint', async () => {
  const first = await browser.context.newPage();
  await first.goto(LINK(app));
  await first.getByRole('button', { name: 'Demo', exact: true }).click();
  const card = first.getByRole('dialog', { name: 'Experiment run' });
  await expect.poll(() => card.getByTestId('stage-train').innerText(), { timeout: 120_000 }).toBe('0 / 1');
  await expect.poll(() => card.locator('[data-stage=train] .now').innerText(), { timeout: 60_000 }).toMatch(/steps/);
  await expect.poll(() => checkpoints(first), { timeout: 60_000 }).toBeGreaterThan(0);
  const [, stepAtClose, total] = (await card.locator('[data-stage=train] .now').innerText()).match(/(\d+) \/ (\d+) steps/)!;
  console.log(`closing the page at step ${stepAtClose} of ${total}`);
  expect(Number(stepAtClose)).toBeLessThan(Number(total));
  await first.close();

  const page = await browser.context.newPage();
  const errors = watchErrors(page);
  await page.goto(LINK(app));
  const offer = page.getByRole('alertdialog', { name: 'Interrupted experiment' });
  expect(await offer.innerText({ timeout: 30_000 })).toMatch(/An experiment was interrupted.*“demo: simple reversals”, during seed 1: train ft/s);
  await page.screenshot({ path: join(SCREENSHOTS, 'resume-offer.png') });
  await offer.getByRole('button', { name: 'Resume' }).click();

  const resumedAt = page.getByRole('dialog', { name: 'Experiment run' }).getByTestId('resumed-at');
  const [, step] = (await resumedAt.innerText({ timeout: 120_000 })).match(/resumed at step (\d+)/)!;
  console.log(`resumed at step ${step}`);
  expect(Number(step)).toBeGreaterThan(1);
  await page.locator('#step-compare').getByRole('article', { name: /^Experiment / }).waitFor({ timeout: 240_000 });
  const titles = await barTitles(page, /^Accuracy per split over seeds/);
  expect([...new Set(titles.map((t) => t.split(' on ')[0]))]).toEqual(['base', 'ft']);
  // base was saved before the page closed: only the training and ft were left to do.
  expect(await page.locator('#step-compare').getByTestId('results-from-cache').innerText()).toBe('From the cache: base (seed 1); the rest computed now.');
  expect(await offer.count()).toBe(0);
  expect(errors).toEqual([]);
});
