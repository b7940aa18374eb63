/**
 * LoRA on the real stories260K: training on a small `reversal` dataset drives the loss down and the
 * memorization split to >= 90% when scored the way the FT condition is (evaluate() over a LanguageModel
 * with the adapter); the adapter survives a save/load round trip with identical scores; a cancelled run
 * returns its last checkpoint.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../src/data/generate.ts';
import { evaluate } from '../../src/eval/evaluate.ts';
import { startEngine } from '../../src/engine/backend.ts';
import { decodeAdapter, encodeAdapter } from '../../src/train/adapter-files.ts';
import { tokenizeExamples } from '../../src/train/batches.ts';
import { TrainControl } from '../../src/train/control.ts';
import { JaxLanguageModel } from '../../src/engine/jax-language-model.ts';
import { loadEngineModel, type EngineModel } from '../../src/engine/load-node.ts';
import { trainLora, type TrainResult } from '../../src/train/trainer.ts';
import { TRAIN_DEFAULTS } from '../../src/train/settings.ts';
import { MODELS_DIR } from '../models-dir.ts';

const dataset = generateDataset({ kind: 'reversal', seed: 0, preset: 'small', params: {} });
let model: EngineModel;
let trained: TrainResult;

beforeAll(async () => {
  await startEngine('wasm');
  model = await loadEngineModel(join(MODELS_DIR, 'stories260K'), 'fp32');
});

function languageModel(adapter?: TrainResult['adapter']): JaxLanguageModel {
  return new JaxLanguageModel({ id: 'stories260K', device: 'wasm', dtype: 'fp32', weights: model.weights, tokenizer: model.tokenizer, adapter });
}

async function memorization(lm: JaxLanguageModel): Promise<number> {
  const result = await evaluate(dataset, lm, { condition: 'base', template: 'plain', seed: 0 });
  return result.splits.memorization.accuracy;
}

describe('LoRA training on stories260K', () => {
  it('memorizes a small reversal dataset with the default settings', async () => {
    const examples = tokenizeExamples(
      dataset.train.map((doc) => ({ text: doc.text })),
      model.tokenizer,
      model.weights.config.maxPositions,
    );
    const base = await memorization(languageModel());
    trained = await trainLora(model.weights, examples, TRAIN_DEFAULTS);
    const { losses } = trained;
    const perEpoch = losses.length / TRAIN_DEFAULTS.epochs;
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const first = mean(losses.slice(0, perEpoch));
    const last = mean(losses.slice(-perEpoch));
    expect(trained.status).toBe('done');
    expect(last).toBeLessThan(first / 4);
    const tuned = await memorization(languageModel(trained.adapter));
    expect(base).toBeLessThan(0.75);
    expect(tuned).toBeGreaterThanOrEqual(0.9);
  }, 400_000);

  it('an adapter round-trips through PEFT safetensors with identical scores', async () => {
    const files = encodeAdapter(trained.adapter, 'stories260K');
    const config = JSON.parse(files.config);
    expect(config).toMatchObject({ peft_type: 'LORA', r: TRAIN_DEFAULTS.rank, lora_alpha: TRAIN_DEFAULTS.alpha });
    const loaded = decodeAdapter(files, model.weights.config);
    const requests = dataset.test.slice(0, 12).map((item) => ({ prompt: item.prompt, options: item.options.map((o) => ` ${o}`) }));
    const before = await languageModel(trained.adapter).scoreItems('', requests);
    const after = await languageModel(loaded).scoreItems('', requests);
    expect(after).toEqual(before);
    expect(() => decodeAdapter({ ...files, weights: files.weights.subarray(0, 100) }, model.weights.config)).toThrow(/adapter_model.safetensors/);
  });

  it('a cancelled run stops between steps and returns the adapter of its last finished step', async () => {
    const examples = tokenizeExamples(dataset.train.slice(0, 16).map((doc) => ({ text: doc.text })), model.tokenizer, 512);
    const control = new TrainControl();
    const result = await trainLora(model.weights, examples, { ...TRAIN_DEFAULTS, epochs: 5 }, {
      control,
      onStep: (p) => {
        if (p.step === 3) control.cancel();
      },
    });
    expect(result.status).toBe('cancelled');
    expect(result.steps).toBe(3);
    expect(result.adapter.layers[0].q!.b.some((x) => x !== 0)).toBe(true);
  });

  it('LoRA dropout changes the run and is reproducible from the seed', async () => {
    const examples = tokenizeExamples(dataset.train.slice(0, 16).map((doc) => ({ text: doc.text })), model.tokenizer, 512);
    const run = (dropout: number) => trainLora(model.weights, examples, { ...TRAIN_DEFAULTS, epochs: 1, dropout });
    const plain = await run(0);
    const dropped = await run(0.3);
    const again = await run(0.3);
    expect(dropped.losses.every(Number.isFinite)).toBe(true);
    expect(dropped.losses).toEqual(again.losses);
    expect(dropped.losses[1]).not.toBeCloseTo(plain.losses[1], 4);
  });
});
