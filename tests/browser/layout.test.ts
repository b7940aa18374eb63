/**
 * The lab as a projector shows it (1280x720): every step in light and dark, written to tests/screenshots/
 * to be looked at, nothing cut off, and the steps reachable from the keyboard like tabs.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { SCREENSHOTS, openLab, waitForServiceWorker, type Lab } from './harness.ts';

const STEPS = [
  { id: 'data', title: 'Data' },
  { id: 'model', title: 'Model' },
  { id: 'learn', title: 'Learn' },
  { id: 'compare', title: 'Compare' },
];

let lab: Lab;
let page: Page;

// A link with a tiny dataset and the embedded model: the page generates and loads them itself.
const SETUP = '?v=1&kind=reversal&preset=small&seed=7&facts=4&model=stories260K&dtype=fp32';

beforeAll(async () => {
  lab = await openLab();
  page = lab.page;
  // Installed first: a service worker still precaching competes with the model load for the 2 cores.
  await waitForServiceWorker(page);
  await page.goto(lab.app.url + SETUP);
  await page.getByRole('article', { name: 'Loaded model', includeHidden: true }).waitFor({ state: 'attached', timeout: 120_000 });
});
afterAll(async () => {
  await lab?.close();
});

const stepButton = (title: string) => page.getByRole('navigation', { name: 'Lab steps' }).getByRole('button', { name: new RegExp(title) });
const current = () => page.locator('nav[aria-label="Lab steps"] [aria-current=step] .title').innerText();

it('moves between the steps with the arrow keys, Home and End, and tabs from the current step into it', async () => {
  await stepButton('Data').focus();
  await page.keyboard.press('ArrowRight');
  expect(await current()).toBe('Model');
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('step-tab-model');
  await page.keyboard.press('End');
  expect(await current()).toBe('Compare');
  await page.keyboard.press('ArrowRight');
  expect(await current()).toBe('Data');
  await page.keyboard.press('ArrowLeft');
  expect(await current()).toBe('Compare');
  await page.keyboard.press('Home');
  expect(await current()).toBe('Data');
  // Only the current step is a Tab stop: the next Tab leaves the step list.
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => document.activeElement?.closest('nav[aria-label="Lab steps"]') === null)).toBe(true);
  // Focus is visible: the focused control draws an outline.
  expect(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)).not.toBe('none');
});

it('fits every step in 1280x720, light and dark, and writes their screenshots', async () => {
  await stepButton('Learn').click();
  await page.locator('input[name=condition][value=icl]').setChecked(false);
  await page.getByRole('button', { name: 'Run base' }).click();
  await page.getByRole('region', { name: 'Runs' }).locator('tbody tr').waitFor({ timeout: 60_000 });

  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const step of STEPS) {
      await stepButton(step.title).click();
      await page.locator(`#step-${step.id} h2`).first().waitFor();
      const fit = await page.evaluate(() => {
        const nav = document.querySelector('nav[aria-label="Lab steps"]')!;
        const header = document.querySelector('header')!;
        return {
          pageWidth: document.documentElement.scrollWidth,
          stepsHidden: nav.scrollWidth - nav.clientWidth,
          headerHeight: header.getBoundingClientRect().height,
        };
      });
      expect(fit.pageWidth, `${step.id}: page wider than the screen`).toBeLessThanOrEqual(1280);
      expect(fit.stepsHidden, `${step.id}: steps cut off`).toBe(0);
      expect(fit.headerHeight, `${step.id}: header too tall`).toBeLessThan(90);
      await page.screenshot({ path: join(SCREENSHOTS, `layout-${step.id}-${scheme}.png`) });
    }
  }
  // The toggle overrides the system setting and is remembered.
  await page.emulateMedia({ colorScheme: 'light' });
  await page.getByRole('group', { name: 'Color theme' }).getByText('Dark').click();
  await page.reload();
  expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
  expect(await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor)).toBe('rgb(21, 23, 26)');
  expect(lab.errors).toEqual([]);
});
