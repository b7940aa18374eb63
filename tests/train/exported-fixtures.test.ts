/**
 * LoRA on real exporters' files: every variant's weights load into the jax-js engine and train. The first
 * step runs the base model (LoRA's B starts at zero), so its loss is the plain next-token loss of the
 * sequence: it must equal PyTorch's own (fp32) and ONNX Runtime's on the same file within the bounds
 * of that file's format, and a few steps must lower it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readOnnxWeights } from '../../src/onnx/onnx-weights.ts';
import { startEngine } from '../../src/engine/backend.ts';
import { disposeEngineWeights, loadEngineWeights } from '../../src/engine/llama.ts';
import { TRAIN_DEFAULTS } from '../../src/train/settings.ts';
import { trainLora } from '../../src/train/trainer.ts';
import {
  ENGINE_BOUND,
  TORCH_EXPORTS,
  VARIANTS,
  fixtureConfig,
  fixtureDir,
  ortLogits,
  referenceRun,
  type Variant,
} from '../exported-fixtures.ts';
import { nextTokenLogprobs } from '../logprobs.ts';

function meanLoss(logits: Float32Array, ids: readonly number[], vocab: number): number {
  const lp = nextTokenLogprobs(logits, ids, vocab);
  return -lp.reduce((a, b) => a + b, 0) / lp.length;
}

beforeAll(() => startEngine('wasm'));

describe.each(TORCH_EXPORTS)('%s exported by PyTorch, fine-tuned', (name) => {
  const config = fixtureConfig(name);
  const { ids, logits } = referenceRun(name);
  const torchLoss = meanLoss(logits, ids, config.vocabSize);

  it.each(Object.keys(VARIANTS) as Variant[])('%s: the first LoRA step has the base loss, and training lowers it', async (variant) => {
    const file = join(fixtureDir(name), VARIANTS[variant]);
    const weights = loadEngineWeights(config, readOnnxWeights(readFileSync(file), config));
    const params = { ...TRAIN_DEFAULTS, batchSize: 1, epochs: 6, warmup: 0 };
    const { losses } = await trainLora(weights, [{ ids, lossFrom: 1 }], params);
    disposeEngineWeights(weights);
    const ortLoss = meanLoss(await ortLogits(file, config, ids), ids, config.vocabSize);
    console.log(
      `${name} ${variant}: first step ${losses[0].toFixed(5)}, ORT ${ortLoss.toFixed(5)}, PyTorch fp32 ${torchLoss.toFixed(5)}, last ${losses.at(-1)!.toFixed(5)}`,
    );
    if (variant === 'fp32') expect(Math.abs(losses[0] - torchLoss)).toBeLessThan(1e-3);
    expect(Math.abs(losses[0] - ortLoss)).toBeLessThan(ENGINE_BOUND[variant]);
    expect(losses.at(-1)!).toBeLessThan(losses[0] - 0.1);
  });
});
