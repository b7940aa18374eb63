/**
 * Each engine's golden output (a few log-probs on stories260K, the first training losses, an augmentation)
 * against the last entry recorded for it in engine-golden.json. When an engine's output changes, its
 * pieces in every store are stale: bump its version in src/model/engines.ts (which changes their content
 * keys) and append { version, output } to the file. Numbers are compared within a tolerance wide enough
 * for any CPU's float kernels (1e-4, relative) and far narrower than a change to an engine.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MODELS_DIR } from '../models-dir.ts';
import { augment } from '../../src/augment/augment.ts';
import { filterSentences } from '../../src/augment/sentences.ts';
import { fillPrompt, LOCAL_PROMPT } from '../../src/augment/prompts.ts';
import { generateDataset } from '../../src/data/generate.ts';
import { sha256Hex } from '../../src/util/hash.ts';
import { evaluate } from '../../src/eval/evaluate.ts';
import { ENGINE_VERSIONS, type Engine } from '../../src/model/engines.ts';
import { loadModelNode } from '../../src/runtime/load-node.ts';
import { startEngine } from '../../src/engine/backend.ts';
import { tokenizeExamples } from '../../src/train/batches.ts';
import { loadEngineModel } from '../../src/engine/load-node.ts';
import { TRAIN_DEFAULTS } from '../../src/train/settings.ts';
import { trainLora } from '../../src/train/trainer.ts';

const STORIES = join(MODELS_DIR, 'stories260K');
type Output = number[] | string;
const golden: Record<Engine, { version: number; output: Output }[]> = JSON.parse(
  readFileSync(new URL('./engine-golden.json', import.meta.url), 'utf8'),
).engines;

const dataset = generateDataset({ kind: 'reversal', seed: 1, params: { facts: 2 } });

const outputs: Record<Engine, () => Promise<Output>> = {
  async scorer() {
    const model = await loadModelNode({ model: STORIES, dtype: 'fp32' });
    try {
      const result = await evaluate({ ...dataset, test: dataset.test.slice(0, 3) }, model, { condition: 'icl', template: 'plain', seed: 0 });
      return result.items.flatMap((item) => item.logprobs.map((x) => x ?? Number.NaN));
    } finally {
      await model.dispose();
    }
  },
  async trainer() {
    await startEngine('wasm');
    const model = await loadEngineModel(STORIES, 'fp32');
    const examples = tokenizeExamples(dataset.train.map((doc) => ({ text: doc.text })), model.tokenizer, model.weights.config.maxPositions);
    return (await trainLora(model.weights, examples, { ...TRAIN_DEFAULTS, epochs: 2, batchSize: 4, seed: 1 })).losses;
  },
  async augmenter() {
    const oracle = await augment(dataset, 'oracle', null, {}, { seed: 1 });
    const candidates = [...dataset.train.map((doc) => doc.text), 'Nobody knows.', `${dataset.lexicon.nouns[0]} are here today, more or less.`];
    const filtered = filterSentences(candidates.map((text) => ({ text, source: dataset.train[0].id })), dataset);
    const prompt = fillPrompt(LOCAL_PROMPT, { sentence: dataset.train[0].text });
    return sha256Hex(JSON.stringify({ oracle: oracle.sentences, filtered, prompt }));
  },
};

function same(a: Output, b: Output): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  return a.length === b.length && a.every((x, i) => Math.abs(x - b[i]) <= 1e-4 * Math.max(1, Math.abs(b[i])));
}

describe('engine versions', () => {
  for (const engine of Object.keys(ENGINE_VERSIONS) as Engine[])
    it(`the ${engine} makes its golden output, or its version was bumped`, async () => {
      const history = golden[engine];
      history.slice(1).forEach((entry, i) => {
        expect(entry.version, `${engine}: versions in engine-golden.json must increase`).toBeGreaterThan(history[i].version);
        expect(same(entry.output, history[i].output), `${engine}: version ${entry.version} has the output of ${history[i].version}`).toBe(false);
      });
      const last = history.at(-1)!;
      const output = await outputs[engine]();
      const advice = `bump ENGINE_VERSIONS.${engine} in src/model/engines.ts to ${last.version + 1} and append to tests/model/engine-golden.json: ${JSON.stringify({ version: last.version + 1, output })}`;
      expect(same(output, last.output), `the ${engine}'s output changed: ${advice}`).toBe(true);
      expect(ENGINE_VERSIONS[engine], `ENGINE_VERSIONS.${engine} and the last entry of engine-golden.json differ`).toBe(last.version);
    }, 120_000);
});
