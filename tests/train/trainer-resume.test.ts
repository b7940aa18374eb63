/**
 * Checkpoints: a run stopped after a checkpoint and resumed from it ends with exactly the adapter and the
 * losses of a run that never stopped (dropout on, so per-step randomness is exercised too).
 */
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { generateDataset } from '../../src/data/generate.ts';
import { startEngine } from '../../src/engine/backend.ts';
import { tokenizeExamples, type TokenizedExample } from '../../src/train/batches.ts';
import { TrainControl } from '../../src/train/control.ts';
import { loadEngineModel, type EngineModel } from '../../src/engine/load-node.ts';
import { trainLora, type TrainCheckpoint } from '../../src/train/trainer.ts';
import { TRAIN_DEFAULTS, type TrainParams } from '../../src/train/settings.ts';
import { packLora, loraLayout } from '../../src/engine/lora.ts';
import { MODELS_DIR } from '../models-dir.ts';

const params: TrainParams = { ...TRAIN_DEFAULTS, epochs: 2, batchSize: 4, dropout: 0.1, seed: 3 };
let model: EngineModel;
let examples: TokenizedExample[];

beforeAll(async () => {
  await startEngine('wasm');
  model = await loadEngineModel(join(MODELS_DIR, 'stories260K'), 'fp32');
  const dataset = generateDataset({ kind: 'reversal', seed: 2, preset: 'small', params: { facts: 4 } });
  examples = tokenizeExamples(dataset.train.map((d) => ({ text: d.text })), model.tokenizer, model.weights.config.maxPositions);
});

it('a resumed run ends exactly where an uninterrupted one does', async () => {
  const whole = await trainLora(model.weights, examples, params);
  expect(whole.steps).toBe(8);

  const control = new TrainControl();
  let saved: TrainCheckpoint | undefined;
  const stopped = await trainLora(model.weights, examples, params, {
    control,
    checkpointEvery: 3,
    onCheckpoint: (c) => {
      saved = c;
      control.cancel();
    },
  });
  expect(stopped.status).toBe('cancelled');
  expect(saved?.step).toBe(3);

  const steps: number[] = [];
  const resumed = await trainLora(model.weights, examples, params, { resumeFrom: saved, onStep: (p) => steps.push(p.step) });
  expect(steps[0]).toBe(4);
  expect(resumed.status).toBe('done');
  expect(resumed.losses).toEqual(whole.losses);
  const layout = loraLayout(model.weights.config, params);
  expect(packLora(resumed.adapter, layout)).toEqual(packLora(whole.adapter, layout));
}, 300_000);

it('refuses a checkpoint from another run', async () => {
  const foreign: TrainCheckpoint = { step: 2, totalSteps: 99, theta: new Float32Array(4), m: new Float32Array(4), v: new Float32Array(4), losses: [1, 1] };
  await expect(trainLora(model.weights, examples, params, { resumeFrom: foreign })).rejects.toThrow(/does not belong to this run/);
});
