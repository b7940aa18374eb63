import { describe, expect, it } from 'vitest';
import { parseDataset, serializeDataset, type Dataset, type TestItem } from '../../src/data/format.ts';
import { generateDataset } from '../../src/data/generate.ts';
import { PRESETS, type Params } from '../../src/data/kinds.ts';
import { isEnglishWord } from '../../src/data/lexicon.ts';
import { checkFamily, checkFamilyItem, FamilyLogic, readClaim } from './logic/family-checker.ts';
import { expectWordBalanced } from './logic/word-bias.ts';

const SEEDS = [0, 1, 2, 17, 2025];
const SPLITS = ['reversal', 'composition'];

const trainingText = (ds: Dataset) => ds.train.map((d) => d.text).join('\n');
const relationWord = (item: TestItem) => readClaim(`${item.prompt} ${item.options[item.answer]}`)!.word;

/** Separate trees in the parent facts (union-find over parent links). */
function countTrees(logic: FamilyLogic): number {
  const root = new Map<string, string>();
  const find = (x: string): string => {
    const r = root.get(x) ?? x;
    return r === x ? x : find(r);
  };
  for (const x of logic.people()) for (const p of logic.parentsOf(x)) if (find(x) !== find(p)) root.set(find(x), find(p));
  return new Set([...logic.people()].map(find)).size;
}

/** The families as the training text describes them, checked against the parameters. */
function expectShape(ds: Dataset): void {
  const logic = new FamilyLogic(ds.train);
  const people = logic.people();
  expect(new Set(ds.lexicon.names)).toEqual(people);
  for (const x of people) expect(logic.docsStatingGender(x).length, x).toBe(ds.params.docs);
  expect(countTrees(logic)).toBe(ds.params.families);
  expect(logic.generations()).toBe(ds.params.generations);
  for (const x of people) {
    expect([0, 2], x).toContain(logic.parentsOf(x).size);
    const children = logic.childrenOf(x).size;
    expect(children === 0 || (children >= 2 && children <= (ds.params.children as number)), x).toBe(true);
  }
  // A document is about one to three couples of one generation, or states only genders; every parent fact is
  // stated in `docs` of them.
  const depth = (x: string): number => 1 + Math.max(0, ...[...logic.parentsOf(x)].map(depth));
  for (const doc of ds.train) {
    const one = new FamilyLogic([doc]);
    const couples = new Set([...one.people()].filter((x) => one.parentsOf(x).size).map((x) => [...one.parentsOf(x)].sort().join(' ')));
    expect(couples.size, doc.id).toBeLessThanOrEqual(3);
    if (couples.size) expect(new Set([...couples].map((c) => Math.max(...c.split(' ').map(depth)))).size, doc.id).toBe(1);
  }
  for (const x of people) for (const c of logic.childrenOf(x)) expect(logic.docsStatingParent(x, c).length).toBe(ds.params.docs);
  expect(Object.values(ds.lexicon).flat().filter(isEnglishWord)).toEqual([]);
}

function expectBalanced(ds: Dataset): void {
  for (const split of SPLITS) {
    const items = ds.test.filter((t) => t.split === split);
    expect(items.length, split).toBeGreaterThan(0);
    expect(items.length).toBeLessThanOrEqual(ds.params.items as number);
    const k = items[0].options.length;
    expect(items.every((t) => t.options.length === k)).toBe(true);
    const counts = [...Array(k).keys()].map((i) => items.filter((t) => t.answer === i).length);
    expect(Math.max(...counts) - Math.min(...counts), split).toBeLessThanOrEqual(1);
    expectWordBalanced(items, ds.seed);
    // Every option shares as many documents with the asked name as the answer does: counting them scores chance.
    const docs = ds.train.map((d) => new Set(d.text.match(/[A-Z][a-z]+/g)));
    const together = (a: string, b: string) => docs.filter((d) => d.has(a) && d.has(b)).length;
    for (const item of items) {
      const asked = item.prompt.split(' ')[0];
      expect(new Set(item.options.map((o) => together(asked, o))).size, item.id).toBe(1);
    }
  }
}

describe('family generator', () => {
  for (const preset of PRESETS)
    describe(`${preset} preset`, () => {
      for (const seed of SEEDS)
        it(`seed ${seed}: deterministic, valid, shaped as asked, every answer follows and no distractor does`, () => {
          const ds = generateDataset({ kind: 'family', seed, preset });
          expect(serializeDataset(generateDataset({ kind: 'family', seed, preset }))).toBe(serializeDataset(ds));
          expect(parseDataset(serializeDataset(ds))).toEqual(ds);
          expect(checkFamily(ds)).toEqual([]);
          expectShape(ds);
          expectBalanced(ds);
          for (const split of SPLITS) expect(ds.test.filter((t) => t.split === split).length, split).toBe(preset === 'small' ? 24 : 198);
          const text = trainingText(ds).toLowerCase();
          for (const item of ds.test) expect(text.includes(`${item.prompt} ${item.options[item.answer]}`.toLowerCase()), item.id).toBe(false);
          // Both compositions are asked, in gendered words.
          const words = new Set(ds.test.filter((t) => t.split === 'composition').map(relationWord));
          expect([...words].some((w) => w.startsWith('grand'))).toBe(true);
          expect(words.has('brother') || words.has('sister')).toBe(true);
        });
    });

  it('different seeds give different datasets', () => {
    const texts = SEEDS.map((seed) => serializeDataset(generateDataset({ kind: 'family', seed })));
    expect(new Set(texts).size).toBe(SEEDS.length);
  });

  it('small preset is the default and its training text fits about 1,500 tokens (≤ 6,000 characters)', () => {
    for (let seed = 0; seed < 40; seed++) {
      const ds = generateDataset({ kind: 'family', seed });
      expect(ds.params.preset).toBe('small');
      expect(trainingText(ds).length).toBeLessThanOrEqual(6000);
    }
  });

  it('other shapes stay sound: neutral words, five generations, repeated documents', () => {
    const shapes: Params[] = [
      { families: 2, generations: 5, children: 2, docs: 3, gendered: false, items: 60 },
      { families: 5, generations: 3, children: 4, docs: 1, gendered: true, items: 7 },
    ];
    for (const params of shapes)
      for (const seed of SEEDS) {
        const ds = generateDataset({ kind: 'family', seed, params });
        expect(checkFamily(ds)).toEqual([]);
        expectShape(ds);
        expectBalanced(ds);
        const words = new Set(ds.test.map(relationWord));
        if (params.gendered) expect([...words].filter((w) => ['child', 'grandparent', 'sibling'].includes(w))).toEqual([]);
        else expect(words).toEqual(new Set(['child', 'grandparent', 'sibling']));
      }
  });
});

