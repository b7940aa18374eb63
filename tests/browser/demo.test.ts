/**
 * The header's Demo in the built app (chromium): it loads stories260K, runs DEMO_EXPERIMENT end to end
 * with a progress bar per stage and opens Compare on it; a second Demo takes every piece from the cache
 * and says so. Over WASM with the Demo as shipped, and over WebGPU (SwiftShader, which emulates the GPU on
 * the CPU) with a shorter Demo set by the page's link.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { DEMO_EXPERIMENT } from '../../src/experiment/canonical.ts';
import { SCREENSHOTS, barTitles, experimentLink, launchChromium, runDemo, serveApp, watchErrors, type Served } from './harness.ts';

let app: Served;
beforeAll(async () => {
  app = await serveApp();
});
afterAll(async () => {
  await app?.close();
});

const CHART = /^Accuracy per split over seeds, demo/;

const stepButton = (page: Page, title: string) => page.getByRole('navigation', { name: 'Lab steps' }).getByRole('button', { name: new RegExp(title) });

/** Whether an element's top edge is on screen (a chart is "in view" once it starts there). */
const inView = (element: Locator) => element.evaluate((el) => {
  const box = el.getBoundingClientRect();
  return box.top >= 0 && box.top < window.innerHeight - 100;
});
const SHORT = { train: { epochs: 2 }, augment: { local: { samples: 1 } } };

