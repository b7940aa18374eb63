/**
 * The Learn step asks before a fine-tuning run estimated to take longer than the limit
 * (src/train/settings.ts): declining starts nothing; confirming starts it. An experiment asks the same.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { experimentLink, loadStoriesAndReversal, openLab, openStep, type Lab } from './harness.ts';

let lab: Lab;
let page: Page;

beforeAll(async () => {
  lab = await openLab();
  ({ page } = lab);
});
afterAll(async () => {
  await lab?.close();
});

it('asks before a run estimated over 30 minutes, and starts it only when confirmed', async () => {
  await loadStoriesAndReversal(page, undefined, 'paper');
  await openStep(page, 'Learn');
  const panel = page.getByRole('region', { name: 'Fine-tune (LoRA)' });
  // 1,000 documents at batch 32 for 1,000 epochs: 32,000 steps, over half an hour on WASM (src/train/estimate.ts).
  await panel.getByLabel('Epochs').fill('1000');
  await panel.getByLabel('Batch').fill('32');

  const asked: string[] = [];
  page.once('dialog', (dialog) => (asked.push(dialog.message()), dialog.dismiss()));
  await panel.getByRole('button', { name: 'Fine-tune and run ft' }).click();
  await expect.poll(() => asked.length, { timeout: 60_000 }).toBe(1);
  expect(asked[0]).toMatch(/^this training run is estimated to take about \d+ minutes \(32000 steps\), over the 30-minute limit: confirm \(OK\) to start it anyway, or use fewer epochs$/);
  await expect.poll(() => panel.getByRole('alert').innerText()).toMatch(/over the 30-minute limit/);
  expect(await panel.getByTestId('train-step').count()).toBe(0);

  page.once('dialog', (dialog) => dialog.accept());
  await panel.getByRole('button', { name: 'Fine-tune and run ft' }).click();
  await expect.poll(() => panel.getByTestId('train-step').count(), { timeout: 90_000 }).toBe(1);
  await panel.getByRole('button', { name: 'Cancel training' }).click();
  await panel.getByRole('button', { name: 'Fine-tune and run ft' }).waitFor({ timeout: 90_000 });
});

it('asks the same before an experiment (here the Demo) whose training is estimated over 30 minutes', async () => {
  await page.goto(experimentLink(lab.app, { conditions: ['base', 'ft'], train: { epochs: 1000, batchSize: 32 } }, 'kind=reversal&preset=paper&seed=1'));
  const asked: string[] = [];
  page.once('dialog', (dialog) => (asked.push(dialog.message()), dialog.dismiss()));
  await page.getByRole('button', { name: 'Demo', exact: true }).click();
  await expect.poll(() => asked.length, { timeout: 180_000 }).toBe(1);
  expect(asked[0]).toMatch(/^this training run is estimated to take about \d+ minutes \(32000 steps\), over the 30-minute limit: confirm \(OK\)/);
  await page.getByRole('button', { name: 'Demo', exact: true, disabled: false }).waitFor({ timeout: 60_000 });
  await expect.poll(() => page.getByText(/over the 30-minute limit/).count()).toBeGreaterThan(0);
});
