import { describe, expect, it } from 'vitest';
import { parseDataset, serializeDataset, type Dataset, type TestItem } from '../../src/data/format.ts';
import { generateDataset } from '../../src/data/generate.ts';
import { PRESETS, type Params } from '../../src/data/kinds.ts';
import { isEnglishWord } from '../../src/data/lexicon.ts';
import { checkHierarchy, checkHierarchyItem, HierarchyLogic, readStatement, splitDocument, vocabularyOf } from './logic/hierarchy-checker.ts';
import { biasedScores, expectWordBalanced } from './logic/word-bias.ts';

const SEEDS = [0, 1, 2, 17, 2025];
const SPLITS = ['rephrase', 'reversal', 'syllogism', 'holdout'];

const trainingText = (ds: Dataset) => ds.train.map((d) => d.text).join('\n');

/** Largest minus smallest count over `values` (a value never seen counts 0). */
function spread(seen: readonly number[], values: readonly number[]): number {
  const counts = values.map((v) => seen.filter((s) => s === v).length);
  return Math.max(...counts) - Math.min(...counts);
}

/** The tree as the training text describes it, checked against the parameters. */
function expectShape(ds: Dataset): void {
  const logic = new HierarchyLogic(ds.train, vocabularyOf(ds));
  const names = new Set((ds.lexicon.names ?? []).map((n) => n.toLowerCase()));
  const under = logic.stated.filter((f) => f.relation === 'under');
  const categories = [...new Set(under.flatMap((f) => [f.subject, f.object]))].filter((w) => !names.has(w));
  expect(categories.length).toBe(ds.params.categories);
  expect(new Set(ds.lexicon.nouns)).toEqual(new Set(categories));
  expect(Math.max(...categories.map((c) => logic.above(c).size + 1))).toBe(ds.params.depth);

  const holdouts = categories.filter((c) => {
    const about = logic.factsAbout(c);
    return about.length === 1 && about[0].subject === c;
  });
  expect(holdouts.length).toBe(ds.params.holdouts);
  for (const c of categories) {
    const properties = logic.stated.filter((f) => f.relation !== 'under' && f.subject === c);
    const count = new Set(properties.map((f) => f.object)).size;
    if (holdouts.includes(c)) expect(count).toBe(0);
    else expect([...Array(ds.params.properties as number).keys()].map((i) => i + 1)).toContain(count);
    const members = under.filter((f) => f.object === c && names.has(f.subject));
    const isLeaf = !under.some((f) => f.object === c && !names.has(f.subject));
    expect(new Set(members.map((f) => f.subject)).size).toBe(isLeaf && !holdouts.includes(c) ? ds.params.individuals : 0);
  }
  // Documents describe one to three categories each, every one in `docs` copies.
  const described = (categories.length - holdouts.length) * (ds.params.docs as number);
  expect(ds.train.length % (ds.params.docs as number)).toBe(0);
  expect(ds.train.length).toBeGreaterThanOrEqual(described / 3);
  expect(ds.train.length).toBeLessThanOrEqual(described);

  for (const doc of ds.train) {
    const { statements, other } = splitDocument(doc.text);
    const sentences = statements.length + other.filter((o) => o.endsWith('?')).length;
    expect(sentences, doc.id).toBeGreaterThanOrEqual(4);
    expect(sentences, doc.id).toBeLessThanOrEqual(30);
  }
  expect(Object.values(ds.lexicon).flat().filter(isEnglishWord)).toEqual([]);
}

function expectBalanced(ds: Dataset): void {
  for (const split of SPLITS) {
    const items = ds.test.filter((t) => t.split === split);
    expect(items.length, split).toBeGreaterThan(0);
    expect(items.length).toBeLessThanOrEqual(ds.params.items as number);
    const k = items[0].options.length;
    expect(items.every((t) => t.options.length === k)).toBe(true);
    expect(spread(items.map((t) => t.answer), [...Array(k).keys()]), split).toBeLessThanOrEqual(1);
    // Every option shares as many documents with the prompt's dataset word as the answer does.
    const vocabulary = vocabularyOf(ds);
    const docs = ds.train.map((d) => new Set(d.text.toLowerCase().match(/[a-z]+/g)));
    const together = (a: string, b: string) => docs.filter((d) => d.has(a) && d.has(b.toLowerCase())).length;
    for (const item of items) {
      const [asked] = item.prompt.toLowerCase().match(/[a-z]+/g)!.filter((w) => vocabulary.has(w));
      expect(new Set(item.options.map((o) => together(asked, o))).size, item.id).toBe(1);
    }
  }
}

