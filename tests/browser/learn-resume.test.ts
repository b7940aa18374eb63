/**
 * A Fine-tune press in the Learn step is a one-seed experiment (built app, chromium, WASM, stories260K):
 * reloaded mid-run, the page offers it for resume; resumed, it finishes from its checkpoint with the very
 * adapter bytes an uninterrupted run trains, and it is listed in Saved and exported as a bundle like any
 * experiment.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openLab, openStep, storeCount, type Lab } from './harness.ts';

let lab: Lab;
let page: Page;
let errors: string[];

// 8 documents (one batch an epoch), the model and dataset from the link: 450 short steps, with a
// checkpoint about every 5 s of estimated work (~218 steps here).
const EPOCHS = 450;
const link = (lab: Lab) => `${lab.app.url}?v=1&kind=reversal&preset=small&seed=3&facts=4&linesPerFact=2&model=stories260K&dtype=fp32`;

beforeAll(async () => {
  lab = await openLab();
  ({ page, errors } = lab);
});
afterAll(async () => {
  await lab?.close();
});

/** The adapters in the lab's IndexedDB, their safetensors bytes as base64, read with the raw API. */
function adapters(): Promise<{ key: string; weights: string }[]> {
  return page.evaluate(
    () =>
      new Promise<{ key: string; weights: string }[]>((resolve, reject) => {
        const open = indexedDB.open('glon');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const request = open.result.transaction('adapters').objectStore('adapters').getAll();
          request.onsuccess = () => {
            open.result.close();
            const base64 = (bytes: Uint8Array) => btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(''));
            resolve(request.result.map((record) => ({ key: record.key, weights: base64(record.weights) })));
          };
          request.onerror = () => reject(request.error);
        };
      }),
  );
}
const checkpoints = () => storeCount(page, 'checkpoints');

const panel = () => page.getByRole('region', { name: 'Fine-tune (LoRA)' });
const stepNumber = async () => Number(await panel().getByTestId('train-step').innerText());

async function openLearnReady() {
  // The link's model loads in the Model step (not on screen) by itself.
  await page.getByRole('article', { name: 'Loaded model', includeHidden: true }).waitFor({ state: 'attached', timeout: 60_000 });
  await openStep(page, 'Learn');
  await panel().getByLabel('Epochs').fill(String(EPOCHS));
}

it('offers a Fine-tune run reloaded mid-training for resume, and finishes it with the adapter an uninterrupted run trains', async () => {
  await page.goto(link(lab));
  await openLearnReady();
  await panel().getByRole('button', { name: 'Fine-tune and run ft' }).click();
  // Paused once a checkpoint is saved, so the reload comes mid-run whatever the machine's speed.
  await expect.poll(checkpoints, { timeout: 120_000 }).toBeGreaterThan(0);
  await panel().getByRole('button', { name: 'Pause' }).click();
  await expect.poll(() => panel().getByRole('status').innerText()).toMatch(/^Paused/);
  const stepAtReload = await stepNumber();
  expect(stepAtReload).toBeLessThan(EPOCHS);
  console.log(`reloading at step ${stepAtReload} of ${EPOCHS}`);
  await page.reload();

  const offer = page.getByRole('alertdialog', { name: 'Interrupted experiment' });
  expect(await offer.innerText({ timeout: 30_000 })).toMatch(/An experiment was interrupted.*“Simple reversals, seed 3: ft”, during seed 3: train ft/s);
  await offer.getByRole('button', { name: 'Resume' }).click();
  const resumedAt = page.getByRole('dialog', { name: 'Experiment run' }).getByTestId('resumed-at');
  const [, step] = (await resumedAt.innerText({ timeout: 120_000 })).match(/resumed at step (\d+)/)!;
  expect(Number(step)).toBeGreaterThan(1);
  await page.locator('#step-compare').getByRole('article', { name: /^Experiment / }).waitFor({ timeout: 240_000 });
  const resumed = await adapters();
  expect(resumed).toHaveLength(1);
  expect(await checkpoints()).toBe(0);

  // Saved lists it as done; its bundle carries that adapter.
  await page.getByRole('button', { name: 'Saved' }).click();
  const saved = page.getByRole('dialog', { name: 'Saved experiments' });
  const item = saved.getByRole('listitem').filter({ hasText: 'Simple reversals, seed 3: ft' });
  expect(await item.getByTestId('experiment-status').innerText()).toBe('done');
  const download = page.waitForEvent('download');
  await item.getByRole('button', { name: 'Export' }).click();
  const bundle = JSON.parse(readFileSync((await (await download).path())!, 'utf8')) as { format: string; adapters: { key: string; weights: string }[] };
  expect(bundle.format).toBe('glon.bundle/1');
  expect(bundle.adapters.map(({ key, weights }) => ({ key, weights }))).toEqual(resumed);

  // The same press again, uninterrupted, after the experiment and its pieces are deleted: the same bytes.
  await item.getByRole('button', { name: 'Delete' }).click();
  await expect.poll(() => adapters()).toEqual([]);
  await saved.getByRole('button', { name: 'Close saved experiments' }).click();
  await openLearnReady();
  await panel().getByRole('button', { name: 'Fine-tune and run ft' }).click();
  const rows = page.getByRole('region', { name: 'Runs' }).locator('tbody tr');
  await expect.poll(() => rows.count(), { timeout: 240_000 }).toBe(1);
  expect(await rows.first().innerText()).toContain(`adapter of step ${EPOCHS} of ${EPOCHS}`);
  expect(await adapters()).toEqual(resumed);

  // Pressed once more, everything comes from the cache.
  await panel().getByRole('button', { name: 'Fine-tune and run ft' }).click();
  expect(await panel().getByRole('alert').innerText({ timeout: 60_000 })).toBe('ft: from the cache (trained and scored before with these settings).');
  expect(errors).toEqual([]);
});
