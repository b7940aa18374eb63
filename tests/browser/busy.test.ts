/**
 * One busy state for the whole page (src/ui/busy.svelte.ts, kept by the worker client): while a Fine-tune
 * run holds the worker, every button that would start another run there — the header's Demo, the Learn
 * step's Run, the Model step's Load — is off, and the Model step says why; all come back once it ends.
 * The run is paused while the buttons are read, so nothing here depends on how fast it trains.
 */
import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { loadStoriesAndReversal, openLab, openStep } from './harness.ts';

it('turns off every other run while a fine-tuning run holds the worker, and says why in the Model step', async () => {
  const lab = await openLab();
  try {
    await offWhileTraining(lab.page);
    expect(lab.errors).toEqual([]);
  } finally {
    await lab.close();
  }
});

async function offWhileTraining(page: Page): Promise<void> {
  await loadStoriesAndReversal(page, 3);
  const demo = page.getByRole('button', { name: 'Demo', exact: true });
  const load = page.getByRole('button', { name: 'Load stories260K' });
  const runBase = page.getByRole('button', { name: /^Run base/ });
  expect(await demo.isEnabled()).toBe(true);
  await openStep(page, 'Model');
  expect(await load.isEnabled()).toBe(true);

  await openStep(page, 'Learn');
  const panel = page.getByRole('region', { name: 'Fine-tune (LoRA)' });
  await panel.getByRole('button', { name: 'Fine-tune and run ft' }).click();
  await expect.poll(async () => Number(await page.getByTestId('train-step').innerText()), { timeout: 60_000 }).toBeGreaterThanOrEqual(1);
  await panel.getByRole('button', { name: 'Pause' }).click();
  await panel.getByRole('button', { name: 'Resume' }).waitFor();

  expect(await demo.isDisabled()).toBe(true);
  expect(await runBase.isDisabled()).toBe(true);
  await openStep(page, 'Model');
  expect(await load.isDisabled()).toBe(true);
  expect(await page.getByTestId('load-waits').innerText()).toBe('Busy: a run is going; load another model when it ends.');

  await openStep(page, 'Learn');
  await panel.getByRole('button', { name: 'Cancel training' }).click();
  await panel.getByRole('alert').waitFor({ timeout: 60_000 });
  expect(await demo.isEnabled()).toBe(true);
  expect(await runBase.isEnabled()).toBe(true);
  await openStep(page, 'Model');
  expect(await load.isEnabled()).toBe(true);
  expect(await page.getByTestId('load-waits').count()).toBe(0);
}
