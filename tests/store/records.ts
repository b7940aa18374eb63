/**
 * One record for every store, made from real parts (a generated dataset, a LoRA adapter encoded as PEFT
 * files, a parsed experiment spec) and keyed as the runner keys them (piece-keys.ts), so their bundle
 * verifies. Imports no Node module, so the browser tests load it into the page through the Vite dev server too.
 */
import { generateDataset } from '../../src/data/generate.ts';
import { serializeDataset } from '../../src/data/format.ts';
import { sha256Hex } from '../../src/util/hash.ts';
import { Rng } from '../../src/util/rng.ts';
import type { EvalResult } from '../../src/eval/result.ts';
import type { Augmentation } from '../../src/augment/augmentation.ts';
import { adapterKey as pieceAdapterKey, augmentationKey as pieceAugmentationKey, resultKey as pieceResultKey } from '../../src/experiment/piece-keys.ts';
import { parseExperimentSpec } from '../../src/experiment/spec.ts';
import type { LlamaConfig, Projection } from '../../src/model/llama-config.ts';
import { contentKey } from '../../src/experiment/content-keys.ts';
import type { StoreEntry, StoreRecords } from '../../src/experiment/store.ts';
import { encodeAdapter } from '../../src/train/adapter-files.ts';
import { trainingExamples } from '../../src/train/examples.ts';
import { initLora } from '../../src/engine/lora.ts';

/** A Llama small enough that its adapter is a few kilobytes. */
export const TINY_LLAMA: LlamaConfig = {
  modelType: 'llama',
  vocabSize: 32,
  hiddenSize: 8,
  intermediateSize: 16,
  numLayers: 2,
  numHeads: 2,
  numKvHeads: 1,
  headDim: 4,
  ropeTheta: 10000,
  rmsNormEps: 1e-5,
  tieWordEmbeddings: true,
  maxPositions: 64,
  attentionBias: false,
  initializerRange: 0.02,
};

const SAVED_AT = '2025-01-01T00:00:00.000Z';

export type Records = { [S in keyof StoreRecords]: StoreRecords[S] };

/** Records of one experiment run with `seed`; the checkpoint holds `checkpointFloats` floats per vector. */
export async function madeRecords(seed = 1, checkpointFloats = 1000): Promise<Records> {
  const lora = { rank: 2, alpha: 4, dropout: 0, targets: ['q', 'v'] as Projection[] };
  const spec = parseExperimentSpec({
    format: 'glon.experiment/1', dataset: { kind: 'reversal' }, model: { id: 'tiny' }, conditions: ['base', 'ft+oracle'], seeds: [seed], train: lora,
  });
  const dataset = generateDataset({ kind: 'reversal', seed, preset: 'small' });
  const hash = await sha256Hex(serializeDataset(dataset));
  const augmentation: Augmentation = {
    format: 'glon.augmentation/1',
    mode: 'oracle',
    dataset: { kind: dataset.kind, seed, hash },
    model: null,
    seed,
    settings: {},
    sentences: dataset.train.slice(0, 2).map((doc) => ({ text: doc.text, source: doc.id })),
    dropped: { duplicate: 1 },
    pruned: 0,
    notes: [],
    timing: { started: SAVED_AT, seconds: 0.5 },
  };
  const examples = trainingExamples(dataset, { splitting: 'none', augmentations: [augmentation] });
  const adapterFiles = encodeAdapter(initLora(TINY_LLAMA, lora, new Rng(seed)), 'tiny');
  const adapterKey = await pieceAdapterKey(spec, hash, seed, examples);
  const experimentKey = await contentKey(spec);

  const items = dataset.test.map((item) => {
    const logprobs = item.options.map((_, j) => -1 - j);
    return { id: item.id, split: item.split, logprobs, normalized: logprobs.map((l) => l / 10), tokens: item.options.map(() => 2), chosen: 0, chosenNormalized: 0, answer: item.answer };
  });
  const splits: EvalResult['splits'] = {};
  for (const item of items) {
    const s = (splits[item.split] ??= { n: 0, chance: 0.5, correct: 0, accuracy: 0, ci: [0, 1], normalized: { correct: 0, accuracy: 0, ci: [0, 1] } });
    s.n++;
    s.correct += item.chosen === item.answer ? 1 : 0;
    s.accuracy = s.correct / s.n;
    s.normalized = { correct: s.correct, accuracy: s.accuracy, ci: [0, 1] };
  }
  const result: EvalResult = {
    format: 'glon.result/2',
    dataset: { kind: dataset.kind, seed, hash },
    model: 'tiny',
    condition: 'ft+oracle',
    device: 'cpu',
    dtype: 'fp32',
    template: 'plain',
    seed,
    context: { tokens: 1, documents: null, subsampled: false },
    notes: [],
    splits,
    items,
    timing: { started: SAVED_AT, seconds: 1 },
  };
  const resultKey = await pieceResultKey(spec, hash, 'ft+oracle', seed, adapterKey);
  const augmentationKey = await pieceAugmentationKey(spec, hash, 'oracle', seed);
  const vector = (offset: number) => Float32Array.from({ length: checkpointFloats }, (_, i) => Math.sin(i + offset));

  return {
    datasets: { key: hash, dataset, savedAt: SAVED_AT },
    augmentations: { key: augmentationKey, augmentation, savedAt: SAVED_AT },
    adapters: {
      key: adapterKey,
      ...adapterFiles,
      training: { status: 'done', steps: 4, totalSteps: 4, losses: [3.5, 3.1, 2.8, 2.6], seconds: 2, device: 'wasm', examples: examples.length },
      savedAt: SAVED_AT,
    },
    checkpoints: {
      key: adapterKey,
      checkpoint: { step: 2, totalSteps: 4, theta: vector(0), m: vector(1), v: vector(2), losses: [3.5, 3.1] },
      savedAt: SAVED_AT,
    },
    experiments: {
      key: experimentKey,
      spec,
      status: 'done',
      stage: 'done',
      results: [resultKey],
      datasets: [hash],
      augmentations: [augmentationKey],
      adapters: [adapterKey],
      startedAt: SAVED_AT,
      updatedAt: SAVED_AT,
    },
    results: { key: resultKey, result, savedAt: SAVED_AT },
    logs: { key: await contentKey({ experiment: experimentKey, n: 0 }), experiment: experimentKey, at: SAVED_AT, level: 'info', message: 'trained ft' },
  };
}

/** The records as putMany takes them, in store order. */
export function entries(records: Records): StoreEntry[] {
  return (Object.keys(records) as (keyof Records)[]).map((store) => ({ store, record: records[store] }) as StoreEntry);
}
