import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MODELS_DIR } from '../models-dir.ts';
import { generateDataset } from '../../src/data/generate.ts';
import type { Dataset } from '../../src/data/format.ts';
import type { LanguageModel, Progress } from '../../src/model/language-model.ts';
import { loadModelNode } from '../../src/runtime/load-node.ts';
import { augment, candidateSentences } from '../../src/augment/augment.ts';
import { GLOBAL_DEFAULTS, LOCAL_DEFAULTS, validateAugmentation } from '../../src/augment/augmentation.ts';
import type { Generation } from '../../src/augment/generations.ts';
import { globalJobs } from '../../src/augment/global.ts';
import { localJobs } from '../../src/augment/local.ts';
import { LOCAL_PROMPT } from '../../src/augment/prompts.ts';
import { filterSentences } from '../../src/augment/sentences.ts';

/** A recorded file: "# " note lines, then one block per prompt under "=== <source>". */
function readRecorded(name: string): Generation[] {
  const text = readFileSync(new URL(`recorded/${name}`, import.meta.url), 'utf8');
  const body = text.replace(/^(#.*\n)*/, '');
  return body
    .split(/^=== /m)
    .slice(1)
    .map((block) => {
      const newline = block.indexOf('\n');
      return { source: block.slice(0, newline), text: block.slice(newline + 1, -1) };
    });
}

const datasets: Record<string, Dataset> = {
  reversal: generateDataset({ kind: 'reversal', seed: 1, preset: 'small' }),
  syllogism: generateDataset({ kind: 'syllogism', seed: 1, preset: 'small' }),
};

describe('recorded stories260K generations (seed 1, default settings)', () => {
  for (const mode of ['local', 'global'] as const)
    for (const kind of ['reversal', 'syllogism'] as const)
      it(`${mode} ${kind}: one block per prompt, every candidate accounted for, nothing kept from children's stories`, () => {
        const dataset = datasets[kind];
        const generations = readRecorded(`${mode}-${kind}.txt`);
        const ids = dataset.train.map((d) => d.id);
        const expected = mode === 'local' ? localJobs(dataset, { prompt: LOCAL_PROMPT, samples: 2 }).map((j) => j.source) : [...ids, ...ids];
        expect(generations.map((g) => g.source)).toEqual(expected);
        const candidates = candidateSentences(generations);
        expect(candidates.length).toBeGreaterThan(generations.length);
        const { kept, dropped } = filterSentences(candidates, dataset);
        expect(kept).toEqual([]);
        expect(Object.values(dropped).reduce((a, b) => a + b, 0)).toBe(candidates.length);
        const [commonest] = Object.entries(dropped).sort((a, b) => b[1] - a[1]);
        expect(commonest[0]).toBe('no-dataset-word');
      });

  it('keeps what a capable model would add to a recorded generation, and drops its test statements and copies', () => {
    const dataset = datasets.reversal;
    const [first] = readRecorded('local-reversal.txt');
    const fact = dataset.train.find((d) => d.id === first.source)!.text; // "Everyone agrees that drik are less playful than flug."
    const [, a, comparison, b] = /that (\w+) are (\w+ \w+) than (\w+)\.$/.exec(fact)!;
    const opposite = comparison.startsWith('less') ? comparison.replace('less', 'more') : comparison.replace('more', 'less');
    const written = [
      `${b} are ${opposite} than ${a}.`, // the reversal, word for word a test statement
      `${a} are not as ${comparison.split(' ')[1]} as ${b}.`,
      dataset.train.find((d) => d.id !== first.source && d.text.endsWith(` ${a} are ${comparison} than ${b}.`))!.text, // another line of the fact
      `${a} are ${comparison} than ${b}.`,
    ];
    const generation = { source: first.source, text: `${first.text}\n- ${written.join('\n- ')}` };
    const { kept, dropped } = filterSentences(candidateSentences([generation]), dataset);
    expect(kept.map((s) => s.text)).toEqual([written[1], written[3]]);
    expect(kept.every((s) => s.source === first.source)).toBe(true);
    expect(dropped['test-text']).toBe(1);
    expect(dropped.copy).toBe(1);
  });
});

describe('augment with stories260K', () => {
  let model: LanguageModel;
  beforeAll(async () => {
    model = await loadModelNode({ model: join(MODELS_DIR, 'stories260K'), dtype: 'fp32' });
  });
  afterAll(() => model.dispose());

  const tiny = generateDataset({ kind: 'reversal', seed: 3, preset: 'small', params: { facts: 2, linesPerFact: 2 } });
  const quick = { ...LOCAL_DEFAULTS, maxNewTokens: 24 };

  it('is a valid augmentation, the same for the same seed and different for another', async () => {
    const run = async (seed: number) => {
      const generations: Generation[] = [];
      const progress: Progress[] = [];
      const aug = await augment(tiny, 'local', model, quick, { seed, onGeneration: (g) => generations.push(g), onProgress: (p) => progress.push(p) });
      return { aug, generations, progress };
    };
    const [one, again, other] = [await run(1), await run(1), await run(2)];
    expect(validateAugmentation(one.aug)).toEqual(one.aug);
    expect(one.aug).toMatchObject({ mode: 'local', model: 'stories260K@fp32', seed: 1, settings: quick, pruned: 0 });
    expect(one.generations).toHaveLength(tiny.train.length * quick.samples);
    expect(one.progress.at(-1)).toEqual({ stage: 'augment-local', done: one.generations.length, total: one.generations.length });
    expect(again.generations).toEqual(one.generations);
    expect({ ...again.aug, timing: null }).toEqual({ ...one.aug, timing: null });
    expect(other.generations).not.toEqual(one.generations);
  });

  it('global: every prompt fits the context with room to write, the focus document last', () => {
    const dataset = generateDataset({ kind: 'syllogism', seed: 1, preset: 'small', params: { items: 12 } });
    const { jobs, notes } = globalJobs(dataset, model, GLOBAL_DEFAULTS, 1);
    expect(jobs).toHaveLength(dataset.train.length * GLOBAL_DEFAULTS.passes);
    for (const [i, job] of jobs.entries()) {
      const doc = dataset.train[i % dataset.train.length];
      expect(job.source).toBe(doc.id);
      expect(job.prompt).toContain(`Focus: ${doc.text}\n`);
      expect(model.countTokens(job.prompt) + GLOBAL_DEFAULTS.maxNewTokens).toBeLessThanOrEqual(model.contextLength);
    }
    expect(notes).toEqual([expect.stringMatching(/^other documents subsampled to fit the model's 512-token context in 24 of 24 prompts: .* of 11 each \(chosen by seed 1\)$/)]);
    expect(globalJobs(dataset, model, GLOBAL_DEFAULTS, 1)).toEqual({ jobs, notes });
    // No document fits with room to write: no prompt at all, and one note that says why and what to change.
    expect(globalJobs(dataset, model, { ...GLOBAL_DEFAULTS, maxNewTokens: 500 }, 1)).toEqual({
      jobs: [],
      notes: [
        expect.stringMatching(
          /^12 of 12 documents left out \(.*\): the prompt with the document alone does not fit the model's 512-token context with 500 new tokens \(shorten the prompt or lower maxNewTokens\)$/,
        ),
      ],
    });
  });

  it('global: a document too long for the context is left out, and the notes say so', () => {
    const dataset = generateDataset({ kind: 'syllogism', seed: 1, preset: 'small', params: { items: 12 } });
    const long = { ...dataset, train: dataset.train.map((d, i) => (i === 2 ? { ...d, text: `${d.text} `.repeat(40) } : d)) };
    const { jobs, notes } = globalJobs(long, model, GLOBAL_DEFAULTS, 1);
    expect(jobs.map((j) => j.source)).not.toContain(dataset.train[2].id);
    expect(jobs).toHaveLength((dataset.train.length - 1) * GLOBAL_DEFAULTS.passes);
    expect(notes[0]).toBe(
      `1 of 12 documents left out (${dataset.train[2].id}): the prompt with the document alone does not fit the model's 512-token context with ${GLOBAL_DEFAULTS.maxNewTokens} new tokens`,
    );
  });

  it('stops between generations when cancelled, and needs a model', async () => {
    const controller = new AbortController();
    const pending = augment(tiny, 'global', model, GLOBAL_DEFAULTS, {
      seed: 1,
      signal: controller.signal,
      onGeneration: () => controller.abort(),
    });
    await expect(pending).rejects.toThrow(/abort/i);
    await expect(augment(tiny, 'local', null, LOCAL_DEFAULTS, { seed: 1 })).rejects.toThrow('local augmentation needs a model to write it');
  });
});
