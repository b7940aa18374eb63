/**
 * The Model, Learn and Compare steps in a real browser (built app, chromium): load the embedded
 * stories260K in the lab's worker over WASM and over WebGPU (SwiftShader), run base and ICL on a small
 * reversal dataset, and read the bars and an item's log-probs. The page must show what the core computes
 * in Node for the same dataset and model.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { generateDataset } from '../../src/data/generate.ts';
import { evaluate } from '../../src/eval/evaluate.ts';
import type { EvalResult } from '../../src/eval/result.ts';
import { loadModelNode } from '../../src/runtime/load-node.ts';
import { formatBytes } from '../../src/ui/units.ts';
import { MODELS_DIR } from '../models-dir.ts';
import { SCREENSHOTS, launchChromium, serveApp, watchErrors, type Browser, type Served } from './harness.ts';

const SMALL = { kind: 'reversal', seed: 7, preset: 'small' } as const;
// SwiftShader emulates the GPU on the CPU: a few facts prove the WebGPU path without taking minutes.
const TINY = { ...SMALL, params: { facts: 4 } } as const;
// Big enough (800 test items) that a run is still going when Cancel is pressed.
const LARGE = { ...SMALL, preset: 'paper', params: { facts: 400 } } as const;
const CONDITIONS = ['base', 'icl'] as const;
type Condition = (typeof CONDITIONS)[number];

// The app serves a models folder of its own: stories260K and a copy whose ONNX file is cut short.
const SERVED_MODELS = mkdtempSync(join(tmpdir(), 'glon-lab-models-'));
const BROKEN = 'broken-model';
cpSync(join(MODELS_DIR, 'stories260K'), join(SERVED_MODELS, 'stories260K'), { recursive: true });
cpSync(join(MODELS_DIR, 'stories260K'), join(SERVED_MODELS, BROKEN), { recursive: true, filter: (src) => !src.includes('onnx') });
mkdirSync(join(SERVED_MODELS, BROKEN, 'onnx'));
writeFileSync(join(SERVED_MODELS, BROKEN, 'onnx/model.onnx'), readFileSync(join(MODELS_DIR, 'stories260K/onnx/model.onnx')).subarray(0, 4096));
process.env.GLON_MODELS_DIR = SERVED_MODELS;

let app: Served;
const small = generateDataset(SMALL);
const tiny = generateDataset(TINY);
/** What the core computes in Node for each dataset and condition, stories260K fp32, plain template, the dataset's seed (the page's one seed). */
const expected = new Map<object, Record<Condition, EvalResult>>();

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  app = await serveApp();
  const model = await loadModelNode({ model: join(MODELS_DIR, 'stories260K'), dtype: 'fp32' });
  for (const dataset of [small, tiny]) {
    const run = (condition: Condition) => evaluate(dataset, model, { condition, template: 'plain', seed: dataset.seed });
    expected.set(dataset, { base: await run('base'), icl: await run('icl') });
  }
  await model.dispose();
});
afterAll(async () => {
  await app?.close();
  rmSync(SERVED_MODELS, { recursive: true, force: true });
});

const step = (page: Page, name: string) => page.getByRole('navigation', { name: 'Lab steps' }).getByRole('button', { name: new RegExp(name) }).click();

async function loadEmbedded(page: Page, dtype: 'fp32' | 'q8') {
  await step(page, 'Model');
  await page.locator(`input[name=dtype][value=${dtype}]`).check();
  await page.getByRole('button', { name: 'Load stories260K' }).click();
  await page.getByRole('article', { name: 'Loaded model' }).waitFor({ timeout: 60_000 });
}

async function generateOnPage(page: Page, spec: { preset: 'small' | 'paper'; params?: Record<string, number> }) {
  await step(page, 'Data');
  await page.locator(`input[name=kind][value=${SMALL.kind}]`).check();
  await page.locator(`input[name=preset][value=${spec.preset}]`).check();
  await page.locator('#step-data').getByLabel('Seed', { exact: true }).fill(String(SMALL.seed));
  for (const [name, value] of Object.entries(spec.params ?? {})) {
    const details = page.locator('details', { has: page.locator(`#param-${name}`) });
    if ((await details.getAttribute('open')) === null) await details.locator('summary').click();
    await page.locator(`#param-${name}`).fill(String(value));
  }
  await page.getByRole('button', { name: 'Generate dataset' }).click();
  await page.getByRole('button', { name: 'Generate dataset', disabled: false }).waitFor();
}

