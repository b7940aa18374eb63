/**
 * The Data step in a real browser: generate datasets of a few kinds, browse their documents and test
 * items, follow derivations, export, import (by file input and by drop) and refuse corrupt files. The page
 * must show exactly what the core generator makes in Node, byte for byte on export.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { countSplits, parseDataset, serializeDataset, type Dataset } from '../../src/data/format.ts';
import { generateDataset, kindDefinition, resolveParams, type DatasetSpec } from '../../src/data/generate.ts';
import { SCREENSHOTS, openLab, type Lab } from './harness.ts';

const PAGE_SIZE = 50; // entries a list shows before "Show more"

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

const importRegion = () => page.getByRole('region', { name: 'Save or load' });
const tab = (name: string | RegExp) => page.getByRole('tab', { name });
const datasetTitle = () => page.getByRole('region', { name: 'Dataset' }).getByRole('heading', { level: 2 });

async function setParam(name: string, value: string) {
  const details = page.locator('details', { has: page.locator(`#param-${name}`) });
  if ((await details.getAttribute('open')) === null) await details.locator('summary').click();
  await page.locator(`#param-${name}`).fill(value);
}

/** Presses Generate and waits until the page has finished generating. */
async function pressGenerate() {
  await page.getByRole('button', { name: 'Generate dataset' }).click();
  await page.getByRole('button', { name: 'Generate dataset', disabled: false }).waitFor();
}

/** Fills the form the way a student would and presses Generate. */
async function generateOnPage(spec: Required<Pick<DatasetSpec, 'kind' | 'seed'>> & { params?: Record<string, number> }) {
  await page.locator(`input[name=kind][value=${spec.kind}]`).check();
  await page.locator('input[name=preset][value=small]').check();
  await page.locator('#step-data').getByLabel('Seed', { exact: true }).fill(String(spec.seed));
  for (const [name, value] of Object.entries(spec.params ?? {})) await setParam(name, String(value));
  await pressGenerate();
}

async function exportFromPage(): Promise<{ name: string; text: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), importRegion().getByRole('button', { name: /^Export/ }).click()]);
  return { name: download.suggestedFilename(), text: readFileSync(await download.path(), 'utf8') };
}

async function importOnPage(name: string, text: string) {
  await importRegion().locator('input[type=file]').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(text) });
}

