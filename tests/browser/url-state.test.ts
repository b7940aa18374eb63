/**
 * Shared links (src/ui/url-state.ts) in the built app: a link with dataset and model settings opens with
 * that dataset generated and the embedded model loaded; a malformed one opens with what it could use and
 * says, once, what it ignored; the address bar follows the student's changes without adding history.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { generateDataset } from '../../src/data/generate.ts';
import { openLab, type Lab } from './harness.ts';

let lab: Lab;
let page: Page;

beforeAll(async () => {
  lab = await openLab();
  page = lab.page;
});
afterAll(async () => {
  await lab?.close();
});

const stepButton = (title: string) => page.getByRole('navigation', { name: 'Lab steps' }).getByRole('button', { name: new RegExp(title) });
const search = () => page.evaluate(() => location.search);

it('restores the dataset and loads the embedded model a link names', async () => {
  const expected = generateDataset({ kind: 'syllogism', seed: 5, preset: 'small', params: { items: 12 } });
  await page.goto(`${lab.app.url}?v=1&kind=syllogism&preset=small&seed=5&items=12&model=stories260K&dtype=q8`);
  const pane = page.getByRole('region', { name: 'Dataset' });
  await expect.poll(() => pane.innerText()).toContain(`seed 5 · small preset · generated from the link`);
  expect(await pane.innerText()).toContain(`${expected.test.length}`);
  expect(await page.locator('input[name=kind]:checked').getAttribute('value')).toBe('syllogism');
  expect(await page.locator('#step-data').getByLabel('Seed', { exact: true }).inputValue()).toBe('5');
  expect(await page.locator('#param-items').inputValue()).toBe('12');
  // Loaded without a visit to the Model step: 450 kB served by the app itself.
  await page.getByRole('article', { name: 'Loaded model', includeHidden: true }).waitFor({ state: 'attached', timeout: 120_000 });
  expect(await page.getByRole('navigation', { name: 'Lab steps' }).innerText()).toContain('stories260K · q8');
  await stepButton('Model').click();
  expect(await page.locator('input[name=dtype]:checked').getAttribute('value')).toBe('q8');
  expect(await search()).toBe('?v=1&kind=syllogism&preset=small&seed=5&items=12&model=stories260K&dtype=q8');
  expect(await page.getByRole('status', { name: 'Link settings ignored' }).count()).toBe(0);
});

it('follows the student’s changes in the address bar without adding history entries', async () => {
  const entries = await page.evaluate(() => history.length);
  await stepButton('Data').click();
  await page.locator('#step-data').getByLabel('Seed', { exact: true }).fill('9');
  await page.getByRole('button', { name: 'Generate dataset' }).click();
  await expect.poll(search).toBe('?v=1&kind=syllogism&preset=small&seed=9&items=12&model=stories260K&dtype=q8');
  expect(await page.evaluate(() => history.length)).toBe(entries);
  await page.getByRole('button', { name: 'Copy link' }).click();
  await expect.poll(() => page.getByRole('button', { name: /Link copied/ }).count()).toBe(1);
});

it('opens a malformed link with what it could use, says what it ignored, and asks before a hub download', async () => {
  await page.goto(`${lab.app.url}?kind=reversal&seed=abc&facts=99999&colour=blue&model=HuggingFaceTB/SmolLM2-360M-Instruct&dtype=q9`);
  const notice = page.getByRole('status', { name: 'Link settings ignored' });
  const text = await notice.innerText();
  expect(text).toContain('seed "abc" (not a whole number)');
  expect(text).toMatch(/facts "99999" \(.*maximum/);
  expect(text).toContain('colour "blue" (reversal has no such parameter)');
  expect(text).toContain('dtype "q9" (not a dtype');
  // The valid part still stands: the reversal dataset with the default seed.
  await expect.poll(() => page.getByRole('region', { name: 'Dataset' }).innerText()).toContain('seed 0 · small preset · generated from the link');
  await stepButton('Model').click();
  expect(await page.getByTestId('link-model').innerText()).toMatch(/SmolLM2-360M-Instruct.*Hugging Face hub.*Allow network/s);
  expect(await page.getByRole('article', { name: 'Loaded model' }).count()).toBe(0);
  await page.getByLabel('Allow network').check();
  expect(await page.locator('input[name=model]:checked').getAttribute('value')).toBe('hub');
  expect(await page.getByLabel('Hub model id').inputValue()).toBe('HuggingFaceTB/SmolLM2-360M-Instruct');
  await notice.getByRole('button', { name: 'OK' }).click();
  expect(await notice.count()).toBe(0);
  expect(lab.errors).toEqual([]);
});