describe('family checker', () => {
  const ds = generateDataset({ kind: 'family', seed: 5 });
  const logic = new FamilyLogic(ds.train);
  const check = (item: TestItem) => checkFamilyItem(logic, ds.train, item);
  const first = (where: (t: TestItem) => boolean) => ds.test.find(where)!;
  const wrongIndex = (t: TestItem) => (t.answer + 1) % t.options.length;
  const withDistractor = (t: TestItem, name: string): TestItem => ({ ...t, options: t.options.map((o, i) => (i === wrongIndex(t) ? name : o)) });
  const subjectOf = (t: TestItem) => t.prompt.split(' ')[0];

  it('derives child, grandparent and sibling relations and genders from text', () => {
    const tiny = new FamilyLogic([
      { id: 'a', text: 'Zima is a woman. Zima is the parent of Tomp. Zima is the parent of Wenk.' },
      { id: 'b', text: 'Tomp is male. Tomp is the parent of Brix.' },
    ]);
    expect(tiny.unreadable).toEqual([]);
    expect(tiny.holds({ subject: 'Tomp', word: 'son', object: 'Zima' })).toBe(true);
    expect(tiny.holds({ subject: 'Tomp', word: 'daughter', object: 'Zima' })).toBe(false);
    expect(tiny.holds({ subject: 'Wenk', word: 'child', object: 'Zima' })).toBe(true);
    expect(tiny.holds({ subject: 'Wenk', word: 'sister', object: 'Tomp' })).toBe(false); // Wenk's gender is never stated
    expect(tiny.holds({ subject: 'Tomp', word: 'brother', object: 'Wenk' })).toBe(true);
    expect(tiny.holds({ subject: 'Zima', word: 'grandmother', object: 'Brix' })).toBe(true);
    expect(tiny.holds({ subject: 'Brix', word: 'grandparent', object: 'Zima' })).toBe(false);
    expect(tiny.generations()).toBe(3);
    const broken = new FamilyLogic([{ id: 'c', text: 'Zima is a woman. Zima is male. Zima loves Tomp.' }]);
    expect(broken.contradictions).toEqual(['Zima']);
    expect(broken.unreadable).toEqual(['c: "Zima loves Tomp."']);
  });

  it('accepts the real items', () => {
    expect(ds.test.flatMap(check)).toEqual([]);
  });

  it('rejects a wrong answer, a distractor that is true too, and a soft distractor', () => {
    const reversal = first((t) => t.split === 'reversal');
    expect(check({ ...reversal, answer: wrongIndex(reversal) })).toContainEqual(expect.stringContaining('does not follow'));
    const otherParent = [...logic.parentsOf(subjectOf(reversal))].find((p) => p !== reversal.options[reversal.answer])!;
    expect(check(withDistractor(reversal, otherParent))).toContainEqual(expect.stringContaining('is true too'));
    const sibling = first((t) => /(brother|sister) of$/.test(t.prompt));
    const parentless = [...logic.people()].find((x) => !logic.parentsOf(x).size)!;
    expect(check(withDistractor(sibling, parentless))).toContainEqual(expect.stringContaining('not a hard distractor'));
  });

  it('rejects a gender word that contradicts the trained gender', () => {
    const item = first((t) => / is the son of$/.test(t.prompt));
    expect(check({ ...item, prompt: item.prompt.replace('son', 'daughter') })).toContainEqual(expect.stringContaining('does not follow'));
  });

  it('rejects items in the wrong split, a verbatim answer and a wrong derivation', () => {
    const reversal = first((t) => t.split === 'reversal');
    const composition = first((t) => t.split === 'composition');
    expect(check({ ...reversal, split: 'composition' })).toContainEqual(expect.stringContaining('in split "composition"'));
    expect(check({ ...composition, split: 'reversal' })).toContainEqual(expect.stringContaining('in split "reversal"'));
    expect(check({ ...reversal, derivation: reversal.derivation.slice(1) })).toContainEqual(expect.stringContaining('derivation'));
    const unrelated = ds.train.find((d) => !composition.derivation.includes(d.id))!.id;
    expect(check({ ...composition, derivation: [...composition.derivation, unrelated] })).toContainEqual(expect.stringContaining('derivation'));
    const leaked = [...ds.train, { id: 'leak', text: `${reversal.prompt} ${reversal.options[reversal.answer]}.` }];
    expect(checkFamilyItem(logic, leaked, reversal)).toContainEqual(expect.stringContaining('appears verbatim'));
  });
});
