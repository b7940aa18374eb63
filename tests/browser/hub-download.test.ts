/**
 * The page's hub path end to end (built app, chromium, WASM), against tests/hub/mock-hub.ts serving the real
 * stories260K under a hub id: with "Allow network" and the hub address pointed at the mock, Load downloads
 * every file with per-file progress, survives a connection dropped mid-file (the page resumes it with a
 * Range request), loads the model, and the Model step says what the context probe found. Then, with the network off, the
 * mock and the app's server gone, a reload lists the downloaded model, loads it from this browser's cache,
 * scores it and fine-tunes it. No request ever leaves for another host.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { MODELS_DIR } from '../models-dir.ts';
import { startMockHub, type MockHub } from '../hub/mock-hub.ts';
import { launchChromium, serveApp, waitForServiceWorker, watchErrors, type Browser, type Served } from './harness.ts';

const ID = 'glon-test/stories260K';
/** A recommended model's id, served with stories260K's files: the download's mechanics are what is tested. */
const RECOMMENDED_ID = 'HuggingFaceTB/SmolLM2-135M-Instruct';
const SOURCE = join(MODELS_DIR, 'stories260K');
const PROBE = /^Can it use context\? It does not use facts in context: expect ICL = base \([+-]\d+ points, within chance: \d+\/16 right with the facts in context, \d+\/16 without; one-sided exact McNemar p = [\d.]+, not below 0\.05\)\.\nRule: "uses" when/;

let hub: MockHub | undefined;
let app: Served | undefined;
let browser: Browser;
let page: Page;
let errors: string[];
/** Requests to any host other than the app and the mock hub. */
const elsewhere: string[] = [];

beforeAll(async () => {
  hub = await startMockHub({ [ID]: SOURCE, [RECOMMENDED_ID]: SOURCE });
  app = await serveApp();
  browser = await launchChromium();
  page = await browser.context.newPage();
  errors = watchErrors(page);
  const allowed = [new URL(app.url).origin, hub.endpoint];
  browser.context.on('request', (request) => {
    const url = request.url();
    if (!allowed.some((origin) => url.startsWith(origin)) && !/^(data|blob|chrome-extension):/.test(url)) elsewhere.push(url);
  });
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await hub?.close();
});

const step = (name: string) => page.getByRole('navigation', { name: 'Lab steps' }).getByRole('button', { name: new RegExp(name) }).click();
const loadedCard = () => page.getByRole('article', { name: 'Loaded model' });

it('offers the recommended models once the network is allowed, and cancels a download', async () => {
  await page.goto(app!.url);
  await waitForServiceWorker(page); // the app itself must be cached for the offline half
  await step('Model');
  expect(await page.getByRole('region', { name: 'Recommended models' }).count()).toBe(0);
  await page.getByLabel('Allow network: download from the hub').check();
  const recommended = page.getByRole('region', { name: 'Recommended models' });
  const items = await recommended.getByRole('listitem').allInnerTexts();
  expect(items.map((text) => text.split('\n')[0])).toEqual(['SmolLM2-135M-Instruct', 'SmolLM2-360M-Instruct', 'Qwen2.5-0.5B-Instruct']);
  expect(items[0]).toContain('q8 128 MiB · q4 80 MiB · fp16 257 MiB · fp32 513 MiB');
  expect(items[0]).toMatch(/~5\.0 ICL items\/s/);
  expect(await recommended.innerText()).toContain('Estimated, not measured');
  const address = recommended.getByLabel('Hub address');
  expect(await address.inputValue()).toBe('https://huggingface.co');
  await address.fill(hub!.endpoint);
  await address.press('Enter');

  hub!.delayMs = 1000; // 64 KiB a second: time to press Cancel
  await recommended.getByRole('listitem', { name: 'SmolLM2-135M-Instruct' }).getByRole('button', { name: 'Download 128 MiB and load' }).click();
  await page.getByRole('progressbar', { name: 'onnx/model_quantized.onnx loaded' }).waitFor({ timeout: 60_000 });
  await page.getByRole('button', { name: 'Cancel loading' }).click();
  await page.getByText('Loading cancelled; no model is loaded.').waitFor({ timeout: 30_000 });
  hub!.delayMs = 0;
  // Nothing half-downloaded counts as a model of this browser.
  expect(await page.locator('label.choice', { hasText: RECOMMENDED_ID }).count()).toBe(0);
  expect(errors).toEqual([]);
});