/** Screenshots show the step's side panel from its top, as a student arriving there sees it. */
async function screenshot(page: Page, name: string) {
  for (const aside of await page.locator('aside:visible').all()) await aside.evaluate((el) => el.scrollTo(0, 0));
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

/** In Learn: ticks exactly `conditions`, runs them and waits until they are done. */
async function run(page: Page, conditions: readonly string[]) {
  await step(page, 'Learn');
  for (const condition of CONDITIONS) await page.locator(`input[name=condition][value=${condition}]`).setChecked(conditions.includes(condition));
  const runButton = page.getByRole('button', { name: `Run ${conditions.join(' and ')}` });
  await runButton.click();
  const rows = page.getByRole('region', { name: 'Runs' }).locator('tbody tr');
  await expect.poll(() => rows.count(), { timeout: 120_000 }).toBe(conditions.length);
  await runButton.waitFor();
}

/** The tooltip of every bar, which states its run, split, count and interval. */
function barTitles(page: Page): Promise<string[]> {
  return page.getByRole('region', { name: 'Accuracy chart' }).locator('g[aria-label="bar"] rect title').allTextContents();
}

function expectedTitles(dataset: object, rule: 'acc' | 'acc_norm', conditions: readonly Condition[]): string[] {
  return conditions.flatMap((condition) =>
    Object.entries(expected.get(dataset)![condition].splits).map(([split, s]) => {
      const t = rule === 'acc' ? s : s.normalized;
      return `${condition} on ${split}: ${t.correct} of ${s.n} correct (${(t.accuracy * 100).toFixed(1)}%), 95% CI ${(t.ci[0] * 100).toFixed(0)}–${(t.ci[1] * 100).toFixed(0)}%`;
    }),
  );
}

describe('over WASM (no GPU adapter)', () => {
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    browser = await launchChromium();
    page = await browser.context.newPage();
    errors = watchErrors(page);
    await page.goto(app.url);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('offers the local models and their dtypes, names a corrupt file, falls back to stories260K offline and loads it with byte progress', async () => {
    await step(page, 'Model');
    await expect.poll(() => page.getByTestId('device').innerText(), { timeout: 15_000 }).toMatch(/^Runs on WASM/);
    expect(await page.locator('input[name=model]:checked').getAttribute('value')).toBe('stories260K');
    expect(await page.getByRole('note').innerText()).toMatch(/SmolLM2-135M-Instruct.*not in this app's models\/ folder.*stories260K/s);
    expect(await page.getByLabel('Hub model id').isDisabled()).toBe(true);
    // Allowing the network makes the default come from the hub; forbidding it again falls back.
    const checkedModel = () => page.locator('input[name=model]:checked').getAttribute('value');
    await page.getByLabel('Allow network').check();
    expect(await checkedModel()).toBe('hub');
    expect(await page.getByLabel('Hub model id').inputValue()).toBe('HuggingFaceTB/SmolLM2-135M-Instruct');
    expect(await page.getByLabel('Hub model id').isDisabled()).toBe(false);
    await page.getByLabel('Allow network').uncheck();
    expect(await checkedModel()).toBe('stories260K');
    expect(await page.locator('input[name=model]').evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value))).toEqual([
      BROKEN,
      'stories260K',
      'hub',
    ]);
    expect(await page.locator('input[name=dtype]').evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value))).toEqual(['fp32', 'q8']);

    // A corrupt file is named in one line, and nothing stays loaded.
    await page.locator(`input[name=model][value=${BROKEN}]`).check();
    expect(await page.locator('input[name=dtype]').evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value))).toEqual(['fp32']);
    await page.getByRole('button', { name: `Load ${BROKEN}` }).click();
    const alert = page.getByRole('region', { name: 'Model status' }).getByRole('alert');
    expect(await alert.innerText({ timeout: 30_000 })).toMatch(new RegExp(`^${BROKEN}: onnx/model.onnx cannot be loaded by ONNX Runtime: [^\n]+$`));
    expect(await page.getByRole('article', { name: 'Loaded model' }).count()).toBe(0);
    await screenshot(page, 'model-step-error');
    await page.locator('input[name=model][value=stories260K]').check();

    await loadEmbedded(page, 'fp32');
    expect(await page.getByTestId('loaded-device').innerText()).toBe('WASM (CPU)');
    const size = formatBytes(statSync(join(MODELS_DIR, 'stories260K/onnx/model.onnx')).size);
    const files = await page.getByRole('region', { name: 'Model files' }).innerText();
    expect(files).toContain('onnx/model.onnx');
    expect(files).toContain(`${size} / ${size}`);
    expect(await page.getByRole('navigation', { name: 'Lab steps' }).innerText()).toContain('stories260K · fp32 · WASM');
    await screenshot(page, 'model-step-loaded');
  });

  it('runs base and ICL on a reversal dataset in the worker, with the accuracies Node computes', async () => {
    await generateOnPage(page, SMALL);
    await run(page, CONDITIONS);
    const rows = page.getByRole('region', { name: 'Runs' }).locator('tbody tr');
    expect(await rows.count()).toBe(2);
    const icl = expected.get(small)!.icl;
    expect(await rows.nth(1).innerText()).toContain(`${icl.context.tokens} tokens`);
    await screenshot(page, 'learn-step-runs');

    await step(page, 'Compare');
    expect((await barTitles(page)).sort()).toEqual(expectedTitles(small, 'acc', CONDITIONS).sort());
    const chart = page.getByRole('region', { name: 'Accuracy chart' });
    // A dashed chance line per split, named once in the legend (never a label drawn over the bars).
    expect(await chart.locator('[stroke-dasharray="6 4"] line').count()).toBe(Object.keys(icl.splits).length);
    expect(await chart.getByRole('list', { name: 'Legend' }).innerText()).toMatch(/chance$/);
    await screenshot(page, 'compare-step');
    await page.locator('input[name=rule][value=acc_norm]').check();
    expect((await barTitles(page)).sort()).toEqual(expectedTitles(small, 'acc_norm', CONDITIONS).sort());
    await page.locator('input[name=rule][value=acc]').check();
  });

  it("shows each option's log-prob and per-character score under every run, and the documents behind the item", async () => {
    const item = small.test.find((t) => t.split === 'reversal')!;
    const inspector = page.getByRole('region', { name: 'Item inspector' });
    await inspector.getByRole('button', { name: new RegExp(`^${item.id}: `) }).click();
    const detail = inspector.getByRole('article', { name: `Scores of ${item.id}` });
    // Options listed once, then a row per run with a cell per option: log-prob above, per character below.
    const options = detail.getByRole('list', { name: 'Options' }).locator('li');
    expect(await options.count()).toBe(item.options.length);
    for (const [o, option] of item.options.entries()) expect(await options.nth(o).locator('.option').getAttribute('title')).toBe(option);
    expect(await options.nth(item.answer).innerText()).toContain('✓ correct');
    const rows = detail.locator('tbody tr');
    expect(await rows.count()).toBe(CONDITIONS.length);
    for (const [r, condition] of CONDITIONS.entries()) {
      const scored = expected.get(small)![condition].items.find((i) => i.id === item.id)!;
      const row = rows.nth(r);
      expect(await row.locator('th').innerText()).toBe(condition);
      const logprobs = (await row.locator('td.num .lp').allInnerTexts()).map(Number);
      const perChar = (await row.locator('td.num .pc').allInnerTexts()).map(Number);
      logprobs.forEach((value, o) => expect(Math.abs(value - scored.logprobs[o]!)).toBeLessThanOrEqual(0.015));
      perChar.forEach((value, o) => expect(Math.abs(value - scored.normalized[o]!)).toBeLessThanOrEqual(0.0015));
      expect(logprobs).toHaveLength(item.options.length);
    }
    const text = await detail.innerText();
    expect(text).toContain('base: no training documents before the prompt');
    expect(text).toMatch(/icl: (all \d+|\d+ of \d+) training documents before the prompt/);
    for (const docId of item.derivation) expect(text).toContain(small.train.find((d) => d.id === docId)!.text);
    await detail.scrollIntoViewIfNeeded();
    await screenshot(page, 'compare-step-item');
  });

  it('cancels a run while the page stays responsive', async () => {
    await generateOnPage(page, LARGE);
    await step(page, 'Learn');
    // Base: scoring starts at once (an ICL run first tokenizes its long context for every option).
    await page.locator('input[name=condition][value=icl]').setChecked(false);
    await page.getByRole('button', { name: 'Run base' }).click();
    await page.getByRole('status', { name: 'Run progress' }).waitFor();
    // The main thread answers promptly while the worker scores.
    const frame = await page.evaluate(() => {
      const t0 = performance.now();
      return new Promise<number>((done) => requestAnimationFrame(() => done(performance.now() - t0)));
    });
    expect(frame).toBeLessThan(250);
    await page.getByRole('button', { name: 'Cancel run' }).click();
    expect(await page.getByRole('alert').innerText({ timeout: 5_000 })).toMatch(/^Run cancelled/);
    expect(await page.getByRole('button', { name: 'Run base' }).isEnabled()).toBe(true);
    expect(await page.getByRole('region', { name: 'Runs' }).locator('table').count()).toBe(0);
    await screenshot(page, 'learn-step-cancelled');
    expect(errors).toEqual([]);
  });
});

describe('over WebGPU (SwiftShader)', () => {
  it('names WebGPU as the device, loads stories260K and runs base on a few facts', async () => {
    const browser = await launchChromium({ webgpu: true });
    try {
      const page = await browser.context.newPage();
      const errors = watchErrors(page);
      await page.goto(app.url);
      await step(page, 'Model');
      // SwiftShader is a software adapter: the page picks WASM unless the student asks for WebGPU (device.test.ts).
      await page.locator('input[name=device][value=webgpu]').check();
      await expect.poll(() => page.getByTestId('device').innerText(), { timeout: 15_000 }).toMatch(/^Runs on WebGPU/);
      await loadEmbedded(page, 'fp32');
      expect(await page.getByTestId('loaded-device').innerText()).toBe('WebGPU');
      await screenshot(page, 'model-step-webgpu');
      await generateOnPage(page, TINY);
      await run(page, ['base']);
      await step(page, 'Compare');
      expect((await barTitles(page)).sort()).toEqual(expectedTitles(tiny, 'acc', ['base']).sort());
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
