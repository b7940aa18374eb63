/** The app serves its own model files and ONNX Runtime's WASM, in the build and in dev: nothing comes from a CDN. */
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { ORT_WASM_FILES, ORT_WASM_PATHS } from '../../src/runtime/ort-wasm-paths.ts';
import { MODELS_DIR } from '../models-dir.ts';
import { REPO, launchChromium, serveApp, type Browser, type Served } from './harness.ts';

const ortRequire = createRequire(createRequire(import.meta.url).resolve('@huggingface/transformers'));
const ortWasm = ortRequire.resolve(`onnxruntime-web/${ORT_WASM_FILES.wasm}`);
const modelConfig = JSON.parse(readFileSync(join(MODELS_DIR, 'stories260K/config.json'), 'utf8'));

interface Fetched {
  status: number;
  type: string | null;
  bytes: number;
  head: number[];
  text: string;
}

/** Fetches from inside the page, as the model runtime will. */
function fetchInPage(page: Page, path: string): Promise<Fetched> {
  return page.evaluate(async (url) => {
    const response = await fetch(url);
    const buffer = new Uint8Array(await response.arrayBuffer());
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      bytes: buffer.length,
      head: [...buffer.slice(0, 4)],
      text: buffer.length < 100_000 ? new TextDecoder().decode(buffer) : '',
    };
  }, path);
}

describe('the built app (vite preview)', () => {
  let app: Served;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    app = await serveApp();
    browser = await launchChromium();
    page = await browser.context.newPage();
    await page.goto(app.url);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('serves the models folder at /models/', async () => {
    const config = await fetchInPage(page, '/models/stories260K/config.json');
    expect(config.status).toBe(200);
    expect(config.type).toMatch(/^application\/json/);
    expect(JSON.parse(config.text)).toEqual(modelConfig);
    const onnx = await fetchInPage(page, '/models/stories260K/onnx/model_quantized.onnx');
    expect(onnx.bytes).toBe(statSync(join(MODELS_DIR, 'stories260K/onnx/model_quantized.onnx')).size);
  });

  it('answers a missing model file with 404, not the page', async () => {
    const missing = await fetchInPage(page, '/models/stories260K/onnx/model_fp16.onnx');
    expect(missing.status).toBe(404);
    expect(missing.text).not.toContain('<html');
  });

  it("serves ONNX Runtime's WASM files itself", async () => {
    const wasm = await fetchInPage(page, ORT_WASM_PATHS.wasm);
    expect(wasm.status).toBe(200);
    expect(wasm.type).toBe('application/wasm');
    expect(wasm.head).toEqual([0x00, 0x61, 0x73, 0x6d]); // "\0asm"
    expect(wasm.bytes).toBe(statSync(ortWasm).size);
    const mjs = await fetchInPage(page, ORT_WASM_PATHS.mjs);
    expect(mjs.status).toBe(200);
    expect(mjs.type).toMatch(/javascript/);
  });
});

describe('the dev server (vite)', () => {
  let server: ViteDevServer;
  let base: string;

  beforeAll(async () => {
    server = await createServer({ root: REPO, logLevel: 'warn', server: { host: '127.0.0.1', port: 0 } });
    await server.listen();
    const address = server.httpServer!.address();
    if (address === null || typeof address === 'string') throw new Error('vite did not listen on a TCP port');
    base = `http://127.0.0.1:${address.port}`;
  });
  afterAll(async () => {
    await server?.close();
  });

  it('serves the models folder and the ORT WASM files', async () => {
    const config = await fetch(`${base}/models/stories260K/config.json`);
    expect(config.status).toBe(200);
    expect(await config.json()).toEqual(modelConfig);
    expect((await fetch(`${base}/models/no-such-model/config.json`)).status).toBe(404);
    const wasm = await fetch(`${base}${ORT_WASM_PATHS.wasm}`);
    expect(wasm.status).toBe(200);
    expect(wasm.headers.get('content-type')).toBe('application/wasm');
    expect((await wasm.arrayBuffer()).byteLength).toBe(statSync(ortWasm).size);
  });

  it('sends the cross-origin isolation headers', async () => {
    const page = await fetch(`${base}/`);
    expect(page.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(page.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
  });
});