it('says how to get a model the hub refuses: the page sends no token, so through the CLI', async () => {
  await page.locator('input[name=model][value=hub]').check();
  await page.getByLabel('Hub model id').fill('nobody/nothing');
  await page.locator('input[name=dtype][value=fp32]').check();
  await page.getByRole('button', { name: 'Load nothing' }).click();
  expect(await page.getByRole('region', { name: 'Model status' }).getByRole('alert').innerText({ timeout: 60_000 })).toContain(
    `model nobody/nothing not found on ${hub!.endpoint}, or it is gated or private (download it into this app's models/ folder with npm run models:fetch -- nobody/nothing and HF_TOKEN set)`,
  );
  expect(await loadedCard().count()).toBe(0);
});

it('downloads a model from the hub with progress per file, resumes a dropped connection, and probes it', async () => {
  await page.locator('input[name=model][value=hub]').check();
  await page.getByLabel('Hub model id').fill(ID);
  await page.locator('input[name=dtype][value=fp32]').check();
  hub!.breakNext(ID, 'onnx/model.onnx');
  hub!.delayMs = 20;
  hub!.log = [];
  await page.getByRole('button', { name: 'Load stories260K' }).click();
  // Progress while it downloads: a bar for the model file, part-way.
  const modelBar = page.getByRole('progressbar', { name: 'onnx/model.onnx loaded' });
  await modelBar.waitFor({ timeout: 60_000 });
  await loadedCard().waitFor({ timeout: 120_000 });
  hub!.delayMs = 0;

  // Every file once whole, with its true size; the model file after one cut, resumed where it stopped.
  const files = page.getByRole('region', { name: 'Model files' });
  const rows = await files.locator('li').allInnerTexts();
  for (const file of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx']) {
    expect(rows.some((row) => row.startsWith(file)), `${file} in ${rows.join(' | ')}`).toBe(true);
  }
  expect(Number(await modelBar.getAttribute('value'))).toBe(statSync(join(SOURCE, 'onnx/model.onnx')).size);
  const modelGets = hub!.log.filter((r) => r.method === 'GET' && r.url.endsWith('/onnx/model.onnx'));
  const resumed = modelGets.map((r) => r.range).filter((range) => range !== undefined);
  expect(resumed).toHaveLength(2); // the redirect and the CDN, both asked for the rest only
  const from = Number(resumed[0]!.match(/^bytes=(\d+)-$/)![1]);
  expect(from).toBeGreaterThan(0);
  expect(from).toBeLessThan(statSync(join(SOURCE, 'onnx/model.onnx')).size);

  expect(await loadedCard().innerText()).toContain('Hugging Face hub');
  await expect.poll(() => page.getByTestId('context-probe').innerText(), { timeout: 60_000 }).toMatch(PROBE);
  expect(errors).toEqual([]);
});

it('lists the downloaded model after a reload with the network off, then loads, scores and fine-tunes it', async () => {
  await browser.context.setOffline(true);
  await hub!.close();
  hub = undefined;
  const url = app!.url;
  await app!.close();
  app = undefined;
  await page.goto(url);
  await page.getByTestId('offline').waitFor({ timeout: 60_000 });

  await step('Model');
  const downloaded = page.locator('label.choice', { hasText: ID });
  await downloaded.waitFor({ timeout: 60_000 });
  expect(await downloaded.innerText()).toMatch(/downloaded from http:\/\/127\.0\.0\.1:\d+ · fp32/);
  await downloaded.locator('input[name=model]').check();
  await page.locator('input[name=dtype][value=fp32]').check();
  await page.getByRole('button', { name: 'Load stories260K' }).click();
  await loadedCard().waitFor({ timeout: 120_000 });
  await expect.poll(() => page.getByTestId('context-probe').innerText(), { timeout: 60_000 }).toMatch(PROBE);

  await step('Data');
  await page.locator('input[name=kind][value=reversal]').check();
  await page.locator('input[name=preset][value=small]').check();
  await page.getByRole('button', { name: 'Generate dataset' }).click();
  await page.getByRole('button', { name: 'Generate dataset', disabled: false }).waitFor();

  await step('Learn');
  await page.locator('input[name=condition][value=icl]').setChecked(false);
  await page.getByRole('button', { name: 'Run base' }).click();
  const runs = page.getByRole('region', { name: 'Runs' }).locator('tbody tr');
  await expect.poll(() => runs.count(), { timeout: 60_000 }).toBe(1);
  const panel = page.getByRole('region', { name: 'Fine-tune (LoRA)' });
  await panel.getByLabel('Epochs').fill('2');
  await panel.getByRole('button', { name: 'Fine-tune and run ft' }).click();
  await expect.poll(() => runs.count(), { timeout: 180_000 }).toBe(2);
  expect(await runs.nth(1).innerText()).toMatch(/\bft\b/);
  const [first, last] = (await panel.getByTestId('loss-range').innerText()).match(/\d+\.\d+/g)!.map(Number);
  expect(last).toBeLessThan(first);

  expect(errors).toEqual([]);
  expect(elsewhere).toEqual([]);
});
