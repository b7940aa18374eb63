import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MODELS_DIR } from '../models-dir.ts';
import { generateDataset } from '../../src/data/generate.ts';
import { serializeDataset } from '../../src/data/format.ts';
import { sha256Hex } from '../../src/util/hash.ts';
import { openFolderStore } from '../../src/store/folder-store.ts';
import type { GlonStore } from '../../src/experiment/store.ts';
import { TrainControl } from '../../src/train/control.ts';
import { trainingExamples } from '../../src/train/examples.ts';
import { resolveTrainSettings } from '../../src/train/settings.ts';
import { adapterPiece } from '../../src/experiment/adapter-piece.ts';
import { augmentationPiece } from '../../src/experiment/augmentation-piece.ts';
import { datasetPiece } from '../../src/experiment/dataset-piece.ts';
import { nodeModels } from '../../src/experiment/node-env.ts';
import type { PieceReport } from '../../src/experiment/piece.ts';
import { adapterKeyOf, augmentationKeyOf, resultKeyOf } from '../../src/experiment/piece-keys.ts';
import { resultPiece } from '../../src/experiment/result-piece.ts';

const STORIES = join(MODELS_DIR, 'stories260K');
const dataset = generateDataset({ kind: 'reversal', seed: 3, preset: 'small', params: { facts: 2 } });

/** Every report a piece makes, in order. */
function recorder(): { calls: string[]; report: PieceReport } {
  const calls: string[] = [];
  return { calls, report: { cached: (k) => void calls.push(`cached ${k}`), start: (k) => void calls.push(`start ${k}`), done: (k) => void calls.push(`done ${k}`) } };
}

const noModel = async (): Promise<never> => {
  throw new Error('a stored piece must not load a model');
};

describe('piece functions', () => {
  const dir = mkdtempSync(join(tmpdir(), 'glon-pieces-'));
  let store: GlonStore;
  const models = nodeModels(STORIES, 'fp32');
  beforeAll(async () => {
    store = await openFolderStore(join(dir, 'store'));
  });
  afterAll(async () => {
    await models.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('make, store and report a piece once, then read it back from the store without loading a model', async () => {
    const made = recorder();
    const first = await datasetPiece(dataset, { store, report: made.report });
    expect(first.key).toBe(await sha256Hex(serializeDataset(dataset)));
    const oracle = await augmentationPiece({ dataset: first, mode: 'oracle', settings: {}, seed: 3, generator: null }, { store, report: made.report });
    expect(oracle.key).toBe(await augmentationKeyOf({ datasetHash: first.key, generator: null, mode: 'oracle', settings: {}, seed: 3 }));
    const inputs = { dataset: first, model: 'stories260K@fp32', condition: 'base', adapter: null, template: 'plain', seed: 3 };
    const result = await resultPiece(inputs, models.base, { store, report: made.report });
    expect(result.key).toBe(await resultKeyOf({ ...inputs, datasetHash: first.key }));
    expect([first.cached, oracle.cached, result.cached]).toEqual([false, false, false]);
    expect(made.calls).toEqual([first.key, oracle.key, result.key].flatMap((k) => [`start ${k}`, `done ${k}`]));
    expect(await store.get('results', result.key)).toMatchObject({ result: result.result });

    const read = recorder();
    const again = await resultPiece(inputs, noModel, { store, report: read.report });
    expect(again).toEqual({ ...result, cached: true });
    expect((await datasetPiece(dataset, { store, report: read.report })).cached).toBe(true);
    expect(read.calls).toEqual([`cached ${result.key}`, `cached ${first.key}`]);
  });

  it('keep nothing without a store; a cancelled adapter kept for the caller is not stored, and its checkpoint stays', async () => {
    const piece = await datasetPiece(dataset);
    const inputs = {
      datasetHash: piece.key,
      model: 'stories260K@fp32',
      params: { ...resolveTrainSettings({ epochs: 2, batchSize: 2 }), seed: 3 },
      examples: trainingExamples(dataset, { splitting: 'none', augmentations: [] }),
    };
    const unstored = await adapterPiece(inputs, models);
    expect(unstored).toMatchObject({ key: await adapterKeyOf(inputs), cached: false, training: { status: 'done', steps: 8, totalSteps: 8 } });

    const control = new TrainControl();
    const cancelled = await adapterPiece(inputs, models, { store, control, keepCancelled: true, checkpointEvery: 2, onStep: (p) => p.step === 3 && control.cancel() });
    expect(cancelled.training).toMatchObject({ status: 'cancelled', steps: 3, totalSteps: 8 });
    expect(await store.keys('adapters')).toEqual([]);
    expect(await store.keys('checkpoints')).toEqual([unstored.key]);

    const resumed = await adapterPiece(inputs, models, { store });
    expect(resumed.files).toEqual(unstored.files);
    expect(await store.keys('checkpoints')).toEqual([]);
    expect((await adapterPiece(inputs, models, { store })).cached).toBe(true);
  });
});
