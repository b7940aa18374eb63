/**
 * The merged-ONNX path against the jax-js forward with the adapter attached: after a few real training
 * steps (a non-zero adapter), ONNX Runtime on the merged fp32 file scores test items like jax-js does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../src/data/generate.ts';
import { continuation } from '../../src/data/format.ts';
import { loadModelNode } from '../../src/runtime/load-node.ts';
import { startEngine } from '../../src/engine/backend.ts';
import { tokenizeExamples } from '../../src/train/batches.ts';
import { JaxLanguageModel } from '../../src/engine/jax-language-model.ts';
import { disposeEngineWeights } from '../../src/engine/llama.ts';
import { loadEngineModel } from '../../src/engine/load-node.ts';
import { writeMergedModel } from '../../src/train/merged-model-node.ts';
import { trainLora } from '../../src/train/trainer.ts';
import { TRAIN_DEFAULTS } from '../../src/train/settings.ts';
import { MODELS_DIR } from '../models-dir.ts';

const root = mkdtempSync(join(tmpdir(), 'glon-merge-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeAll(() => startEngine('wasm'));

describe('adapter merged into ONNX weights', () => {
  it.each(['fp32', 'q8'] as const)('stories260K %s base: merged ORT scores equal jax-js with the adapter within 1e-3', async (dtype) => {
    const base = join(MODELS_DIR, 'stories260K');
    const dataset = generateDataset({ kind: 'reversal', seed: 2, preset: 'small', params: {} });
    const engine = await loadEngineModel(base, dtype);
    const examples = tokenizeExamples(
      dataset.train.map((doc) => ({ text: doc.text })),
      engine.tokenizer,
      engine.weights.config.maxPositions,
    );
    const { adapter } = await trainLora(engine.weights, examples.slice(0, 24), { ...TRAIN_DEFAULTS, epochs: 1 });
    expect(adapter.layers[0].q!.b.some((x) => x !== 0)).toBe(true);

    const merged = join(root, `stories-${dtype}`);
    await writeMergedModel(base, dtype, adapter, merged);
    const ort = await loadModelNode({ model: merged, dtype: 'fp32' });
    const plain = await loadModelNode({ model: base, dtype: 'fp32' });
    const jax = new JaxLanguageModel({ id: 'stories260K', device: 'wasm', dtype, weights: engine.weights, tokenizer: engine.tokenizer, adapter });
    const requests = dataset.test.slice(0, 12).map((t) => ({ prompt: t.prompt, options: t.options.map((o) => continuation(t.prompt, o)) }));
    const ours = await jax.scoreItems('', requests);
    const theirs = await ort.scoreItems('', requests);
    const before = await plain.scoreItems('', requests);
    let moved = 0;
    ours.forEach((item, i) =>
      item.forEach((option, o) => {
        expect(theirs[i][o].tokens).toBe(option.tokens);
        expect(Math.abs(theirs[i][o].logprob - option.logprob)).toBeLessThan(1e-3);
        moved = Math.max(moved, Math.abs(before[i][o].logprob - option.logprob));
      }),
    );
    // The adapter really changes the scores, so the agreement above is about the merge.
    expect(moved).toBeGreaterThan(0.1);
    await Promise.all([ort.dispose(), plain.dispose(), jax.dispose()]);
    disposeEngineWeights(engine.weights);
  });
});