it('runs the Demo over WASM, then again entirely from the cache', async () => {
  const browser = await launchChromium();
  try {
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    // The Demo as shipped takes minutes on 2 cores (see the report); a link makes it shorter for CI with
    // every stage kept: a smaller dataset of the Demo's kind, fewer epochs, one local sample per sentence.
    await page.goto(experimentLink(app, SHORT, 'kind=reversal&preset=small&seed=1&facts=4&linesPerFact=2'));
    // The student's own choice first: the 8-bit weights, which the Demo's experiment does not name.
    await stepButton(page, 'Model').click();
    await page.locator('input[name=dtype][value=q8]').check();
    await page.getByRole('button', { name: 'Load stories260K' }).click();
    await page.getByRole('article', { name: 'Loaded model' }).waitFor({ timeout: 60_000 });
    const first = await runDemo(page, 180_000);
    console.log(`demo over WASM: ${first.toFixed(1)} s`);

    const compare = page.locator('#step-compare');
    expect(await stepButton(page, 'Model').innerText()).toMatch(/stories260K · fp32 · WASM/);
    // The swap is said, not silent, and the Model step shows the model that is loaded now.
    expect(await compare.getByTestId('run-note').innerText()).toBe(
      'Demo loaded stories260K (fp32), the model its experiment names, in place of stories260K (q8) chosen in Model.',
    );
    expect(await inView(compare.getByRole('article', { name: /^Experiment / }).first())).toBe(true);
    const titles = await barTitles(page, CHART);
    for (const condition of DEMO_EXPERIMENT.conditions) expect(titles.some((t) => t.startsWith(`${condition} `)), condition).toBe(true);
    expect(titles.some((t) => t.startsWith('ft+oracle (ceiling) on '))).toBe(true);
    // An adapter is reused when two conditions train on the same examples (local may keep no sentence).
    expect(await compare.getByTestId('run-outcome').innerText()).toMatch(/^Demo: done in [\d.]+ s\. 5 results; [01] of \d+ pieces came from the cache\.$/);
    expect(await compare.getByTestId('results-from-cache').innerText()).toBe('Every result was computed now.');
    await page.screenshot({ path: join(SCREENSHOTS, 'compare-demo.png') });
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(app.url).origin });
    await compare.getByRole('button', { name: 'Copy table as Markdown' }).click();
    await compare.getByText('Table copied as Markdown ✓').waitFor();
    const markdown = await page.evaluate(() => navigator.clipboard.readText());
    expect(markdown).toMatch(/^Accuracy over 1 seed \(1\)/);
    for (const condition of DEMO_EXPERIMENT.conditions) expect(markdown).toContain(condition);

    await stepButton(page, 'Model').click();
    expect(await page.locator('input[name=dtype][value=fp32]').isChecked()).toBe(true);
    expect(await page.getByRole('article', { name: 'Loaded model' }).innerText()).toMatch(/Weights\s+fp32/);
    expect(await page.getByRole('region', { name: 'Model files' }).count()).toBe(0); // the q8 load's files are gone
    await page.screenshot({ path: join(SCREENSHOTS, 'model-after-demo.png') });

    // Compare scrolled to its end (below the inspector): the next Demo's chart still comes into view.
    await stepButton(page, 'Compare').click();
    await compare.locator('.compare-step').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    const second = await runDemo(page, 60_000);
    console.log(`second demo (cache): ${second.toFixed(1)} s`);
    expect(await compare.getByTestId('run-outcome').innerText()).toMatch(/^Demo: done in [\d.]+ s\. Every piece \(\d+\) came from the cache: nothing was computed again\.$/);
    expect(await compare.getByTestId('results-from-cache').innerText()).toBe(`All ${DEMO_EXPERIMENT.conditions.length} results came from the cache.`);
    expect(await barTitles(page, CHART)).toEqual(titles);
    expect(second).toBeLessThan(first / 2);
    expect(await inView(compare.getByRole('article', { name: /^Experiment / }).first())).toBe(true);
    expect(await compare.getByTestId('run-note').count()).toBe(0); // the model was the Demo's already

    // The Learn step's Augment panel reads the Demo's pieces too: the link's dataset is the Demo's seed 1,
    // so its local augmentation (same model, settings and seed) comes from the cache.
    await stepButton(page, 'Learn').click();
    await page.getByText('Augment: let the model write out').click(); // folded until asked for
    const augment = page.getByRole('region', { name: 'Augment' });
    await augment.getByLabel('Samples per sentence').fill(String(SHORT.augment.local.samples));
    await augment.getByRole('button', { name: 'Generate local augmentation' }).click();
    await expect.poll(() => augment.getByTestId('augment-summary').innerText()).toMatch(/^\d+ of \d+ sentences kept · from the cache$/);
    await augment.locator('input[name=augment-mode][value=oracle]').check();
    await augment.getByRole('button', { name: 'Write oracle sentences' }).click();
    const oracle = augment.getByTestId('augment-summary');
    await expect.poll(() => oracle.innerText()).toMatch(/^ceiling \d+ of \d+ sentences kept · from the cache$/);
    await augment.getByRole('checkbox').first().uncheck();
    expect(await oracle.innerText()).toMatch(/\(1 pruned by hand\)/);
    const ceiling = page.getByRole('region', { name: 'Fine-tune (LoRA)' }).locator('input[name=ft-condition][value="ft+oracle"]');
    expect(await ceiling.isEnabled()).toBe(true);
    await augment.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, 'learn-augment.png') });
    expect(errors).toEqual([]);
  } finally {
    await browser.close();
  }
});

it('runs a shorter Demo, set by the link, over WebGPU', async () => {
  const browser = await launchChromium({ webgpu: true });
  try {
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    // SwiftShader runs the GPU's work on the CPU: a few facts and one epoch prove the path in reasonable time.
    await page.goto(experimentLink(app, { conditions: ['base', 'ft'], train: { epochs: 1 } }, 'kind=reversal&preset=small&seed=1&facts=4&linesPerFact=2'));
    // SwiftShader is a software adapter: the page would pick WASM (device.test.ts); the Demo follows the student's pick.
    await stepButton(page, 'Model').click();
    await page.locator('input[name=device][value=webgpu]').check();
    const seconds = await runDemo(page, 240_000);
    console.log(`short demo over WebGPU (SwiftShader): ${seconds.toFixed(1)} s`);
    expect(await stepButton(page, 'Model').innerText()).toMatch(/stories260K · fp32 · WebGPU/);
    const titles = await barTitles(page, CHART);
    expect([...new Set(titles.map((t) => t.split(' on ')[0]))]).toEqual(['base', 'ft']);
    expect(await page.locator('#step-compare').getByRole('article').first().innerText()).toMatch(/1 epochs/);
    expect(errors).toEqual([]);
  } finally {
    await browser.close();
  }
});
