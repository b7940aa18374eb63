/**
 * The same jitted LoRA steps on jax-js's WebGPU backend (Dawn in Node over SwiftShader, the CPU Vulkan
 * driver Debian's chromium ships) give the losses WASM gives: the browser's GPU code path, in CI.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MODELS_DIR } from '../models-dir.ts';
import type { TrainParams } from '../../src/train/settings.ts';
import { installDawnOnSwiftShader } from '../../src/engine/webgpu-node.ts';

// jax-js must see navigator.gpu when it initializes, so it is imported only after the Dawn globals exist.
beforeAll(async () => {
  await installDawnOnSwiftShader();
  const { init } = await import('@jax-js/jax');
  expect(await init('wasm', 'webgpu')).toEqual(expect.arrayContaining(['wasm', 'webgpu']));
});

/** Losses of the same training run on each device. */
async function lossesPerDevice(modelDir: string, documents: number, params: Partial<TrainParams>): Promise<Record<string, number[]>> {
  const { defaultDevice } = await import('@jax-js/jax');
  const { generateDataset } = await import('../../src/data/generate.ts');
  const { tokenizeExamples } = await import('../../src/train/batches.ts');
  const { loadEngineModel } = await import('../../src/engine/load-node.ts');
  const { disposeEngineWeights } = await import('../../src/engine/llama.ts');
  const { trainLora } = await import('../../src/train/trainer.ts');
  const { TRAIN_DEFAULTS } = await import('../../src/train/settings.ts');
  const dataset = generateDataset({ kind: 'reversal', seed: 0, preset: 'small', params: {} });
  const losses: Record<string, number[]> = {};
  for (const device of ['wasm', 'webgpu'] as const) {
    defaultDevice(device);
    const model = await loadEngineModel(modelDir, 'fp32');
    const examples = tokenizeExamples(dataset.train.slice(0, documents).map((d) => ({ text: d.text })), model.tokenizer, 512);
    losses[device] = (await trainLora(model.weights, examples, { ...TRAIN_DEFAULTS, epochs: 1, ...params })).losses;
    disposeEngineWeights(model.weights);
  }
  return losses;
}

function expectSameLosses(losses: Record<string, number[]>, steps: number): void {
  expect(losses.webgpu).toHaveLength(steps);
  losses.webgpu.forEach((loss, i) => expect(Math.abs(loss - losses.wasm[i]), `step ${i + 1}`).toBeLessThan(1e-3));
  // The steps did train: the loss moved.
  expect(Math.abs(losses.wasm[steps - 1] - losses.wasm[0])).toBeGreaterThan(0.01);
}

describe('LoRA training on WebGPU', () => {
  it('stories260K: three steps give the WASM losses within 1e-3', async () => {
    expectSameLosses(await lossesPerDevice(join(MODELS_DIR, 'stories260K'), 24, {}), 3);
  }, 600_000);

  it('a 2-layer SmolLM2-135M-shaped model: three steps give the WASM losses within 1e-3', async () => {
    // The folder the parity test checks against ONNX Runtime (built once, see made-model.ts).
    const { madeModel } = await import('../made-model.ts');
    const dir = await madeModel('smollm2-135m', 2, 3, ['fp32', 'q8']);
    expectSameLosses(await lossesPerDevice(dir, 6, { batchSize: 2, learningRate: 0.05 }), 3);
  }, 900_000);
});
