/**
 * The lab at every screen size it is made for (a phone at 390x844, a projector at 1280x720, a monitor at
 * 1920x1080) and in presentation mode: every step written to tests/screenshots/ to be looked at, nothing
 * wider than the screen, a run's result in view when it finishes, the steps reachable from the keyboard.
 */
import { readFileSync } from 'node:fs';
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
const PHONE = { width: 390, height: 844 };
const PROJECTOR = { width: 1280, height: 720 };
const MONITOR = { width: 1920, height: 1080 };
const SIZES = [PHONE, PROJECTOR, MONITOR];

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
const name = (size: { width: number; height: number }) => `${size.width}x${size.height}`;

async function openStep(id: string, title: string) {
  await stepButton(title).click();
  await page.locator(`#step-${id} h2`).first().waitFor();
}

/** How far the page reaches past the screen's right edge (0 when nothing does). */
const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

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

it('leads from Data to Model with a button, and makes each test item one Tab stop however many facts it cites', async () => {
  await openStep('data', 'Data');
  const item = page.getByRole('article', { name: /^Test item / }).first();
  await page.getByRole('tab', { name: /^reversal/ }).click();
  const facts = item.locator('.doc-link');
  expect(await facts.count()).toBeGreaterThan(1);
  expect(await item.locator('.doc-link[tabindex="0"]').count()).toBe(1);
  await facts.first().focus();
  await page.keyboard.press('ArrowDown');
  expect(await facts.nth(1).evaluate((el) => el === document.activeElement)).toBe(true);
  await page.getByRole('button', { name: 'Continue to Model →' }).click();
  expect(await current()).toBe('Model');
});

it("brings a Learn run's result into view when it finishes, at every size", async () => {
  const runs = page.getByRole('region', { name: 'Runs' }).locator('tbody tr');
  const fineTune = page.getByRole('region', { name: 'Fine-tune (LoRA)' });
  // Four runs on the one dataset (its seed is the page's one seed): Compare then has four columns of scores to fit.
  const plan = [
    { size: PHONE, condition: 'base', button: 'Run base' },
    { size: PROJECTOR, condition: 'icl', button: 'Run icl' },
    { size: MONITOR, condition: 'ft', button: 'Fine-tune and run ft' },
    { size: PHONE, condition: 'ft-split', button: 'Fine-tune and run ft-split' },
  ];
  for (const [done, { size, condition, button }] of plan.entries()) {
    await page.setViewportSize(size);
    await openStep('learn', 'Learn');
    for (const c of ['base', 'icl']) await page.locator(`input[name=condition][value=${c}]`).setChecked(c === condition);
    if (condition.startsWith('ft')) {
      await fineTune.getByLabel('Epochs').fill('1');
      await fineTune.locator(`input[name=ft-condition][value=${condition}]`).check();
    }
    // Scrolled to the top first: the run button is on screen, its result (on a phone, far below) is not.
    await page.evaluate(() => document.querySelectorAll('#step-learn *').forEach((el) => el.scrollTo?.(0, 0)));
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.getByRole('button', { name: button }).click();
    await expect.poll(() => runs.count(), { timeout: 90_000 }).toBe(done + 1);
    await page.getByRole('button', { name: button }).waitFor();
    const row = runs.last();
    await expect
      .poll(() => row.evaluate((el) => {
        const box = el.getBoundingClientRect();
        return box.top >= 0 && box.bottom <= window.innerHeight;
      }), { timeout: 5_000 })
      .toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, `learn-result-${name(size)}-${condition}.png`) });
  }
});

it('fits every step at 390x844, 1280x720 and 1920x1080, the inspector with four runs too, and writes their screenshots', async () => {
  for (const size of SIZES) {
    await page.setViewportSize(size);
    for (const step of STEPS) {
      await openStep(step.id, step.title);
      expect(await overflow(), `${step.id} at ${name(size)}: page wider than the screen`).toBeLessThanOrEqual(0);
      if (size !== PHONE) {
        const fit = await page.evaluate(() => {
          const nav = document.querySelector('nav[aria-label="Lab steps"]')!;
          return { stepsHidden: nav.scrollWidth - nav.clientWidth, headerHeight: document.querySelector('header')!.getBoundingClientRect().height };
        });
        expect(fit.stepsHidden, `${step.id} at ${name(size)}: steps cut off`).toBe(0);
        expect(fit.headerHeight, `${step.id} at ${name(size)}: header too tall`).toBeLessThan(90);
      }
      await page.screenshot({ path: join(SCREENSHOTS, `size-${name(size)}-${step.id}.png`) });
    }
    // The item inspector, with a column of scores per run, stays inside its pane.
    const inspector = page.getByRole('region', { name: 'Item inspector' });
    const detail = inspector.getByRole('article', { name: /^Scores of / });
    expect(await detail.locator('tbody tr').count()).toBe(4);
    const fits = await inspector.evaluate((el) => {
      const pane = el.closest('.compare-step')!.getBoundingClientRect();
      const inner = [...el.querySelectorAll('*')].map((child) => child.getBoundingClientRect().right);
      return { widest: Math.max(...inner), right: pane.right, scroll: el.scrollWidth - el.clientWidth };
    });
    expect(fits.widest, `inspector at ${name(size)}`).toBeLessThanOrEqual(fits.right);
    expect(fits.scroll).toBeLessThanOrEqual(0);
    await detail.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, `size-${name(size)}-inspector.png`) });
  }
  await page.setViewportSize(PROJECTOR);
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const step of STEPS) {
      await openStep(step.id, step.title);
      await page.screenshot({ path: join(SCREENSHOTS, `layout-${step.id}-${scheme}.png`) });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
});

