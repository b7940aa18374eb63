/**
 * Speed work on the training step must not change what it computes: 20 LoRA steps on stories260K give the
 * losses recorded from the engine before that work (commit bd0cec8, WASM) within 1e-4.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { generateDataset } from '../../src/data/generate.ts';
import { startEngine } from '../../src/engine/backend.ts';
import { tokenizeExamples } from '../../src/train/batches.ts';
import { disposeEngineWeights } from '../../src/engine/llama.ts';
import { loadEngineModel } from '../../src/engine/load-node.ts';
import { TRAIN_DEFAULTS } from '../../src/train/settings.ts';
import { trainLora } from '../../src/train/trainer.ts';
import { MODELS_DIR } from '../models-dir.ts';

const recorded: { losses: number[] } = JSON.parse(
  readFileSync(new URL('./fixtures/losses-stories260K-20-steps.json', import.meta.url), 'utf8'),
);

it('20 steps on stories260K give the recorded losses within 1e-4', async () => {
  await startEngine('wasm');
  const model = await loadEngineModel(join(MODELS_DIR, 'stories260K'), 'fp32');
  const dataset = generateDataset({ kind: 'reversal', seed: 0, preset: 'small', params: {} });
  // 80 documents at batch 8 for 2 epochs: 20 steps with the default settings (all seven projections).
  const examples = tokenizeExamples(dataset.train.slice(0, 80).map((d) => ({ text: d.text })), model.tokenizer, 512);
  const { losses } = await trainLora(model.weights, examples, { ...TRAIN_DEFAULTS, epochs: 2 });
  disposeEngineWeights(model.weights);
  expect(recorded.losses).toHaveLength(20);
  expect(losses).toHaveLength(20);
  losses.forEach((loss, i) => expect(Math.abs(loss - recorded.losses[i]), `step ${i + 1}`).toBeLessThan(1e-4));
}, 120_000);