describe('hierarchy generator', () => {
  for (const preset of PRESETS)
    describe(`${preset} preset`, () => {
      for (const seed of SEEDS)
        it(`seed ${seed}: deterministic, valid, shaped as asked, every answer follows and no distractor does`, () => {
          const ds = generateDataset({ kind: 'hierarchy', seed, preset });
          expect(serializeDataset(generateDataset({ kind: 'hierarchy', seed, preset }))).toBe(serializeDataset(ds));
          expect(parseDataset(serializeDataset(ds))).toEqual(ds);
          expect(checkHierarchy(ds)).toEqual([]);
          expectShape(ds);
          expectBalanced(ds);
          for (const split of SPLITS) expectWordBalanced(ds.test.filter((t) => t.split === split), seed);
          const text = trainingText(ds).toLowerCase();
          for (const item of ds.test) expect(text.includes(`${item.prompt} ${item.options[item.answer]}`.toLowerCase()), item.id).toBe(false);
        });
    });

  it('different seeds give different datasets', () => {
    const texts = SEEDS.map((seed) => serializeDataset(generateDataset({ kind: 'hierarchy', seed })));
    expect(new Set(texts).size).toBe(SEEDS.length);
  });

  it('small preset is the default and its training text fits about 1,500 tokens (≤ 6,000 characters)', () => {
    for (let seed = 0; seed < 40; seed++) {
      const ds = generateDataset({ kind: 'hierarchy', seed });
      expect(ds.params.preset).toBe('small');
      expect(trainingText(ds).length).toBeLessThanOrEqual(6000);
    }
  });

  it('paper preset: 110 categories in 380 documents, 200 items (100 pairs) in most splits', () => {
    const ds = generateDataset({ kind: 'hierarchy', seed: 3, preset: 'paper' });
    expect(ds.train.length).toBe(380);
    for (const split of ['rephrase', 'reversal', 'syllogism']) expect(ds.test.filter((t) => t.split === split).length).toBe(200);
    const styles = ds.train.map((d) => (d.text.startsWith('Q: ') ? 'qa' : d.text.includes('\n- ') ? 'list' : 'encyclopedic'));
    expect(new Set(styles)).toEqual(new Set(['qa', 'list', 'encyclopedic']));
  });

  it('other shapes stay sound: deep and bushy, shallow and bare', () => {
    const shapes: Params[] = [
      { categories: 40, depth: 4, properties: 3, individuals: 3, holdouts: 6, docs: 3, items: 50 },
      { categories: 8, depth: 3, properties: 1, individuals: 0, holdouts: 1, docs: 1, items: 5 },
    ];
    for (const params of shapes)
      for (const seed of SEEDS) {
        const ds = generateDataset({ kind: 'hierarchy', seed, params });
        expect(checkHierarchy(ds)).toEqual([]);
        expectShape(ds);
        for (const split of SPLITS) expectWordBalanced(ds.test.filter((t) => t.split === split), seed);
      }
  });

  it('keeps most items while balancing words and documents: at least 20 of 24 in rephrase and syllogism, 10 in reversal, 2 in holdout', () => {
    for (const seed of SEEDS) {
      const ds = generateDataset({ kind: 'hierarchy', seed });
      for (const split of ['rephrase', 'syllogism']) expect(ds.test.filter((t) => t.split === split).length, split).toBeGreaterThanOrEqual(20);
      expect(ds.test.filter((t) => t.split === 'reversal').length).toBeGreaterThanOrEqual(10);
      expect(ds.test.filter((t) => t.split === 'holdout').length).toBeGreaterThanOrEqual(2);
    }
  });

  it('the word-balance check fails when one word is the answer too often', () => {
    const items = generateDataset({ kind: 'hierarchy', seed: 1 }).test.filter((t) => t.split === 'syllogism');
    expect(() => expectWordBalanced(items, 1)).not.toThrow();
    const favoured = items.map((t, i) => (i % 2 ? t : { ...t, options: t.options.map((o, j) => (j === t.answer ? 'zo' : o)) }));
    expect(() => expectWordBalanced(favoured, 1)).toThrow(/is correct/);
    const scores = biasedScores(favoured, 200, 1);
    for (const score of [scores.mostOftenCorrect, scores.mostFrequent, scores.shortest, Math.max(...scores.random)]) expect(score).toBeGreaterThan(0.5);
  });

  it('says clearly when the tree cannot be built', () => {
    expect(() => generateDataset({ kind: 'hierarchy', seed: 0, params: { categories: 60, depth: 3 } })).toThrow(
      'hierarchy: a tree 3 levels deep needs between 8 and 42 categories, not 60',
    );
    expect(() => generateDataset({ kind: 'hierarchy', seed: 0, params: { categories: 8, holdouts: 5 } })).toThrow(/^hierarchy: only \d+ leaf categories/);
  });
});