/** Screenshots show each pane from its top, or `visible` scrolled into view. */
async function screenshot(name: string, visible?: Locator) {
  for (const pane of [page.getByRole('complementary'), page.getByRole('region', { name: 'Dataset' })])
    await pane.evaluate((el) => el.scrollTo(0, 0));
  await visible?.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

function tabCount(locator: Locator): Promise<string> {
  return locator.locator('.count').innerText();
}

describe('the page', () => {
  it('is cross-origin isolated, so ONNX Runtime and jax-js can use threads', async () => {
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  });

  it('shows the four steps, starting at Data', async () => {
    const steps = page.getByRole('navigation', { name: 'Lab steps' }).getByRole('listitem');
    const names = (await steps.allInnerTexts()).map((text) => text.split('\n').find((line) => /[a-z]/i.test(line)));
    expect(names).toEqual(['Data', 'Model', 'Learn', 'Compare']);
    const buttons = steps.getByRole('button');
    await expect.poll(() => buttons.nth(0).getAttribute('aria-current')).toBe('step');
    for (const i of [1, 2, 3]) expect(await buttons.nth(i).getAttribute('aria-current')).toBeNull();
  });

  it('describes the chosen kind before anything is generated', async () => {
    const def = kindDefinition('syllogism');
    await page.locator('input[name=kind][value=syllogism]').check();
    const pane = page.getByRole('region', { name: 'Dataset' });
    expect(await pane.innerText()).toContain('No dataset yet');
    // One plain sentence first; the logic's own terms wait in a fold.
    expect(await pane.innerText()).toContain(def.summary);
    expect(await pane.innerText()).not.toContain(def.description);
    await pane.getByText("How it is built, in the logic's own terms").click();
    expect(await pane.innerText()).toContain(def.description);
    for (const info of Object.values(def.splits)) expect(await pane.innerText()).toContain(info.description);
    await screenshot('data-step-empty');
  });
});

describe.each([
  { kind: 'reversal', seed: 7 },
  { kind: 'hierarchy', seed: 3 },
])('generating a $kind dataset', ({ kind, seed }) => {
  const expected = generateDataset({ kind, seed, preset: 'small' });
  const def = kindDefinition(kind);

  beforeAll(async () => {
    await generateOnPage({ kind, seed });
  });

  it('shows its title, seed and totals', async () => {
    expect(await datasetTitle().innerText()).toBe(def.title);
    const pane = await page.getByRole('region', { name: 'Dataset' }).innerText();
    expect(pane).toContain(`seed ${seed} · small preset · generated on this page`);
  });

  it('lists the training documents the generator made, in order', async () => {
    await tab(/^Training documents/).click();
    expect(await tabCount(tab(/^Training documents/))).toBe(String(expected.train.length));
    const docs = page.getByRole('tabpanel').locator('li[id^="doc-"]');
    expect(await docs.count()).toBe(Math.min(PAGE_SIZE, expected.train.length));
    expect(await docs.first().innerText()).toContain(expected.train[0].text);
    expect(await docs.last().innerText()).toContain(expected.train[(await docs.count()) - 1].text);
    if (expected.train.length > PAGE_SIZE) {
      await page.getByRole('tabpanel').getByRole('button', { name: 'Show more' }).click();
      expect(await docs.count()).toBe(Math.min(2 * PAGE_SIZE, expected.train.length));
    }
  });

  it('groups the test items by split, with counts and the correct option marked', async () => {
    for (const [split, count] of countSplits(expected)) {
      const splitTab = tab(new RegExp(`^${split}`));
      expect(await tabCount(splitTab)).toBe(String(count));
      await splitTab.click();
      const panel = page.getByRole('tabpanel');
      expect(await panel.innerText()).toContain(def.splits[split].description);
      const items = panel.getByRole('article');
      expect(await items.count()).toBe(Math.min(PAGE_SIZE, count));
      const first = expected.test.find((t) => t.split === split)!;
      const card = panel.getByRole('article', { name: `Test item ${first.id}`, exact: true });
      expect(await card.innerText()).toContain(first.prompt);
      const marked = card.getByRole('listitem').filter({ hasText: '✓ correct' });
      expect(await marked.count()).toBe(1);
      expect(await marked.innerText()).toContain(first.options[first.answer]);
    }
    const generalization = [...countSplits(expected).keys()].find((s) => def.splits[s].generalization)!;
    await tab(new RegExp(`^${generalization}`)).click();
    await screenshot(`data-step-${kind}`);
  });

  it('follows a derivation to its training document and back', async () => {
    // Prefer a document past the first page of the list: the link must page it into view.
    const late = (id: string) => expected.train.findIndex((d) => d.id === id) >= PAGE_SIZE;
    const withDerivation = expected.test.filter((t) => t.derivation.length > 0);
    const item = withDerivation.find((t) => t.derivation.some(late)) ?? withDerivation[0];
    await tab(new RegExp(`^${item.split}`)).click();
    const docId = item.derivation.find(late) ?? item.derivation[0];
    await page.getByRole('article', { name: `Test item ${item.id}`, exact: true }).getByRole('button', { name: docId, exact: true }).click();
    expect(await tab(/^Training documents/).getAttribute('aria-selected')).toBe('true');
    const doc = page.locator(`[id="doc-${docId}"]`);
    await expect.poll(() => doc.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await doc.innerText()).toContain(expected.train.find((d) => d.id === docId)!.text);
    await doc.getByRole('button', { name: `← back to test item ${item.id}` }).click();
    expect(await tab(new RegExp(`^${item.split}`)).getAttribute('aria-selected')).toBe('true');
    const card = page.getByRole('article', { name: `Test item ${item.id}`, exact: true });
    await expect.poll(() => card.evaluate((el) => el === document.activeElement)).toBe(true);
  });

  it('exports exactly what the CLI writes', async () => {
    const file = await exportFromPage();
    expect(file.name).toBe(`glon-${kind}-${seed}.json`);
    expect(file.text).toBe(serializeDataset(expected));
  });
});

describe('parameters', () => {
  it('generates with a changed parameter', async () => {
    const def = kindDefinition('reversal');
    const preset = resolveParams(def, 'small');
    const spec = def.params.find((s) => s.type === 'int' && (s.max === undefined || (preset[s.name] as number) < s.max))!;
    const value = (preset[spec.name] as number) + 1;
    await generateOnPage({ kind: 'reversal', seed: 11, params: { [spec.name]: value } });
    const file = await exportFromPage();
    expect(file.text).toBe(serializeDataset(generateDataset({ kind: 'reversal', seed: 11, preset: 'small', params: { [spec.name]: value } })));
  });

  it('refuses an out-of-range value with the registry message and keeps the dataset', async () => {
    const def = kindDefinition('reversal');
    const spec = def.params.find((s) => s.type === 'int' && s.max !== undefined)!;
    await generateOnPage({ kind: 'reversal', seed: 12 });
    const before = await page.getByRole('region', { name: 'Dataset' }).innerText();
    await setParam(spec.name, String(spec.max! + 1));
    await pressGenerate();
    const message = (() => {
      try {
        generateDataset({ kind: 'reversal', seed: 12, preset: 'small', params: { [spec.name]: spec.max! + 1 } });
      } catch (err) {
        return (err as Error).message;
      }
    })();
    expect(message).toBeDefined();
    expect(await page.getByRole('alert').innerText()).toBe(message);
    expect(await page.getByRole('region', { name: 'Dataset' }).innerText()).toBe(before);
  });
});

describe('import', () => {
  let exported: { name: string; text: string };
  let original: Dataset;

  beforeAll(async () => {
    await generateOnPage({ kind: 'family', seed: 5 });
    exported = await exportFromPage();
    original = parseDataset(exported.text);
    await generateOnPage({ kind: 'syllogism', seed: 1 });
  });

  it('loads an exported file back, and the form shows how it was made', async () => {
    await importOnPage(exported.name, exported.text);
    await expect.poll(() => datasetTitle().innerText()).toBe(kindDefinition('family').title);
    const pane = await page.getByRole('region', { name: 'Dataset' }).innerText();
    expect(pane).toContain(`seed 5 · small preset · imported from ${exported.name}`);
    expect(await tabCount(tab(/^Training documents/))).toBe(String(original.train.length));
    expect(await page.locator('input[name=kind][value=family]').isChecked()).toBe(true);
    expect(await page.locator('#step-data').getByLabel('Seed', { exact: true }).inputValue()).toBe('5');
    // Generate from the restored form reproduces the file.
    await pressGenerate();
    expect((await exportFromPage()).text).toBe(exported.text);
  });

  it('refuses a corrupt file with one clear line and keeps the current dataset', async () => {
    const broken = JSON.parse(exported.text);
    broken.test[2].answer = 99;
    const brokenText = JSON.stringify(broken);
    const message = (() => {
      try {
        parseDataset(brokenText);
      } catch (err) {
        return (err as Error).message;
      }
    })();
    expect(message).toMatch(/^invalid dataset: test\[2\]\.answer/);
    const before = await page.getByRole('region', { name: 'Dataset' }).innerText();
    await importOnPage('broken.json', brokenText);
    const alert = importRegion().getByRole('alert');
    await expect.poll(() => alert.innerText()).toBe(`Could not import “broken.json”: ${message}`);
    expect(await page.getByRole('region', { name: 'Dataset' }).innerText()).toBe(before);
    await screenshot('data-step-import-error', alert);

    await importOnPage('notes.json', 'these are my notes');
    await expect.poll(() => alert.innerText()).toMatch(/^Could not import “notes\.json”: not JSON: /);
    expect(await page.getByRole('region', { name: 'Dataset' }).innerText()).toBe(before);
  });

  it('accepts a file dropped anywhere on the page', async () => {
    await generateOnPage({ kind: 'syllogism', seed: 2 });
    await page.evaluate(
      ({ name, text }) => {
        const data = new DataTransfer();
        data.items.add(new File([text], name, { type: 'application/json' }));
        const target = document.querySelector('h1')!;
        target.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
        target.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
      },
      exported,
    );
    await expect.poll(() => datasetTitle().innerText()).toBe(kindDefinition('family').title);
    expect(await page.getByRole('region', { name: 'Dataset' }).innerText()).toContain(`imported from ${exported.name}`);
  });
});

describe('keyboard and themes', () => {
  it('moves between tabs with the arrow keys', async () => {
    await generateOnPage({ kind: 'reversal', seed: 7 });
    await tab(/^Training documents/).focus();
    await page.keyboard.press('ArrowRight');
    const second = page.getByRole('tab').nth(1);
    expect(await second.getAttribute('aria-selected')).toBe('true');
    expect(await second.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('End');
    expect(await page.getByRole('tab').last().getAttribute('aria-selected')).toBe('true');
  });

  it('follows a dark color scheme', async () => {
    const background = () => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    await page.emulateMedia({ colorScheme: 'light' });
    const light = await background();
    await page.emulateMedia({ colorScheme: 'dark' });
    const dark = await background();
    expect(dark).not.toBe(light);
    const channels = dark.match(/\d+/g)!.slice(0, 3).map(Number);
    expect(Math.max(...channels)).toBeLessThan(64);
    await screenshot('data-step-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });
});

it('ran without uncaught errors or console errors', () => {
  expect(errors).toEqual([]);
});
