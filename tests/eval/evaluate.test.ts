import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { MODELS_DIR } from '../models-dir.ts';
import { loadModelNode } from '../../src/runtime/load-node.ts';
import type { LanguageModel } from '../../src/model/language-model.ts';
import { evaluate, perCharacter } from '../../src/eval/evaluate.ts';
import { validateResult, type EvalResult } from '../../src/eval/result.ts';
import { clopperPearson } from '../../src/eval/proportion-interval.ts';
import { DATASET_FORMAT, countSplits, serializeDataset, validateDataset, type Dataset } from '../../src/data/format.ts';
import { generateDataset } from '../../src/data/generate.ts';
import { sha256Hex } from '../../src/util/hash.ts';

const STORIES = join(MODELS_DIR, 'stories260K');

/** A tiny hand-written dataset: two two-option splits and a four-option split. */
const TINY: Dataset = validateDataset({
  format: DATASET_FORMAT,
  kind: 'handmade',
  seed: 0,
  params: {},
  lexicon: { noun: ['femp', 'glon', 'troff'] },
  train: [
    { id: 't1', text: 'femp are bigger than glon.' },
    { id: 't2', text: 'glon are bigger than troff.' },
    { id: 't3', text: 'troff live in the park.' },
  ],
  test: [
    { id: 'm1', split: 'memorization', prompt: 'femp are', options: ['bigger than glon.', 'smaller than glon.'], answer: 0, derivation: ['t1'] },
    { id: 'm2', split: 'memorization', prompt: 'glon are', options: ['smaller than troff.', 'bigger than troff.'], answer: 1, derivation: ['t2'] },
    { id: 'r1', split: 'reversal', prompt: 'glon are', options: ['bigger than femp.', 'smaller than femp.'], answer: 1, derivation: ['t1'] },
    { id: 'r2', split: 'reversal', prompt: 'troff are', options: ['smaller than glon.', 'bigger than glon.'], answer: 0, derivation: ['t2'] },
    { id: 'w1', split: 'where', prompt: 'troff live in the', options: ['park.', 'sea.', 'house.', 'tree.'], answer: 0, derivation: ['t3'] },
  ],
});

/** Same answers, timing aside. */
const withoutTiming = (r: EvalResult) => ({ ...r, timing: undefined });

describe('perCharacter (acc_norm)', () => {
  it('divides by the option\'s own length in code points, as lm-evaluation-harness does', () => {
    expect(perCharacter(-6, 'cake.')).toBe(-6 / 5);
    expect(perCharacter(-6, 'café.')).toBe(-6 / 5);
    // A leading space that belongs to the option itself is part of its length.
    expect(perCharacter(-6, ' Ryan')).toBe(-6 / 5);
  });
});

