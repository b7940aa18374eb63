import { describe, expect, it } from 'vitest';
import { parseDataset, serializeDataset, type Dataset, type TestItem } from '../../src/data/format.ts';
import { generateDataset } from '../../src/data/generate.ts';
import { PRESETS } from '../../src/data/kinds.ts';
import { isEnglishWord } from '../../src/data/lexicon.ts';
import {
  checkSyllogismItem,
  entails,
  parseStatement,
  QUANTIFIERS,
  readPremises,
  say,
  type Statement,
} from './logic/syllogisms.ts';

const SEEDS = [0, 1, 2, 17, 2025];

/** Largest minus smallest count over `categories` (a category never seen counts 0). */
function spread<T>(values: readonly T[], categories: readonly T[]): number {
  const counts = categories.map((c) => values.filter((v) => v === c).length);
  return Math.max(...counts) - Math.min(...counts);
}

const answerOf = (item: TestItem) => parseStatement(item.options[item.answer])!;
const termsOf = (item: TestItem) => /^The relationships between ([a-z]+) and ([a-z]+) are:$/.exec(item.prompt)!.slice(1);
const subjectFirst = (item: TestItem) => answerOf(item).subject === termsOf(item)[0];
/** Each distractor's direction, in quantifier order: "F" when its subject is the prompt's first term. */
const distractorDirections = (item: TestItem) =>
  item.options
    .filter((_, i) => i !== item.answer)
    .map((o) => parseStatement(o)!)
    .sort((a, b) => QUANTIFIERS.indexOf(a.quantifier) - QUANTIFIERS.indexOf(b.quantifier))
    .map((s) => (s.subject === termsOf(item)[0] ? 'F' : 'S'))
    .join('');
/** Which quantifier sits at each position: "Some|All|No". */
const layoutOf = (item: TestItem) => item.options.map((o) => parseStatement(o)!.quantifier).join('|');
const LAYOUTS = ['All|Some|No', 'All|No|Some', 'Some|All|No', 'Some|No|All', 'No|All|Some', 'No|Some|All'];

/** How many items a scorer gets right that picks `choose(item)` whatever the premises say. */
const correctCount = (ds: Dataset, choose: (item: TestItem) => number) => ds.test.filter((t) => choose(t) === t.answer).length;

function expectSound(ds: Dataset): void {
  const premises = readPremises(ds.train);
  expect(ds.test.flatMap((item) => checkSyllogismItem(premises, ds.train, item))).toEqual([]);

  // Two premises over three distinct nouns per document, no noun shared between documents.
  const nounsOf = ds.train.map((doc) => new Set(premises.filter((p) => p.docId === doc.id).flatMap((p) => [p.subject, p.object])));
  expect(premises.length).toBe(2 * ds.train.length);
  expect(nounsOf.every((n) => n.size === 3)).toBe(true);
  const nouns = nounsOf.flatMap((n) => [...n]);
  expect(new Set(nouns).size).toBe(nouns.length);
  expect(new Set(ds.lexicon.nouns)).toEqual(new Set(nouns));
  expect(Object.values(ds.lexicon).flat().filter(isEnglishWord)).toEqual([]);

  expect(ds.test.every((t) => t.split === 'syllogism')).toBe(true);
  expect(ds.test.length).toBe(ds.params.items);
  expect(ds.test.every((t) => t.options.length === 3)).toBe(true);
  expect(spread(ds.test.map((t) => answerOf(t).quantifier), QUANTIFIERS)).toBeLessThanOrEqual(1);
  // Overall and within each answer quantifier: prompt order, answer position, option layout, distractor directions.
  const groups = [ds.test, ...QUANTIFIERS.map((q) => ds.test.filter((t) => answerOf(t).quantifier === q))];
  for (const items of groups) {
    expect(spread(items.map(subjectFirst), [true, false])).toBeLessThanOrEqual(1);
    expect(spread(items.map((t) => t.answer), [0, 1, 2])).toBeLessThanOrEqual(1);
    expect(spread(items.map(distractorDirections), ['FF', 'FS', 'SF', 'SS'])).toBeLessThanOrEqual(1);
  }
  for (const q of QUANTIFIERS) {
    const items = ds.test.filter((t) => answerOf(t).quantifier === q);
    expect(spread(items.map(layoutOf), LAYOUTS)).toBeLessThanOrEqual(1);
    for (const first of [true, false]) {
      expect(spread(items.filter((t) => subjectFirst(t) === first).map(distractorDirections), ['FF', 'FS', 'SF', 'SS'])).toBeLessThanOrEqual(1);
    }
  }
}

