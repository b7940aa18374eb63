/**
 * Experiment bundles through the page (built app, chromium): an experiment exported from Saved in one
 * browser profile imports into a fresh profile and Compare shows the same results; a corrupted bundle
 * fails with one clear line and leaves the store as it was; a result with unscored items says so in Compare.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { exportBundle } from '../../src/experiment/bundle.ts';
import { openFolderStore } from '../../src/store/folder-store.ts';
import { entries, madeRecords } from '../store/records.ts';
import { SCREENSHOTS, barTitles, experimentLink, launchChromium, runDemo, serveApp, watchErrors, type Served } from './harness.ts';

let app: Served;
beforeAll(async () => {
  app = await serveApp();
});
afterAll(async () => {
  await app?.close();
});

const CHART = /^Accuracy per split over seeds/;

async function openSaved(page: Page) {
  await page.getByRole('button', { name: 'Saved', exact: true }).click();
  return page.getByRole('dialog', { name: 'Saved experiments' });
}

it('exports a bundle that a fresh profile imports with identical results, and refuses a corrupted one', async () => {
  const source = await launchChromium();
  let text: string;
  let titles: string[];
  try {
    const page = await source.context.newPage();
    await page.goto(experimentLink(app, { conditions: ['base', 'icl', 'ft'], train: { epochs: 2 } }, 'kind=reversal&preset=small&seed=1&facts=4&linesPerFact=2'));
    await runDemo(page, 120_000);
    titles = await barTitles(page, CHART);
    // One seed: each whisker is the exact interval for this dataset, and the hover says so.
    for (const title of titles) expect(title).toMatch(/: \d+\.\d%, 95% CI \d+–\d+% for this dataset \(1 seed of \d+ items\)$/);
    const saved = await openSaved(page);
    const [download] = await Promise.all([page.waitForEvent('download'), saved.getByRole('button', { name: 'Export' }).first().click()]);
    text = readFileSync((await download.path())!, 'utf8');
    expect(download.suggestedFilename()).toMatch(/^demo-simple-reversals-[0-9a-f]{8}\.glon-bundle\.json$/);
  } finally {
    await source.close();
  }

  const fresh = await launchChromium();
  try {
    const page = await fresh.context.newPage();
    const errors = watchErrors(page);
    await page.goto(app.url);
    const saved = await openSaved(page);
    await expect.poll(() => saved.innerText(), { timeout: 10_000 }).toMatch(/No experiments saved yet/);
    const file = saved.locator('input[type=file]');

    const corrupt = text.replace('"format": "glon.result/2"', '"format": "glon.result/1"');
    await file.setInputFiles({ name: 'corrupt.json', mimeType: 'application/json', buffer: Buffer.from(corrupt) });
    const alert = saved.getByRole('alert');
    expect(await alert.innerText()).toBe('corrupt.json: invalid bundle: results[0].result: not a glon result: expected "format": "glon.result/2"');
    await expect.poll(() => saved.innerText()).toMatch(/No experiments saved yet/);
    await page.screenshot({ path: join(SCREENSHOTS, 'bundle-import-error.png') });

    await file.setInputFiles({ name: 'demo.json', mimeType: 'application/json', buffer: Buffer.from(text) });
    await page.locator('#step-compare').getByRole('article', { name: /^Experiment / }).waitFor({ timeout: 30_000 });
    expect(await barTitles(page, CHART)).toEqual(titles);
    await page.screenshot({ path: join(SCREENSHOTS, 'bundle-imported.png') });
    const list = await openSaved(page);
    expect(await list.getByTestId('experiment-status').allInnerTexts()).toEqual(['done']);
    expect(errors).toEqual([]);
  } finally {
    await fresh.close();
  }
});

it('shows how many items of an imported result could not be scored', async () => {
  const records = await madeRecords(1);
  const result = records.results.result;
  for (const item of result.items.filter((i) => i.split === 'reversal'))
    Object.assign(item, { logprobs: item.logprobs.map(() => null), normalized: item.normalized.map(() => null), chosen: null, chosenNormalized: null, unscored: true });
  Object.assign(result.splits.reversal, { unscored: result.splits.reversal.n, correct: 0, accuracy: 0 });
  const dir = mkdtempSync(join(tmpdir(), 'glon-unscored-'));
  let text: string;
  try {
    const store = await openFolderStore(dir);
    await store.putMany(entries(records));
    text = await exportBundle(store, records.experiments.key);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const browser = await launchChromium();
  try {
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    await page.goto(app.url);
    const saved = await openSaved(page);
    await saved.locator('input[type=file]').setInputFiles({ name: 'unscored.json', mimeType: 'application/json', buffer: Buffer.from(text) });
    const note = page.locator('#step-compare').getByTestId('unscored');
    await note.waitFor({ timeout: 30_000 });
    expect(await note.innerText()).toContain(`seed 1 ft+oracle on reversal: ${result.splits.reversal.n} of ${result.splits.reversal.n} items could not be scored`);
    expect(await note.innerText()).not.toContain('memorization');
    expect(errors).toEqual([]);
  } finally {
    await browser.close();
  }
});
