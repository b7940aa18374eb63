import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { countSplits, serializeDataset, type Dataset, type TestItem } from '../../src/data/format.ts';
import { generateDataset } from '../../src/data/generate.ts';
import { isEnglishWord } from '../../src/data/lexicon.ts';
import { expectWordBalanced } from './logic/word-bias.ts';

// The original JSON Lines, read without the generator: from ../shared when it is there, else rebuilt from the
// project's copy. Either way the text must match the checksums SOURCE.md records for the originals.
const COPY = fileURLToPath(new URL('../../src/data/reversal-curse/', import.meta.url));
const SHARED = process.env.GLON_REVERSAL_CURSE_DIR ?? fileURLToPath(new URL('../../../shared/datasets/reversal_curse/', import.meta.url));
const FILES = ['all_prompts_train', 'p2d_prompts_test', 'p2d_reverse_prompts_test'] as const;
type SourceFile = (typeof FILES)[number];
interface Line {
  prompt: string;
  completion: string;
}

const recorded = new Map(
  [...readFileSync(`${COPY}SOURCE.md`, 'utf8').matchAll(/^([0-9a-f]{64}) {2}(\S+)\.jsonl$/gm)].map((m) => [m[2], m[1]]),
);
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const rebuiltFromCopy = (name: SourceFile) =>
  (JSON.parse(readFileSync(`${COPY}${name}.json`, 'utf8')) as Line[])
    .map((o) => `{"prompt": ${JSON.stringify(o.prompt)}, "completion": ${JSON.stringify(o.completion)}}\n`)
    .join('');
const originalText = (name: SourceFile) =>
  existsSync(`${SHARED}${name}.jsonl`) ? readFileSync(`${SHARED}${name}.jsonl`, 'utf8') : rebuiltFromCopy(name);
const source = Object.fromEntries(
  FILES.map((name) => [name, originalText(name).trimEnd().split('\n').map((l) => JSON.parse(l) as Line)]),
) as Record<SourceFile, Line[]>;

/** The source line an id names: "train-0042" is line 42 of all_prompts_train.jsonl. */
const lineOf = (id: string, file: SourceFile): Line => source[file][Number(id.split('-')[1]) - 1];

// Celebrity names, found here on their own: p2d names are the reversal answers; the others open the completions
// of the description -> name sentences.
const REAL_NAMES = new Set(source.p2d_reverse_prompts_test.map((l) => l.completion.trim()));
for (const l of source.all_prompts_train) {
  const m = /^ ([A-Z][a-z]+ [A-Z][a-z]+)/.exec(l.completion);
  if (m) REAL_NAMES.add(m[1]);
}
const nameIn = (text: string) => [...REAL_NAMES].filter((n) => text.includes(n));

const generate = (seed: number, preset: 'small' | 'paper', names: 'real' | 'nonsense' = 'real') =>
  generateDataset({ kind: 'celebrity', seed, preset, params: { names } });
const small = generate(1, 'small');
const paper = generate(1, 'paper');
const paperNonsense = generate(1, 'paper', 'nonsense');
const itemsOf = (ds: Dataset, split: string) => ds.test.filter((t) => t.split === split);
const answerOf = (item: TestItem) => item.options[item.answer];
/** The celebrities the reversal split asks about: those trained only name -> description. */
const askedAbout = (ds: Dataset) => new Set(itemsOf(ds, 'reversal').map((t) => answerOf(t).trim()));

describe('celebrity source data', () => {
  it('the project copy is the original files, byte for byte', () => {
    for (const name of FILES) {
      expect(sha256(rebuiltFromCopy(name)), name).toBe(recorded.get(name));
      expect(sha256(originalText(name)), name).toBe(recorded.get(name));
    }
  });

  it('has 90 celebrities, one in every line', () => {
    expect(REAL_NAMES.size).toBe(90);
    for (const file of FILES) for (const l of source[file]) expect(nameIn(l.prompt + l.completion)).toHaveLength(1);
  });
});

