/**
 * Fine-tuning in the Learn step (built app, chromium, WASM): load stories260K, generate a small reversal
 * dataset, train a LoRA adapter in the lab's worker for a few epochs with a pause in the middle, and see
 * the loss fall and the ft bars beside base in Compare; then cancel a second run, which keeps its
 * checkpoint and scores nothing, and press it again: it resumes there and runs to the end. Last, a dataset no generator makes
 * (an edited file, imported) is scored too, stored by its content hash.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { serializeDataset } from '../../src/data/format.ts';
import { generateDataset } from '../../src/data/generate.ts';
import { sha256Hex } from '../../src/util/hash.ts';
import { SCREENSHOTS, loadStoriesAndReversal, openLab, openStep, storeCount, type Lab } from './harness.ts';

const EPOCHS = 3;
/** Long enough that the run is still going at its first checkpoint (about 5 s of estimated work: ~218 steps here). */
const CANCELLED_EPOCHS = 30;
let lab: Lab;
let page: Page;
let errors: string[];

beforeAll(async () => {
  lab = await openLab();
  ({ page, errors } = lab);
});
afterAll(async () => {
  await lab?.close();
});

const step = (name: string) => openStep(page, name);
const stepNumber = async () => Number(await page.getByTestId('train-step').innerText());
let stepsPerEpoch = 0;
/** Steps of a run of `epochs` on the first test's dataset. */
const totalOf = (epochs: number) => stepsPerEpoch * epochs;

it('trains a LoRA adapter on WASM with pause and resume, and shows ft beside base in Compare', async () => {
  await loadStoriesAndReversal(page, 7);

  await step('Learn');
  await page.locator('input[name=condition][value=icl]').setChecked(false);
  await page.getByRole('button', { name: 'Run base' }).click();
  const rows = page.getByRole('region', { name: 'Runs' }).locator('tbody tr');
  await expect.poll(() => rows.count(), { timeout: 60_000 }).toBe(1);

  const panel = page.getByRole('region', { name: 'Fine-tune (LoRA)' });
  expect(await panel.getByLabel('Rank').inputValue()).toBe('8');
  expect(await panel.locator('input[name=train-device][value=wasm]').isChecked()).toBe(true);
  expect(await panel.locator('input[name=train-device][value=webgpu]').isDisabled()).toBe(true);
  await panel.getByLabel('Epochs').fill(String(EPOCHS));
  await panel.getByRole('button', { name: 'Fine-tune and run ft' }).click();

  // Pause once a few steps are in, check that no step runs while paused, then resume.
  await expect.poll(stepNumber, { timeout: 60_000 }).toBeGreaterThanOrEqual(2);
  await panel.getByRole('button', { name: 'Pause' }).click();
  await panel.getByRole('button', { name: 'Resume' }).waitFor();
  await expect.poll(() => panel.getByRole('status').innerText()).toMatch(/^Paused/);
  const pausedAt = await stepNumber();
  await page.waitForTimeout(1500);
  expect(await stepNumber()).toBe(pausedAt);
  const total = Number((await panel.getByRole('status').innerText()).match(/step \d+ \/ (\d+)/)![1]);
  stepsPerEpoch = total / EPOCHS;
  expect(pausedAt).toBeLessThan(total);
  await page.evaluate(() => document.querySelector('aside')?.scrollTo(0, 0));
  await page.screenshot({ path: join(SCREENSHOTS, 'learn-step-train.png') });
  await panel.getByRole('button', { name: 'Resume' }).click();

  await expect.poll(() => rows.count(), { timeout: 90_000 }).toBe(2);
  expect(await rows.nth(1).innerText()).toContain(`adapter of step ${total} of ${total}`);
  const losses = await panel.getByRole('img', { name: 'Training loss per step' }).locator('path').count();
  expect(losses).toBeGreaterThan(0);
  const status = await panel.getByRole('status').innerText();
  expect(status).toMatch(new RegExp(`step ${total} / ${total} .* tokens/s .* done .* WASM`, 's'));
  const [first, last] = (await panel.getByTestId('loss-range').innerText()).match(/\d+\.\d+/g)!.map(Number);
  expect(last).toBeLessThan(first);

  await step('Compare');
  const titles = await page.getByRole('region', { name: 'Accuracy chart' }).locator('g[aria-label="bar"] rect title').allTextContents();
  expect(titles.some((t) => t.startsWith('ft on '))).toBe(true);
  expect(titles.some((t) => t.startsWith('base on '))).toBe(true);
  expect(errors).toEqual([]);
});

