import { describe, expect, it } from 'vitest';
import { parseDataset, serializeDataset, type Dataset, type TestItem } from '../../src/data/format.ts';
import { generateDataset } from '../../src/data/generate.ts';
import { PRESETS, type Params } from '../../src/data/kinds.ts';
import { isEnglishWord } from '../../src/data/lexicon.ts';
import { checkComparisonItem, ComparisonLogic, readComparisons } from './logic/comparisons.ts';

const SEEDS = [0, 1, 2, 17, 2025];

/** Largest minus smallest count over `categories` (a category never seen counts 0). */
function spread<T>(values: readonly T[], categories: readonly T[]): number {
  const counts = categories.map((c) => values.filter((v) => v === c).length);
  return Math.max(...counts) - Math.min(...counts);
}

const trainingText = (ds: Dataset) => ds.train.map((d) => d.text).join('\n');
const relationOfAnswer = (item: TestItem) => item.options[item.answer].split(' ')[0];

function expectSound(ds: Dataset): void {
  const logic = new ComparisonLogic(ds.train);
  expect(logic.contradictions()).toEqual([]);
  expect(ds.test.flatMap((item) => checkComparisonItem(logic, ds.train, item))).toEqual([]);

  const stated = readComparisons(ds.train);
  // Every line states exactly one fact, and each fact is stated in linesPerFact lines.
  expect(stated.length).toBe(ds.train.length);
  const linesOfFact = new Map<string, number>();
  for (const c of stated) {
    const fact = `${c.subject} ${c.relation} ${c.adjective} ${c.object}`;
    linesOfFact.set(fact, (linesOfFact.get(fact) ?? 0) + 1);
  }
  expect(linesOfFact.size).toBe(ds.params.facts);
  expect(new Set(linesOfFact.values())).toEqual(new Set([ds.params.linesPerFact]));

  // Two distinct nouns per fact, each noun in one fact only, all of them (and only them) in the lexicon.
  const facts = [...linesOfFact.keys()].map((k) => k.split(' '));
  const nouns = facts.flatMap(([subject, , , object]) => [subject, object]);
  expect(new Set(nouns).size).toBe(nouns.length);
  expect(new Set(ds.lexicon.nouns)).toEqual(new Set(nouns));
  expect(Object.values(ds.lexicon).flat().filter(isEnglishWord)).toEqual([]);

  for (const split of ['memorization', 'reversal']) {
    const items = ds.test.filter((t) => t.split === split);
    expect(items.length).toBe(ds.params.facts);
    expect(spread(items.map((t) => t.answer), [0, 1])).toBeLessThanOrEqual(1);
    expect(spread(items.map(relationOfAnswer), ['more', 'less'])).toBeLessThanOrEqual(1);
  }
}

describe('reversal generator', () => {
  for (const preset of PRESETS) {
    describe(`${preset} preset`, () => {
      for (const seed of SEEDS) {
        it(`seed ${seed}: deterministic, valid, every answer follows and no distractor does`, () => {
          const ds = generateDataset({ kind: 'reversal', seed, preset });
          expect(serializeDataset(generateDataset({ kind: 'reversal', seed, preset }))).toBe(serializeDataset(ds));
          expect(parseDataset(serializeDataset(ds))).toEqual(ds);
          expectSound(ds);
        });
      }
    });
  }

  it('different seeds give different datasets', () => {
    const texts = SEEDS.map((seed) => serializeDataset(generateDataset({ kind: 'reversal', seed })));
    expect(new Set(texts).size).toBe(SEEDS.length);
  });

  it('small preset is the default and its training text fits about 1,500 tokens (≤ 6,000 characters)', () => {
    for (const seed of SEEDS) {
      const ds = generateDataset({ kind: 'reversal', seed });
      expect(ds.params.preset).toBe('small');
      expect(trainingText(ds).length).toBeLessThanOrEqual(6000);
      expect(ds.train.length).toBe(24 * 4);
    }
  });

  it('paper preset: 100 facts, each in 10 lines, 100 questions per split', () => {
    const ds = generateDataset({ kind: 'reversal', seed: 3, preset: 'paper' });
    expect(ds.train.length).toBe(1000);
    expect(ds.test.filter((t) => t.split === 'memorization').length).toBe(100);
    expect(ds.test.filter((t) => t.split === 'reversal').length).toBe(100);
  });

  it('odd sizes and few dimensions stay sound and balanced', () => {
    const params: Params = { facts: 7, linesPerFact: 3, dimensions: 2 };
    for (const seed of SEEDS) {
      const ds = generateDataset({ kind: 'reversal', seed, params });
      expectSound(ds);
      const adjectives = readComparisons(ds.train).map((c) => c.adjective);
      expect(new Set(adjectives).size).toBe(2);
    }
  });
});

describe('comparison checker', () => {
  const ds = generateDataset({ kind: 'reversal', seed: 5 });
  const logic = new ComparisonLogic(ds.train);
  const check = (item: TestItem) => checkComparisonItem(logic, ds.train, item);
  const memorization = ds.test.find((t) => t.split === 'memorization')!;
  const reversal = ds.test.find((t) => t.split === 'reversal')!;

  it('rejects an item whose answer is the contradiction', () => {
    expect(check({ ...reversal, answer: 1 - reversal.answer })).toContainEqual(expect.stringContaining('does not follow'));
    expect(check({ ...memorization, answer: 1 - memorization.answer })).toContainEqual(expect.stringContaining('follows too'));
  });

  it('rejects a reversal presented as memorization and the reverse', () => {
    expect(check({ ...reversal, split: 'memorization' })).toContainEqual(expect.stringContaining('not a trained fact'));
    expect(check({ ...memorization, split: 'reversal' })).toContainEqual(expect.stringContaining('itself a trained fact'));
  });

  it('rejects options that differ in more than the relation word, and a wrong derivation', () => {
    const [a, b] = reversal.options;
    expect(check({ ...reversal, options: [a, b.replace(/than \w+$/, 'than zzzz')] })).toContainEqual(expect.stringContaining('relation word alone'));
    expect(check({ ...reversal, derivation: reversal.derivation.slice(1) })).toContainEqual(expect.stringContaining('derivation'));
  });

  it('follows chains: a distractor entailed by transitivity is caught', () => {
    const train = [
      { id: 'a', text: 'It is known that femp are more dangerous than glon.' },
      { id: 'b', text: 'Did you know that glon are more dangerous than yomp?' },
    ];
    const chain = new ComparisonLogic(train);
    expect(chain.entails({ subject: 'yomp', relation: 'less', adjective: 'dangerous', object: 'femp' })).toBe(true);
    expect(chain.entails({ subject: 'yomp', relation: 'more', adjective: 'dangerous', object: 'femp' })).toBe(false);
    const item: TestItem = { id: 't', split: 'reversal', prompt: 'yomp are', options: ['more dangerous than femp', 'less dangerous than femp'], answer: 0, derivation: [] };
    expect(checkComparisonItem(chain, train, item)).toContainEqual(expect.stringContaining('follows too'));
    const cycle = new ComparisonLogic([...train, { id: 'c', text: 'It is known that yomp are more dangerous than femp.' }]);
    expect(cycle.contradictions().length).toBeGreaterThan(0);
  });
});
