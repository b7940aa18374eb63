/**
 * The model runtime core in a real page (Vite dev server, chromium): it loads stories260K from the app's
 * own /models/ folder without touching the network, picks WebGPU when an adapter exists and WASM when
 * not, and scores and generates exactly as in Node.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ViteDevServer } from 'vite';
import { MODELS_DIR } from '../models-dir.ts';
import { startDevServer } from './dev-server.ts';
import { launchChromium, watchErrors } from './harness.ts';
import { loadModelNode } from '../../src/runtime/load-node.ts';
import type { OptionScore } from '../../src/model/language-model.ts';

const CONTEXT = 'Lily had a big red ball.\nTom liked to play with his dog in the park.\n\n';
const REQUESTS = [
  { prompt: 'Lily had a', options: [' big red ball.', ' small dog.'] },
  { prompt: 'Tom liked to play with his', options: [' dog in the park.', ' ball.', ' cat.'] },
];

interface PageRun {
  device: string;
  scores: OptionScore[][];
  story: string;
  missing: string;
  requests: string[];
}

/**
 * Runs in the page: imports the core from the dev server and uses it as the UI will. A string, because
 * Vitest would rewrite a dynamic import inside a function passed to page.evaluate.
 */
const IN_PAGE = `async ({ context, requests: items, maxNewTokens, device }) => {
  const requests = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = (input, init) => {
    requests.push(String(input instanceof Request ? input.url : input));
    return realFetch(input, init);
  };
  const { loadModel } = await import('/src/runtime/load.ts');
  const { ORT_WASM_PATHS } = await import('/src/runtime/ort-wasm-paths.ts');
  const options = { localModelPath: '/models/', allowRemote: false, wasmPaths: ORT_WASM_PATHS, device };
  const model = await loadModel({ ...options, id: 'stories260K', dtype: 'fp32' });
  const scores = await model.scoreItems(context, items);
  const story = await model.generate('', { maxNewTokens });
  await model.dispose();
  const missing = await loadModel({ ...options, id: 'stories260K', dtype: 'q4' }).then(
    () => 'loaded',
    (err) => err.message,
  );
  return { device: model.device, scores, story, missing, requests };
}`;

describe('model runtime in the browser', () => {
  let server: ViteDevServer;
  let base: string;
  let expected: OptionScore[][];
  const reference = readFileSync(join(MODELS_DIR, 'stories260K/reference-greedy.txt'), 'utf8');

  beforeAll(async () => {
    ({ server, base } = await startDevServer());
    const model = await loadModelNode({ model: join(MODELS_DIR, 'stories260K'), dtype: 'fp32' });
    expected = await model.scoreItems(CONTEXT, REQUESTS);
    await model.dispose();
  });
  afterAll(async () => {
    await server?.close();
  });

  for (const webgpu of [false, true]) {
    it(`${webgpu ? 'WebGPU (SwiftShader)' : 'WASM (no GPU adapter)'}: loads offline, scores as in Node, generates the reference`, async () => {
      const browser = await launchChromium({ webgpu });
      try {
        const page = await browser.context.newPage();
        const errors = watchErrors(page);
        await page.goto(base);
        // SwiftShader emulates the GPU on the CPU: a short story proves the path without taking minutes.
        const maxNewTokens = webgpu ? 24 : 256;
        // The device is asked for: left to itself the page treats SwiftShader (a fallback adapter) as no GPU.
        const device = webgpu ? 'webgpu' : 'wasm';
        const run: PageRun = await page.evaluate(`(${IN_PAGE})(${JSON.stringify({ context: CONTEXT, requests: REQUESTS, maxNewTokens, device })})`);
        expect(run.device).toBe(device);
        run.scores.forEach((request, r) =>
          request.forEach((score, o) => {
            expect(score.tokens).toBe(expected[r][o].tokens);
            expect(Math.abs(score.logprob - expected[r][o].logprob)).toBeLessThanOrEqual(webgpu ? 1e-3 : 1e-4);
          }),
        );
        if (webgpu) expect(run.story.length).toBeGreaterThan(60);
        expect(reference.startsWith(run.story)).toBe(true);
        if (!webgpu) expect(`${run.story}\n`).toBe(reference);
        expect(run.missing).toBe('/models/stories260K: missing onnx/model_q4.onnx (dtype q4); available dtypes: fp32, q8');
        expect(run.requests.filter((url) => !url.startsWith(base) && !url.startsWith('/'))).toEqual([]);
        // The browser logs each 404 of the deliberate missing-dtype probes; nothing else may go wrong.
        expect(errors.filter((e) => !e.includes('status of 404'))).toEqual([]);
      } finally {
        await browser.close();
      }
    });
  }
});