/** A premise pair up to renaming its end terms: "All M are P|Some S are M". */
function shape(pair: readonly Statement[]): string {
  const [first, second] = pair.map((p) => new Set([p.subject, p.object]));
  const middle = [...first].find((t) => second.has(t))!;
  const [a, b] = [[...first].find((t) => t !== middle)!, [...second].find((t) => t !== middle)!];
  const named = (s: string, p: string) => {
    const role: Record<string, string> = { [middle]: 'M', [a]: s, [b]: p };
    return pair.map((q) => `${q.quantifier} ${role[q.subject]} are ${role[q.object]}`).sort().join('|');
  };
  return [named('S', 'P'), named('P', 'S')].sort()[0];
}

describe('syllogism generator', () => {
  for (const preset of PRESETS) {
    describe(`${preset} preset`, () => {
      for (const seed of SEEDS) {
        it(`seed ${seed}: deterministic, valid, exactly the answer follows`, () => {
          const ds = generateDataset({ kind: 'syllogism', seed, preset });
          expect(serializeDataset(generateDataset({ kind: 'syllogism', seed, preset }))).toBe(serializeDataset(ds));
          expect(parseDataset(serializeDataset(ds))).toEqual(ds);
          expectSound(ds);
        });
      }
    });
  }

  it('different seeds give different datasets', () => {
    const texts = SEEDS.map((seed) => serializeDataset(generateDataset({ kind: 'syllogism', seed })));
    expect(new Set(texts).size).toBe(SEEDS.length);
  });

  it('small preset is the default and its training text fits about 1,500 tokens (≤ 6,000 characters)', () => {
    for (const seed of SEEDS) {
      const ds = generateDataset({ kind: 'syllogism', seed });
      expect(ds.params.preset).toBe('small');
      expect(ds.train.map((d) => d.text).join('\n').length).toBeLessThanOrEqual(6000);
      expect(ds.test.length).toBe(60);
    }
  });

  it('paper preset has 69 items', () => {
    const ds = generateDataset({ kind: 'syllogism', seed: 3, preset: 'paper' });
    expect(ds.train.length).toBe(69);
    expect(ds.test.length).toBe(69);
  });

  it('a model that always prefers one quantifier, or one position, scores exactly chance (1/3)', () => {
    // Every item offers All, Some and No once each, so any fixed ranking of the words picks its top word.
    for (const preset of PRESETS) {
      for (const seed of SEEDS) {
        const ds = generateDataset({ kind: 'syllogism', seed, preset });
        for (const q of QUANTIFIERS) {
          expect(correctCount(ds, (t) => t.options.findIndex((o) => parseStatement(o)!.quantifier === q)) * 3).toBe(ds.test.length);
        }
        for (const position of [0, 1, 2]) expect(correctCount(ds, () => position) * 3).toBe(ds.test.length);
      }
    }
  });

  it('odd sizes stay sound and balanced', () => {
    for (const items of [3, 7, 31]) expectSound(generateDataset({ kind: 'syllogism', seed: items, params: { items } }));
  });

  it('uses every premise pair that concludes all/some/no between the end terms, and no other', () => {
    // Every premise pair over S-M and M-P, decided by the checker's model enumeration alone.
    const forms = (x: string, y: string): Statement[] =>
      QUANTIFIERS.flatMap((quantifier) => [{ quantifier, subject: x, object: y }, { quantifier, subject: y, object: x }]);
    const conclusive = new Set<string>();
    for (const p1 of forms('s', 'm'))
      for (const p2 of forms('m', 'p'))
        if (forms('s', 'p').some((c) => entails([p1, p2], c))) conclusive.add(shape([p1, p2]));

    const ds = generateDataset({ kind: 'syllogism', seed: 1, params: { items: 300 } });
    const premises = readPremises(ds.train);
    const used = new Set(ds.train.map((doc) => shape(premises.filter((p) => p.docId === doc.id))));
    expect(used).toEqual(conclusive);
    expect(conclusive.size).toBe(5);
  });
});

