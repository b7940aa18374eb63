import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MODELS_DIR } from '../models-dir.ts';
import { loadModelNode } from '../../src/runtime/load-node.ts';
import { chooseToken, cutAtStop } from '../../src/model/generation.ts';
import type { LanguageModel } from '../../src/model/language-model.ts';
import { Rng } from '../../src/util/rng.ts';

const STORIES = join(MODELS_DIR, 'stories260K');

describe('chooseToken', () => {
  const logits = Float32Array.from([0.5, 2, Math.log(3) + 2, -1]);

  it('is greedy without a temperature, whatever the rng', () => {
    expect(chooseToken(logits, {}, new Rng(1))).toBe(2);
    expect(chooseToken(logits, { temperature: 0, topK: 3 }, new Rng(2))).toBe(2);
  });

  it('samples in proportion to softmax(logits / temperature)', () => {
    const rng = new Rng('sampling');
    const counts = [0, 0, 0, 0];
    const draws = 20_000;
    for (let i = 0; i < draws; i++) counts[chooseToken(logits, { temperature: 1 }, rng)]++;
    const weights = Array.from(logits, Math.exp);
    const total = weights.reduce((a, b) => a + b);
    counts.forEach((c, i) => expect(Math.abs(c / draws - weights[i] / total)).toBeLessThan(0.01));
  });

  it('draws only among the top k, renormalized', () => {
    const rng = new Rng('top-k');
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[chooseToken(logits, { temperature: 1, topK: 2 }, rng)]++;
    expect(counts[0] + counts[3]).toBe(0);
    expect(Math.abs(counts[2] / 4000 - 0.75)).toBeLessThan(0.03);
  });

  it('is reproducible from the seed', () => {
    const draw = (seed: number) => Array.from({ length: 50 }, ((rng) => () => chooseToken(logits, { temperature: 2 }, rng))(new Rng(seed)));
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });
});

describe('cutAtStop', () => {
  it('cuts before the earliest stop string', () => {
    expect(cutAtStop('one. two\nthree', ['\n', '.'])).toEqual({ text: 'one', stopped: true });
    expect(cutAtStop('one two', ['.'])).toEqual({ text: 'one two', stopped: false });
    expect(cutAtStop('one two', [''])).toEqual({ text: 'one two', stopped: false });
  });
});

describe('generate (stories260K)', () => {
  let model: LanguageModel;
  beforeAll(async () => {
    model = await loadModelNode({ model: STORIES, dtype: 'fp32' });
  });
  afterAll(() => model.dispose());

  const reference = readFileSync(join(STORIES, 'reference-greedy.txt'), 'utf8');

  it('greedy decoding from the start token reproduces llama2.c run.c (reference-greedy.txt)', async () => {
    // run.c -n 256 generates 256 tokens after the start token and then prints a newline.
    expect(`${await model.generate('', { maxNewTokens: 256 })}\n`).toBe(reference);
  });

  it('continues a prompt and returns only the new text', async () => {
    // The reference passes through these prompt tokens, so greedy decoding must continue it.
    const text = await model.generate('Once upon a time', { maxNewTokens: 30 });
    expect(text.length).toBeGreaterThan(60);
    expect(reference.startsWith(`Once upon a time${text}`)).toBe(true);
  });

  it('stops before the first stop string', async () => {
    const full = await model.generate('Once upon a time', { maxNewTokens: 40 });
    const stopped = await model.generate('Once upon a time', { maxNewTokens: 40, stop: ['.'] });
    expect(stopped).toBe(full.slice(0, full.indexOf('.')));
  });

  it('samples reproducibly by seed, and differently across seeds', async () => {
    const sample = (seed: number) => model.generate('One day, Tom', { maxNewTokens: 30, temperature: 1, seed });
    const first = await sample(1);
    expect(await sample(1)).toBe(first);
    const others = await Promise.all([2, 3, 4].map(sample));
    expect(others.some((text) => text !== first)).toBe(true);
    expect(await model.generate('One day, Tom', { maxNewTokens: 30, temperature: 1, topK: 1, seed: 5 })).toBe(
      await model.generate('One day, Tom', { maxNewTokens: 30 }),
    );
  });

  it('stops at the model\'s context length', async () => {
    const text = await model.generate('', { maxNewTokens: 2000 });
    expect(model.countTokens(text)).toBeLessThanOrEqual(model.contextLength);
    expect(model.countTokens(text)).toBeGreaterThan(model.contextLength - 20);
  });

  it('honours an abort signal', async () => {
    const controller = new AbortController();
    const pending = model.generate('Once upon a time', {
      maxNewTokens: 100,
      signal: controller.signal,
      onProgress: (p) => p.done === 3 && controller.abort(new Error('stopped')),
    });
    await expect(pending).rejects.toThrow('stopped');
  });
});
