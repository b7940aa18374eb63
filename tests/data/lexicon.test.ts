import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isEnglishWord, Lexicon, WORD_TYPES, type WordType } from '../../src/data/lexicon.ts';
import { Rng } from '../../src/util/rng.ts';
import shippedWords from '../../src/data/english-words.json';

// The full system dictionary (CI installs wamerican), every length and form, rather than the shipped 3-6 letter
// extract the lexicon itself uses; without it, the shipped list.
const DICTIONARY = '/usr/share/dict/american-english';
const english = new Set(
  (existsSync(DICTIONARY) ? readFileSync(DICTIONARY, 'utf8').split('\n') : (shippedWords as string[])).map((w) => w.toLowerCase()),
);

const SHAPE: Record<WordType, RegExp> = {
  noun: /^[a-z]{4,5}$/,
  verb: /^[a-z]{4,5}$/,
  adjective: /^[a-z]{3,4}y$/,
  name: /^[A-Z][a-z]{3,4}$/,
};

/** Takes words until the pool runs out; the error must say which type ran out. */
function takeAll(lexicon: Lexicon, type: WordType): string[] {
  const words: string[] = [];
  for (;;) {
    try {
      words.push(lexicon.take(type));
    } catch (err) {
      expect(err).toBeInstanceOf(RangeError);
      expect((err as Error).message).toBe(`the lexicon ran out of ${type} words`);
      return words;
    }
  }
}

describe('Lexicon', () => {
  it('never hands out an English word, over many seeds and every type', () => {
    for (let seed = 0; seed < 20; seed++) {
      const lexicon = new Lexicon(new Rng(seed));
      for (const type of WORD_TYPES)
        for (const word of lexicon.takeMany(type, 150)) {
          expect(english.has(word.toLowerCase()), `${word} is English`).toBe(false);
          expect(isEnglishWord(word)).toBe(false);
        }
    }
  });

  it('checks every candidate it has: a whole pool of one seed holds no English word', () => {
    const lexicon = new Lexicon(new Rng('all'));
    const words = [...takeAll(lexicon, 'noun'), ...takeAll(lexicon, 'adjective')];
    expect(words.length).toBeGreaterThan(4000);
    expect(words.filter((w) => english.has(w))).toEqual([]);
  });

  it('gives 4-5 letter words of the right shape, names capitalized, adjectives ending in -y', () => {
    const lexicon = new Lexicon(new Rng(1));
    for (const type of WORD_TYPES) for (const word of lexicon.takeMany(type, 300)) expect(word).toMatch(SHAPE[type]);
  });

  it('never repeats a word in one lexicon, across types too', () => {
    const lexicon = new Lexicon(new Rng(2));
    const words = WORD_TYPES.flatMap((type) => lexicon.takeMany(type, 500)).map((w) => w.toLowerCase());
    expect(new Set(words).size).toBe(words.length);
  });

  it('is determined by its seed', () => {
    const words = (seed: number) => {
      const lexicon = new Lexicon(new Rng(seed));
      return WORD_TYPES.flatMap((type) => lexicon.takeMany(type, 20));
    };
    expect(words(3)).toEqual(words(3));
    expect(words(3)).not.toEqual(words(4));
  });

  it('records what it handed out by type, and leaves unused types out', () => {
    const lexicon = new Lexicon(new Rng(5));
    const nouns = lexicon.takeMany('noun', 3);
    const names = lexicon.takeMany('name', 2);
    expect(lexicon.used()).toEqual({ nouns, names });
    expect(new Lexicon(new Rng(5)).used()).toEqual({});
  });

  it('never uses an excluded word, in any case', () => {
    const first = new Lexicon(new Rng(6)).takeMany('noun', 200);
    const lexicon = new Lexicon(new Rng(6), { exclude: first.slice(0, 100).map((w) => w.toUpperCase()) });
    const second = [...lexicon.takeMany('noun', 200), ...lexicon.takeMany('name', 200).map((w) => w.toLowerCase())];
    expect(second.filter((w) => first.slice(0, 100).includes(w))).toEqual([]);
  });

  it('keeps only words with at least minTokens tokens, counted on the word as shown', () => {
    // A stand-in tokenizer: one token per vowel group, so "zolak" has 2 and "glon" 1.
    const counted: string[] = [];
    const tokenCount = (word: string) => {
      counted.push(word);
      return word.toLowerCase().match(/[aeiouy]+/g)!.length;
    };
    const lexicon = new Lexicon(new Rng(7), { tokenCount, minTokens: 2 });
    for (const type of WORD_TYPES) for (const word of lexicon.takeMany(type, 100)) expect(tokenCount(word)).toBeGreaterThanOrEqual(2);
    expect(counted.some((w) => /^[A-Z]/.test(w))).toBe(true);
    // Without minTokens the counter is not a filter.
    const unfiltered = new Lexicon(new Rng(7), { tokenCount }).takeMany('noun', 100);
    expect(unfiltered.some((w) => tokenCount(w) === 1)).toBe(true);
  });

  it('runs out cleanly with a RangeError naming the type, and other pools keep working', () => {
    const lexicon = new Lexicon(new Rng(8), { tokenCount: (w) => w.length, minTokens: 5 });
    const fives = takeAll(lexicon, 'verb');
    expect(fives.length).toBeGreaterThan(100);
    expect(fives.every((w) => w.length === 5)).toBe(true);
    expect(() => lexicon.take('noun')).toThrow('the lexicon ran out of noun words');
    expect(lexicon.take('adjective')).toMatch(SHAPE.adjective);
  });
});
