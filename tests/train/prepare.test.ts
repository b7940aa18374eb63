import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { MODELS_DIR } from '../models-dir.ts';
import { generateDataset } from '../../src/data/generate.ts';
import { startEngine } from '../../src/engine/backend.ts';
import { batchLength, tokenizeExamples } from '../../src/train/batches.ts';
import { estimateTraining } from '../../src/train/estimate.ts';
import { trainingExamples } from '../../src/train/examples.ts';
import { loadEngineModel, type EngineModel } from '../../src/engine/load-node.ts';
import { prepareTraining } from '../../src/train/prepare.ts';
import { CONFIRM_SECONDS, TRAIN_DEFAULTS, TRAIN_LIMITS, type TrainParams } from '../../src/train/settings.ts';

const params = (change: Partial<TrainParams> = {}): TrainParams => ({ ...TRAIN_DEFAULTS, ...change });

describe('prepareTraining', () => {
  let engine: EngineModel;
  beforeAll(async () => {
    await startEngine('wasm');
    engine = await loadEngineModel(join(MODELS_DIR, 'stories260K'), 'fp32');
  });
  const dataset = generateDataset({ kind: 'reversal', seed: 1, preset: 'small', params: { facts: 5 } });
  const examples = trainingExamples(dataset, { splitting: 'none', augmentations: [] });

  it('tokenizes, pads to a multiple of 8 and counts whole batches per epoch', () => {
    const prepared = prepareTraining(examples, engine, params({ batchSize: 8, epochs: 3 }), 'wasm');
    const tokenized = tokenizeExamples(examples, engine.tokenizer, engine.weights.config.maxPositions);
    expect(prepared.examples).toEqual(tokenized);
    expect(examples).toHaveLength(20);
    expect(prepared.totalSteps).toBe(3 * 3); // 20 examples: batches of 8, 8 and 4
    expect(prepared.length).toBe(batchLength(tokenized));
    expect(prepared.length % 8).toBe(0);
    expect(prepared.estimate).toEqual(
      estimateTraining({ config: engine.weights.config, batch: 8, length: prepared.length, steps: 9, lora: params(), device: 'wasm' }),
    );
  });

  it('refuses more steps than the limit, which epochs alone do not bound', () => {
    const many = Array.from({ length: 101 }, (_, i) => ({ text: `Glon ${i} are yomp.` }));
    expect(() => prepareTraining(many, engine, params({ batchSize: 1, epochs: 1000 }), 'wasm')).toThrow(
      `101000 training steps is over the limit of ${TRAIN_LIMITS.maxSteps}`,
    );
  });

  it('refuses a long run unless confirmed, saying how to confirm it', () => {
    // 1,000 documents at batch 32 for 1,000 epochs: 32,000 steps.
    const paper = trainingExamples(generateDataset({ kind: 'reversal', seed: 1, preset: 'paper' }), { splitting: 'none', augmentations: [] });
    const long = params({ batchSize: 32, epochs: 1000 });
    const estimate = prepareTraining(paper, engine, long, 'wasm').estimate;
    expect(estimate.seconds).toBeGreaterThan(CONFIRM_SECONDS);
    expect(() => prepareTraining(paper, engine, long, 'wasm', 'pass --yes to start it anyway')).toThrow(/over the 30-minute limit: pass --yes to start it anyway/);
  });

  it('refuses an example longer than the model reads', () => {
    const long = [{ text: 'glon '.repeat(2000) }];
    expect(() => prepareTraining(long, engine, params(), 'wasm')).toThrow(/training example 0 is \d+ tokens long; the limit is 512/);
  });
});