it("explains its terms in a glossary, and shows the paper's finding as the paper's", async () => {
  await openStep('compare', 'Compare');
  const compare = page.locator('#step-compare');
  await compare.getByRole('button', { name: 'Glossary' }).click();
  const glossary = compare.getByRole('dialog', { name: 'Glossary' });
  await glossary.waitFor();
  for (const term of ['ICL', 'LoRA', 'ft-split', 'chance', 'ceiling', 'acc_norm', 'nats']) expect(await glossary.innerText()).toContain(term);
  await page.keyboard.press('Escape');
  expect(await glossary.isVisible()).toBe(false);
  const paper = compare.getByRole('complementary', { name: 'What the paper found' });
  expect(await paper.innerText()).toMatch(/^What the paper found \(Lampinen et al\. 2025.*not data from this lab\)\s+On simple reversals/);
});

it('downloads the Compare chart as SVG and PNG with its caption', async () => {
  await openStep('compare', 'Compare');
  const chart = page.getByRole('region', { name: 'Accuracy chart' });
  const [svgFile] = await Promise.all([page.waitForEvent('download'), chart.getByRole('button', { name: 'Download SVG' }).click()]);
  const svg = readFileSync((await svgFile.path())!, 'utf8');
  expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  for (const words of ['reversal dataset (small), seed 7', 'stories260K (fp32)', 'conditions: base', 'chance']) expect(svg).toContain(words);
  expect(svg).toContain('aria-label="bar"');
  // The chart takes its container's width, which need not be a whole number of pixels.
  const width = Number(/^<svg[^>]* width="([\d.]+)"/.exec(svg)![1]);
  const [pngFile] = await Promise.all([page.waitForEvent('download'), chart.getByRole('button', { name: 'Download PNG' }).click()]);
  const png = readFileSync((await pngFile.path())!);
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(png.readUInt32BE(16)).toBe(Math.floor(2 * width)); // the IHDR width: twice the figure (a canvas has whole pixels), sharp on a slide
  expect(pngFile.suggestedFilename()).toBe('glon-reversal-seed7-runs.png');
  await pngFile.saveAs(join(SCREENSHOTS, 'figure-export.png')); // to be looked at, as a slide shows it
});

it('presents: large chart type with no settings on screen, stepped by the keyboard, and opens so from ?present=1', async () => {
  await page.getByRole('button', { name: 'Present' }).click();
  expect(page.url()).toMatch(/[?&]present=1/);
  for (const size of [PROJECTOR, MONITOR]) {
    await page.setViewportSize(size);
    await page.locator('main').click({ position: { x: 5, y: 5 } }); // focus off any control
    await page.keyboard.press('PageUp');
    await page.keyboard.press('PageUp');
    await page.keyboard.press('PageUp');
    expect(await current()).toBe('Data');
    for (const [i, step] of STEPS.entries()) {
      if (i > 0) await page.keyboard.press('PageDown');
      expect(await current()).toBe(step.title);
      expect(await overflow(), `${step.id} presented at ${name(size)}`).toBeLessThanOrEqual(0);
      expect(await page.locator(`#step-${step.id} .two-pane > aside`).isVisible()).toBe(false);
      await page.screenshot({ path: join(SCREENSHOTS, `present-${name(size)}-${step.id}.png`) });
    }
    expect(await page.getByRole('button', { name: 'Copy link' }).isVisible()).toBe(false);
  }
  await page.setViewportSize(PROJECTOR);
  const smallest = await page.evaluate(() => {
    const texts = [...document.querySelectorAll('#step-compare .accuracy-chart :is(svg text, .legend li)')];
    return Math.min(...texts.map((el) => parseFloat(getComputedStyle(el).fontSize)));
  });
  expect(smallest).toBeGreaterThanOrEqual(20);
  await page.reload();
  expect(await page.evaluate(() => document.documentElement.hasAttribute('data-present'))).toBe(true);
  await page.getByRole('button', { name: 'Exit presentation' }).click();
  expect(page.url()).not.toMatch(/present=1/);
});

it('remembers the color theme over the system setting, and ran without errors', async () => {
  await page.getByRole('group', { name: 'Color theme' }).getByText('Dark').click();
  await page.reload();
  expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
  expect(await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor)).toBe('rgb(21, 23, 26)');
  expect(lab.errors).toEqual([]);
});
