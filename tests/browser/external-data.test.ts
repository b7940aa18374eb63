/**
 * A model whose weights live in external data, loaded in a real page (Vite dev server, chromium, WASM):
 * ONNX Runtime gets the data file through transformers.js (config.json's use_external_data_format) and
 * the jax-js engine fetches the same file (fetchEngineModel); both score as in Node. The fixture is
 * ONNX Runtime GenAI's builder output (fp16, contrib ops).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ViteDevServer } from 'vite';
import { startDevServer } from './dev-server.ts';
import { launchChromium, watchErrors } from './harness.ts';
import { loadModelNode } from '../../src/runtime/load-node.ts';
import type { OptionScore } from '../../src/model/language-model.ts';
import { startEngine } from '../../src/engine/backend.ts';
import { JaxLanguageModel } from '../../src/engine/jax-language-model.ts';
import { disposeEngineWeights } from '../../src/engine/llama.ts';
import { loadEngineModel } from '../../src/engine/load-node.ts';
import { EXPORTS_DIR, fixtureDir } from '../exported-fixtures.ts';

const ID = 'genai-tiny-llama-fp16';
const CONTEXT = 'Lily had a big red ball.\nTom liked to play with his dog in the park.\n\n';
const REQUESTS = [
  { prompt: 'Lily had a', options: [' big red ball.', ' small dog.'] },
  { prompt: 'Tom liked to play with his', options: [' dog in the park.', ' ball.'] },
];

/** In the page; a string, because Vitest would rewrite a dynamic import inside a function passed to page.evaluate. */
const IN_PAGE = `async ({ id, context, requests }) => {
  const { loadModel } = await import('/src/runtime/load.ts');
  const { ORT_WASM_PATHS } = await import('/src/runtime/ort-wasm-paths.ts');
  const { fetchEngineModel } = await import('/src/engine/load.ts');
  const { startEngine } = await import('/src/engine/backend.ts');
  const { JaxLanguageModel } = await import('/src/engine/jax-language-model.ts');
  const folder = '/models/';
  const model = await loadModel({ id, dtype: 'fp16', localModelPath: folder, allowRemote: false, wasmPaths: ORT_WASM_PATHS });
  const ort = await model.scoreItems(context, requests);
  await model.dispose();
  await startEngine('wasm');
  const engine = await fetchEngineModel((file) => fetch(folder + id + '/' + file), { id, dtype: 'fp16', localModelPath: folder });
  const jax = new JaxLanguageModel({ id, device: 'wasm', dtype: 'fp16', weights: engine.weights, tokenizer: engine.tokenizer });
  const ours = await jax.scoreItems(context, requests);
  await jax.dispose();
  return { device: model.device, ort, jax: ours };
}`;

function expectClose(actual: OptionScore[][], expected: OptionScore[][], bound: number): void {
  actual.forEach((row, r) =>
    row.forEach((score, o) => {
      expect(score.tokens).toBe(expected[r][o].tokens);
      expect(Math.abs(score.logprob - expected[r][o].logprob)).toBeLessThanOrEqual(bound);
    }),
  );
}

describe('external data in the browser', () => {
  let server: ViteDevServer;
  let base: string;
  let nodeOrt: OptionScore[][];
  let nodeJax: OptionScore[][];

  beforeAll(async () => {
    // The dev server serves this folder at /models/ (vite/serve-models.ts), 404s included, as the app does.
    process.env.GLON_MODELS_DIR = EXPORTS_DIR;
    ({ server, base } = await startDevServer());
    const model = await loadModelNode({ model: fixtureDir(ID), dtype: 'fp16' });
    nodeOrt = await model.scoreItems(CONTEXT, REQUESTS);
    await model.dispose();
    await startEngine('wasm');
    const engine = await loadEngineModel(fixtureDir(ID), 'fp16');
    const jax = new JaxLanguageModel({ id: ID, device: 'wasm', dtype: 'fp16', weights: engine.weights, tokenizer: engine.tokenizer });
    nodeJax = await jax.scoreItems(CONTEXT, REQUESTS);
    await jax.dispose();
    disposeEngineWeights(engine.weights);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('ONNX Runtime and the jax-js engine read the data file in the page and score as in Node', async () => {
    const browser = await launchChromium({ webgpu: false });
    try {
      const page = await browser.context.newPage();
      const errors = watchErrors(page);
      await page.goto(base);
      const run = await page.evaluate(`(${IN_PAGE})(${JSON.stringify({ id: ID, context: CONTEXT, requests: REQUESTS })})`);
      const { device, ort, jax } = run as { device: string; ort: OptionScore[][]; jax: OptionScore[][] };
      expect(device).toBe('wasm');
      // fp16 kernels of ONNX Runtime's WASM and CPU builds may round differently; the engine computes in float32 on both.
      expectClose(ort, nodeOrt, 1e-2);
      expectClose(jax, nodeJax, 1e-4);
      // The browser logs the 404 of each optional file transformers.js asks for (generation_config.json...).
      expect(errors.filter((e) => !e.includes('status of 404'))).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