describe('hierarchy checker', () => {
  const ds = generateDataset({ kind: 'hierarchy', seed: 5 });
  const vocabulary = vocabularyOf(ds);
  const logic = new HierarchyLogic(ds.train, vocabulary);
  const check = (item: TestItem) => checkHierarchyItem(logic, ds.train, item, vocabulary);
  const first = (split: string, where: (t: TestItem) => boolean = () => true) => ds.test.find((t) => t.split === split && where(t))!;
  const wrongIndex = (t: TestItem) => (t.answer + 1) % t.options.length;
  const withDistractor = (t: TestItem, word: string): TestItem => ({ ...t, options: t.options.map((o, i) => (i === wrongIndex(t) ? word : o)) });

  it('reads chains and inheritance from text, downward only', () => {
    const train = [
      { id: 'a', text: 'Gruds are a type of abmes. Also, abmes are a kind of tovs.' },
      { id: 'b', text: 'Q: What are tovs like?\nA: Tovs are rony.\nQ: Who are some gruds?\nA: Tomp is one of the gruds.' },
      { id: 'c', text: 'Facts about gruds:\n- Gruds can blick.' },
    ];
    const tiny = new HierarchyLogic(train, new Set(['gruds', 'abmes', 'tovs', 'rony', 'tomp', 'blick']));
    expect(tiny.unreadable).toEqual([]);
    expect(tiny.holds({ relation: 'is', subject: 'tomp', object: 'rony' })).toBe(true);
    expect(tiny.holds({ relation: 'under', subject: 'tomp', object: 'tovs' })).toBe(true);
    expect(tiny.holds({ relation: 'can', subject: 'abmes', object: 'blick' })).toBe(false);
    expect(tiny.holds({ relation: 'under', subject: 'tovs', object: 'gruds' })).toBe(false);
    expect(tiny.premises({ relation: 'is', subject: 'tomp', object: 'rony' }).length).toBe(4);
    expect(readStatement('Kinds of tovs include abmes')).toEqual({ fact: { relation: 'under', subject: 'abmes', object: 'tovs' }, reversed: true });
  });

  it('reports sentences it cannot read, and questions that carry facts', () => {
    const bad = new HierarchyLogic([{ id: 'x', text: 'Gruds eat tovs. Are gruds a type of tovs? Tovs include gruds.' }], new Set(['gruds', 'tovs']));
    expect(bad.unreadable).toEqual(['x: "Gruds eat tovs"', 'x: "Tovs include gruds"', 'x: "Are gruds a type of tovs?"']);
  });

  it('accepts the real items', () => {
    expect(ds.test.flatMap(check)).toEqual([]);
  });

  it('rejects a wrong answer, and a distractor that is true of the asked entity', () => {
    const item = first('syllogism');
    expect(check({ ...item, answer: wrongIndex(item) })).toContainEqual(expect.stringContaining('does not follow'));
    const reading = readStatement(`${item.prompt} ${item.options[item.answer]}`)!;
    const alsoTrue = [...vocabulary].find(
      (w) => w !== reading.fact.object && logic.holds({ ...reading.fact, object: w }) && readStatement(`${item.prompt} ${w}`),
    )!;
    expect(alsoTrue).toBeDefined();
    expect(check(withDistractor(item, alsoTrue))).toContainEqual(expect.stringContaining('is true too'));
  });

  it('rejects a soft distractor that is true of nothing else', () => {
    expect(check(withDistractor(first('rephrase'), 'zworp'))).toContainEqual(expect.stringContaining('not a hard distractor'));
    const reversal = first('reversal', (t) => /^[a-z]/.test(t.options[0]));
    const root = [...logic.subjects()].find((w) => logic.above(w).size === 0)!;
    expect(check(withDistractor(reversal, root))).toContainEqual(expect.stringContaining('not a hard distractor'));
  });

  it('rejects items in the wrong split', () => {
    const rephrase = first('rephrase');
    const syllogism = first('syllogism');
    const reversal = first('reversal');
    expect(check({ ...syllogism, split: 'rephrase' })).toContainEqual(expect.stringContaining('not a stated fact'));
    expect(check({ ...rephrase, split: 'syllogism' })).toContainEqual(expect.stringContaining('itself a stated fact'));
    expect(check({ ...reversal, split: 'rephrase' })).toContainEqual(expect.stringContaining('asks object first'));
    expect(check({ ...rephrase, split: 'reversal' })).toContainEqual(expect.stringContaining('asks subject first'));
    const categoryItem = first('syllogism', (t) => /^[A-Z][a-z]+ are/.test(t.prompt));
    expect(check({ ...categoryItem, split: 'holdout' })).toContainEqual(expect.stringContaining('is not a holdout'));
    expect(check({ ...rephrase, split: 'memory' })).toContainEqual(expect.stringContaining('unknown split'));
  });

  it('rejects an answer stated verbatim in training, and a wrong derivation', () => {
    const sentence = splitDocument(ds.train[0].text).statements[0];
    const words = sentence.split(' ');
    const trained: TestItem = { ...first('rephrase'), prompt: words.slice(0, -1).join(' '), options: [words.at(-1)!, 'zworp'], answer: 0 };
    expect(check(trained)).toContainEqual(expect.stringContaining('appears verbatim'));
    for (const split of SPLITS) {
      const item = first(split);
      expect(check({ ...item, derivation: item.derivation.slice(1) }), split).toContainEqual(expect.stringContaining('derivation'));
    }
  });
});