describe('evaluate (stories260K)', () => {
  let model: LanguageModel;
  beforeAll(async () => {
    model = await loadModelNode({ model: STORIES, dtype: 'fp32' });
  });
  afterAll(() => model.dispose());

  const requests = (ds: Dataset) => ds.test.map((t) => ({ prompt: t.prompt, options: t.options.map((o) => ` ${o}`) }));

  it('base: scores each prompt alone and reports both accuracies per split', async () => {
    const result = validateResult(await evaluate(TINY, model, { condition: 'base', template: 'plain', seed: 0 }));
    expect(result).toMatchObject({
      format: 'glon.result/2',
      dataset: { kind: 'handmade', seed: 0, hash: await sha256Hex(serializeDataset(TINY)) },
      model: 'stories260K',
      condition: 'base',
      device: 'cpu',
      dtype: 'fp32',
      template: 'plain',
      context: { tokens: 1, documents: null, subsampled: false },
      notes: [],
    });
    const scores = await model.scoreItems('', requests(TINY));
    result.items.forEach((item, i) => {
      expect(item.logprobs).toEqual(scores[i].map((s) => s.logprob));
      // The joining space is scored but not counted: the option's own characters only.
      expect(item.normalized).toEqual(scores[i].map((s, o) => s.logprob / TINY.test[i].options[o].length));
      expect(item.chosen).toBe(item.logprobs.indexOf(Math.max(...(item.logprobs as number[]))));
      expect(item.chosenNormalized).toBe(item.normalized.indexOf(Math.max(...(item.normalized as number[]))));
      expect(item.answer).toBe(TINY.test[i].answer);
    });
    expect(Object.keys(result.splits)).toEqual(['memorization', 'reversal', 'where']);
    for (const [split, s] of Object.entries(result.splits)) {
      const items = result.items.filter((item) => item.split === split);
      expect(s.n).toBe(items.length);
      expect(s.correct).toBe(items.filter((item) => item.chosen === item.answer).length);
      expect(s.normalized.correct).toBe(items.filter((item) => item.chosenNormalized === item.answer).length);
      expect(s.accuracy).toBe(s.correct / s.n);
      expect(s.ci).toEqual(clopperPearson(s.correct, s.n));
      expect(s.normalized.ci).toEqual(clopperPearson(s.normalized.correct, s.n));
    }
    expect(result.splits.reversal.chance).toBe(0.5);
    expect(result.splits.where.chance).toBe(0.25);
  });

  it('icl: puts the training text before every prompt, one fact a line and a blank line', async () => {
    const result = validateResult(await evaluate(TINY, model, { condition: 'icl', template: 'plain', seed: 0 }));
    const context = 'femp are bigger than glon.\nglon are bigger than troff.\ntroff live in the park.\n\n';
    expect(result.context).toEqual({ tokens: model.countTokens(context), documents: { kept: 3, total: 3 }, subsampled: false });
    const scores = await model.scoreItems(context, requests(TINY));
    result.items.forEach((item, i) => expect(item.logprobs).toEqual(scores[i].map((s) => s.logprob)));
  });

  it('is deterministic', async () => {
    const options = { condition: 'icl', template: 'plain', seed: 4 };
    expect(withoutTiming(await evaluate(TINY, model, options))).toEqual(withoutTiming(await evaluate(TINY, model, options)));
  });

  it('subsamples the training text by seed when it does not fit, and says so', async () => {
    const train = Array.from({ length: 60 }, (_, i) => ({ id: `t${i}`, text: `On day ${i}, the little femp went to the park with glon.` }));
    const big = validateDataset({ ...TINY, train, test: TINY.test.map((t) => ({ ...t, derivation: [] })) });
    const results = await Promise.all([1, 2].map((seed) => evaluate(big, model, { condition: 'icl', template: 'plain', seed })));
    for (const result of results) {
      validateResult(result);
      expect(result.context.subsampled).toBe(true);
      const { kept, total } = result.context.documents!;
      expect(total).toBe(60);
      expect(kept).toBeGreaterThan(10);
      expect(kept).toBeLessThan(60);
      expect(result.context.tokens).toBeLessThanOrEqual(512);
      expect(result.notes).toEqual([
        `training text subsampled: ${kept} of 60 documents (chosen by seed ${result.seed}) fit the model's 512-token context`,
      ]);
    }
    // Another seed keeps other documents, so the same items score differently.
    expect(results[0].items[0].logprobs).not.toEqual(results[1].items[0].logprobs);
  });

  it('evaluates a generated reversal dataset', async () => {
    const dataset = generateDataset({ kind: 'reversal', seed: 1 });
    const result = validateResult(await evaluate(dataset, model, { condition: 'base', template: 'plain', seed: 0 }));
    expect(Object.fromEntries(Object.entries(result.splits).map(([s, r]) => [s, r.n]))).toEqual(Object.fromEntries(countSplits(dataset)));
    expect(result.items.map((item) => item.id)).toEqual(dataset.test.map((t) => t.id));
  });

  it('names what is wrong with a condition or template', async () => {
    await expect(evaluate(TINY, model, { condition: 'ft2', template: 'plain', seed: 0 })).rejects.toThrow(
      'unknown condition "ft2" (one of: base, icl, ft, ft+local, ft+global, ft+local+global, ft+oracle, ft-split)',
    );
    await expect(evaluate(TINY, model, { condition: 'icl', template: 'chat', seed: 0 })).rejects.toThrow(
      'the chat template is unavailable: stories260K has no chat template in its tokenizer (use the plain template)',
    );
  });
});