it('cancels a training run, keeping its checkpoint, and resumes it there when pressed again', async () => {
  await step('Learn');
  const panel = page.getByRole('region', { name: 'Fine-tune (LoRA)' });
  // Other settings than the first run's: a new adapter to train, not one from the cache.
  await panel.getByLabel('Epochs').fill(String(CANCELLED_EPOCHS));
  await panel.getByRole('button', { name: 'Fine-tune and run ft' }).click();
  await expect.poll(() => storeCount(page, 'checkpoints'), { timeout: 60_000 }).toBeGreaterThan(0);
  await panel.getByRole('button', { name: 'Cancel training' }).click();
  expect(await panel.getByRole('alert').innerText({ timeout: 60_000 })).toBe('Cancelled. Everything finished before it is saved; running it again resumes.');
  const rows = page.getByRole('region', { name: 'Runs' }).locator('tbody tr');
  expect(await rows.count()).toBe(2);
  expect(await rows.nth(1).innerText()).toContain(`adapter of step ${totalOf(EPOCHS)} of ${totalOf(EPOCHS)}`);

  await panel.getByRole('button', { name: 'Fine-tune and run ft' }).click();
  await expect.poll(() => rows.nth(1).innerText(), { timeout: 90_000 }).toContain(`adapter of step ${totalOf(CANCELLED_EPOCHS)} of ${totalOf(CANCELLED_EPOCHS)}`);
  expect(await rows.count()).toBe(2);
  // It went on from the checkpoint: the status and the loss chart count from the step after it.
  const [, resumedAt] = (await panel.getByRole('status').innerText()).match(/resumed at step (\d+)/)!;
  expect(Number(resumedAt)).toBeGreaterThan(1);
  expect(await panel.getByTestId('loss-range').innerText()).toMatch(new RegExp(`^loss \\d+\\.\\d+ at step ${resumedAt} → \\d+\\.\\d+ at step ${totalOf(CANCELLED_EPOCHS)}$`));
  expect(errors).toEqual([]);
});

it('scores an imported dataset that no generator makes, storing it by its content hash', async () => {
  const generated = generateDataset({ kind: 'reversal', seed: 7, preset: 'small' });
  const edited = { ...generated, train: generated.train.map((d, i) => (i === 0 ? { ...d, text: `${d.text} Really.` } : d)) };
  const text = serializeDataset(edited);
  await step('Data');
  await page.getByRole('region', { name: 'Save or load' }).locator('input[type=file]').setInputFiles({ name: 'edited.json', mimeType: 'application/json', buffer: Buffer.from(text) });
  await step('Learn');
  await page.locator('input[name=condition][value=icl]').setChecked(false);
  await page.getByRole('button', { name: 'Run base' }).click();
  const rows = page.getByRole('region', { name: 'Runs' }).locator('tbody tr');
  await expect.poll(() => rows.count(), { timeout: 60_000 }).toBe(1);
  const hash = await sha256Hex(text);
  const stored = await page.evaluate(
    () =>
      new Promise<{ datasets: string[]; specs: { dataset: { hash?: string } }[] }>((resolve, reject) => {
        const open = indexedDB.open('glon');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction(['datasets', 'experiments']);
          const datasets = tx.objectStore('datasets').getAllKeys();
          const experiments = tx.objectStore('experiments').getAll();
          tx.oncomplete = () => (open.result.close(), resolve({ datasets: datasets.result as string[], specs: experiments.result.map((r) => r.spec) }));
          tx.onerror = () => reject(tx.error);
        };
      }),
  );
  expect(stored.datasets).toContain(hash);
  expect(stored.specs.filter((spec) => spec.dataset.hash === hash)).toHaveLength(1);
  expect(errors).toEqual([]);
});