describe('celebrity kind', () => {
  it('is determined by the seed', () => {
    for (const names of ['real', 'nonsense'] as const) {
      expect(serializeDataset(generate(5, 'small', names))).toBe(serializeDataset(generate(5, 'small', names)));
      expect(serializeDataset(generate(5, 'small', names))).not.toBe(serializeDataset(generate(6, 'small', names)));
    }
    expect(serializeDataset(generate(1, 'paper'))).toBe(serializeDataset(paper));
  });

  it('paper preset: all 3,600 training lines, 300 reversal and 296 memorization items of 4 options', () => {
    expect(paper.train.map((d) => d.text)).toEqual(source.all_prompts_train.map((l) => l.prompt + l.completion));
    expect([...countSplits(paper)]).toEqual([
      ['reversal', 300],
      // Groups of 4 sharing their options: 4 of the 300 find no partners.
      ['memorization', 296],
    ]);
    expect(paper.test.every((t) => t.options.length === 4)).toBe(true);
  });

  it('small preset: a few celebrities of every group, at most 6,000 characters of training text', () => {
    expect(small.train).toHaveLength(32);
    expect([...countSplits(small)]).toEqual([
      ['reversal', 40],
      ['memorization', 40],
    ]);
    for (let seed = 0; seed < 40; seed++)
      for (const names of ['real', 'nonsense'] as const) {
        const chars = generate(seed, 'small', names).train.reduce((sum, d) => sum + d.text.length, 0);
        expect(chars).toBeLessThanOrEqual(6000);
      }
  });

  it('trains on source lines unchanged, each document naming its source line', () => {
    for (const ds of [small, paper])
      for (const doc of ds.train) {
        const line = lineOf(doc.id, 'all_prompts_train');
        expect(doc.text).toBe(line.prompt + line.completion);
      }
  });

  it('reversal: the description from the source, the true name as answer, names of other name -> description celebrities as distractors', () => {
    for (const ds of [small, paper]) {
      const trainText = ds.train.map((d) => d.text).join('\n');
      for (const item of itemsOf(ds, 'reversal')) {
        const line = lineOf(item.id, 'p2d_reverse_prompts_test');
        expect(item.prompt).toBe(line.prompt);
        expect(answerOf(item)).toBe(line.completion);
        for (const option of item.options) {
          expect(REAL_NAMES.has(option.slice(1)) && option.startsWith(' ')).toBe(true);
          expect(askedAbout(ds).has(option.trim())).toBe(true);
          expect(trainText).toContain(option.slice(1));
        }
      }
    }
  });

  it('memorization: the name in a new frame, the trained description as answer, same-frame descriptions as distractors', () => {
    for (const ds of [small, paper])
      for (const item of itemsOf(ds, 'memorization')) {
        const line = lineOf(item.id, 'p2d_prompts_test');
        expect(item.prompt).toBe(line.prompt);
        expect(answerOf(item)).toBe(line.completion);
        const [name] = nameIn(item.prompt);
        const sameFrame = source.p2d_prompts_test.filter((l) => l.prompt.replace(nameIn(l.prompt)[0], name) === item.prompt);
        for (const option of item.options) expect(sameFrame.map((l) => l.completion)).toContain(option);
      }
  });

  it('derives each item from exactly its celebrity\'s name -> description training lines', () => {
    for (const ds of [small, paper])
      for (const item of ds.test) {
        const [name] = nameIn(item.prompt + answerOf(item));
        const nameFirst = ds.train.filter((d) => lineOf(d.id, 'all_prompts_train').prompt.includes(name)).map((d) => d.id);
        expect(item.derivation).toEqual(nameFirst);
        expect(item.derivation.length).toBe(ds === small ? 2 : 30);
      }
  });

  it('trains reversal-test celebrities only name -> description', () => {
    expect(askedAbout(paper).size).toBe(30);
    for (const l of source.all_prompts_train) {
      const [name] = nameIn(l.prompt + l.completion);
      if (askedAbout(paper).has(name)) expect(l.prompt).toContain(name);
    }
  });

  it('makes every option string the answer in exactly 1/4 of the items it is in, so no liking for a name scores above chance', () => {
    for (const ds of [small, paper, generate(9, 'small', 'nonsense'), generate(4, 'paper', 'nonsense')])
      for (const split of ['reversal', 'memorization']) expectWordBalanced(itemsOf(ds, split), ds.seed);
  });

  it('puts the answer equally often at every position', () => {
    for (const ds of [small, paper, generate(9, 'small', 'nonsense')])
      for (const split of ['reversal', 'memorization']) {
        const items = itemsOf(ds, split);
        const counts = [0, 1, 2, 3].map((p) => items.filter((t) => t.answer === p).length);
        expect(counts).toEqual([0, 1, 2, 3].map(() => items.length / 4));
      }
  });

  it('nonsense names: no real name is left anywhere', () => {
    // Name words the source also uses outside a name ("Mariana Trench") may stay; nothing else may.
    const words = new Set([...REAL_NAMES].flatMap((n) => n.split(' ')));
    const outsideNames = new Set(
      FILES.flatMap((f) => source[f]).flatMap((l) => {
        let text = l.prompt + l.completion;
        for (const n of REAL_NAMES) text = text.replaceAll(n, '');
        return [...words].filter((w) => new RegExp(`\\b${w}\\b`).test(text));
      }),
    );
    for (const ds of [paperNonsense, generate(2, 'small', 'nonsense'), generate(3, 'small', 'nonsense')]) {
      const text = [...ds.train.map((d) => d.text), ...ds.test.flatMap((t) => [t.prompt, ...t.options])].join('\n');
      for (const name of REAL_NAMES) expect(text).not.toContain(name);
      const left = [...words].filter((w) => new RegExp(`\\b${w}\\b`).test(text));
      expect(left.filter((w) => !outsideNames.has(w))).toEqual([]);
    }
  });

  it('nonsense names: Lexicon names, each real name replaced by the same one everywhere', () => {
    const real = paper;
    const nonsense = paperNonsense;
    const lexicon = new Set(nonsense.lexicon.names);
    for (const word of lexicon) {
      expect(word).toMatch(/^[A-Z][a-z]{3,4}$/);
      expect(isEnglishWord(word)).toBe(false);
    }
    // Same seed, same choices: line up both datasets word by word; only name words differ.
    const pairs = (a: string, b: string) => {
      const [x, y] = [a.split(' '), b.split(' ')];
      expect(y).toHaveLength(x.length);
      return x.map((w, i) => [w.replace(/\W+$/, ''), y[i].replace(/\W+$/, '')] as const).filter(([u, v]) => u !== v);
    };
    const texts = (ds: Dataset) => [...ds.train.map((d) => d.text), ...ds.test.flatMap((t) => [t.prompt, ...t.options])];
    const forward = new Map<string, string>();
    const backward = new Map<string, string>();
    const [realTexts, nonsenseTexts] = [texts(real), texts(nonsense)];
    realTexts.forEach((text, i) => {
      for (const [from, to] of pairs(text, nonsenseTexts[i])) {
        expect(lexicon.has(to)).toBe(true);
        expect(forward.get(from) ?? to).toBe(to);
        expect(backward.get(to) ?? from).toBe(from);
        forward.set(from, to);
        backward.set(to, from);
      }
    });
    expect([...forward.keys()].sort()).toEqual([...new Set([...REAL_NAMES].flatMap((n) => n.split(' ')))].sort());
    expect(nonsense.test.map((t) => t.answer)).toEqual(real.test.map((t) => t.answer));
  });
});