describe('syllogism checker', () => {
  const ds = generateDataset({ kind: 'syllogism', seed: 5 });
  const premises = readPremises(ds.train);
  const check = (item: TestItem) => checkSyllogismItem(premises, ds.train, item);
  const withAll = ds.test.find((t) => answerOf(t).quantifier === 'All')!;

  it('decides textbook cases without existential import', () => {
    const st = (text: string) => parseStatement(text)!;
    const barbara = [st('All m are p.'), st('All s are m.')];
    expect(entails(barbara, st('All s are p.'))).toBe(true);
    expect(entails(barbara, st('Some s are p.'))).toBe(false);
    expect(entails(barbara, st('Some p are s.'))).toBe(false);
    expect(entails(barbara, st('All p are s.'))).toBe(false);
    expect(entails([st('All s are m.')], st('Some s are m.'))).toBe(false);
    expect(entails([st('All m are s.'), st('All m are p.')], st('Some s are p.'))).toBe(false); // Darapti
    expect(entails([st('All m are p.'), st('Some s are m.')], st('Some p are s.'))).toBe(true); // Darii
    expect(entails([st('No m are p.'), st('All s are m.')], st('No p are s.'))).toBe(true); // Celarent
    const undistributed = [st('All s are m.'), st('All p are m.')];
    expect(['All s are p.', 'Some s are p.', 'No s are p.'].some((c) => entails(undistributed, st(c)))).toBe(false);
    const ferio = [st('No m are p.'), st('Some s are m.')]; // concludes only "some s are not p"
    expect(['All s are p.', 'All p are s.', 'Some s are p.', 'No s are p.'].some((c) => entails(ferio, st(c)))).toBe(false);
  });

  it('rejects an item whose answer does not follow', () => {
    for (const item of ds.test.slice(0, 6)) {
      const wrong = { ...item, answer: (item.answer + 1) % item.options.length };
      expect(check(wrong)).toContainEqual(expect.stringContaining('does not follow'));
    }
  });

  it('rejects a second entailed option, and options that are not one per quantifier', () => {
    const withSome = ds.test.find((t) => answerOf(t).quantifier === 'Some')!;
    const { subject, object } = answerOf(withSome);
    const converse = say({ quantifier: 'Some', subject: object, object: subject });
    const problems = check({ ...withSome, options: [...withSome.options, converse] });
    expect(problems).toContainEqual(expect.stringContaining('follows too'));
    expect(problems).toContainEqual(expect.stringContaining('not one each of'));

    // Swap the "No" distractor for the converse of the "All" answer: nothing else follows, but "All" comes twice.
    const noAt = withAll.options.findIndex((o) => parseStatement(o)!.quantifier === 'No');
    const reversed = say({ quantifier: 'All', subject: answerOf(withAll).object, object: answerOf(withAll).subject });
    const twoAll = { ...withAll, options: withAll.options.map((o, i) => (i === noAt ? reversed : o)) };
    expect(check(twoAll)).toEqual([`${withAll.id}: options use [${twoAll.options.map((o) => parseStatement(o)!.quantifier).join(', ')}], not one each of All, Some, No`]);

    const dropped = withAll.options.filter((_, i) => i !== noAt);
    expect(check({ ...withAll, options: dropped, answer: dropped.indexOf(withAll.options[withAll.answer]) })).toContainEqual(
      expect.stringContaining('not one each of'),
    );
  });

  it('rejects a question whose terms were related directly in training', () => {
    const { subject, object } = premises.find((p) => p.docId === withAll.derivation[0])!;
    const direct: TestItem = {
      ...withAll,
      prompt: `The relationships between ${subject} and ${object} are:`,
      options: QUANTIFIERS.flatMap((q) => [say({ quantifier: q, subject, object }), say({ quantifier: q, subject: object, object: subject })]),
    };
    expect(check(direct)).toContainEqual(expect.stringContaining('related directly'));
  });

  it('rejects a wrong derivation', () => {
    expect(check({ ...withAll, derivation: [ds.train.find((d) => d.id !== withAll.derivation[0])!.id] })).toContainEqual(expect.stringContaining('derivation'));
  });
});
