import { describe, expect, it } from 'vitest';
import { generateDataset } from '../../src/data/generate.ts';
import { continuation } from '../../src/data/format.ts';
import { datasetWords, filterSentences, heldOutStatements, normalizeSentence, splitSentences } from '../../src/augment/sentences.ts';

describe('splitSentences', () => {
  it('splits lines and sentences, dropping list markers and blank lines', () => {
    expect(splitSentences('- Glon are big.  Femp are small!\n\n2) Is yomp red? Yes.\n* troff  can   swim\n• Last one.')).toEqual([
      'Glon are big.',
      'Femp are small!',
      'Is yomp red?',
      'Yes.',
      'troff can swim',
      'Last one.',
    ]);
  });

  it('keeps a question with its answer, on one line or two', () => {
    expect(splitSentences('Q: What can drolt do?\nA: Drolt can rorn.\nQ: Who is Goten? A: Goten is a zosk.')).toEqual([
      'Q: What can drolt do? A: Drolt can rorn.',
      'Q: Who is Goten? A: Goten is a zosk.',
    ]);
    expect(splitSentences('A: an answer alone.\nQ: a question alone?')).toEqual(['A: an answer alone.', 'Q: a question alone?']);
  });

  it('keeps a heading with the line after it', () => {
    expect(splitSentences('Facts about zosk:\n- Zosk are a type of dilt.\n- Zosk are nomy.')).toEqual(['Facts about zosk: Zosk are a type of dilt.', 'Zosk are nomy.']);
  });

  it('does not split inside numbers or words', () => {
    expect(splitSentences('Glon weigh 3.5 kg.Femp too.')).toEqual(['Glon weigh 3.5 kg.Femp too.']);
  });
});

describe('normalizeSentence', () => {
  it('compares words only', () => {
    expect(normalizeSentence('  Glon\'s   are BIG, really!  ')).toBe('glon s are big really');
    expect(normalizeSentence('Ｇｌｏｎ are – big.')).toBe('glon are big');
  });
});

describe('filterSentences', () => {
  const reversal = generateDataset({ kind: 'reversal', seed: 1, preset: 'small' });
  const reversed = reversal.test.find((item) => item.split === 'reversal')!;
  const memorized = reversal.test.find((item) => item.split === 'memorization')!;
  const statement = (prompt: string, option: string) => prompt + continuation(prompt, option);
  const word = reversal.lexicon.nouns[0];
  const source = reversal.train[0].id;
  const filter = (...texts: string[]) => filterSentences(texts.map((text) => ({ text, source })), reversal);

  it('keeps a new sentence about the dataset, with its source', () => {
    expect(filter(`Few things are as big as ${word}.`)).toEqual({ kept: [{ text: `Few things are as big as ${word}.`, source }], dropped: {} });
  });

  it('drops every held-out test statement, the right answer and the wrong one, however it is embedded', () => {
    const right = statement(reversed.prompt, reversed.options[reversed.answer]);
    const wrong = statement(reversed.prompt, reversed.options[1 - reversed.answer]);
    const { kept, dropped } = filter(`${right}.`, `Everyone knows that ${wrong.toUpperCase()}!`, `It is said: "${right}", they say.`);
    expect(kept).toEqual([]);
    expect(dropped).toEqual({ 'test-text': 3 });
  });

  it('counts a memorization statement as not held out, since the training text states it', () => {
    const known = statement(memorized.prompt, memorized.options[memorized.answer]);
    expect(heldOutStatements(reversal)).not.toContain(normalizeSentence(known));
    expect(filter(`Indeed, ${known}.`).kept).toHaveLength(1);
    // The wrong option of a memorization item is stated nowhere in the training text: it is held out.
    expect(filter(`Indeed, ${statement(memorized.prompt, memorized.options[1 - memorized.answer])}.`).dropped).toEqual({ 'test-text': 1 });
  });

  it('matches test text on whole words only', () => {
    const right = normalizeSentence(statement(reversed.prompt, reversed.options[reversed.answer]));
    expect(filter(`${right}x is not a test statement.`).kept).toHaveLength(1);
  });

  it('drops duplicates, copies of training sentences, sentences without a dataset word, and bad lengths', () => {
    const copy = reversal.train[1].text;
    const { kept, dropped } = filter(
      `Few things are as big as ${word}.`,
      `few things are AS big as ${word}!`,
      copy.toLowerCase(),
      'The cat sat on the mat.',
      `${word} rocks.`.slice(0, 4) + '.',
      `${word} are ${'very '.repeat(70)}big.`,
      `${word} are bigger than`,
    );
    expect(kept.map((s) => s.text)).toEqual([`Few things are as big as ${word}.`]);
    expect(dropped).toEqual({ duplicate: 1, copy: 1, 'no-dataset-word': 1, 'too-short': 1, 'too-long': 1, unfinished: 1 });
  });

  it('uses the non-English words of the training text when the kind has no lexicon (celebrity)', () => {
    const celebrity = generateDataset({ kind: 'celebrity', seed: 1, preset: 'small' });
    expect(Object.values(celebrity.lexicon).flat()).toEqual([]);
    const words = datasetWords(celebrity);
    expect(words.size).toBeGreaterThan(0);
    for (const w of ['the', 'known', 'name']) expect(words.has(w)).toBe(false);
    const item = celebrity.test.find((t) => t.split === 'reversal')!;
    const name = item.options[item.answer].trim();
    const { kept, dropped } = filterSentences(
      [
        { text: `The person we mean is ${name}.`, source: 'x' },
        { text: 'The person we mean is very famous.', source: 'x' },
        { text: `${item.prompt}${continuation(item.prompt, item.options[item.answer])}.`, source: 'x' },
      ],
      celebrity,
    );
    expect(kept.map((s) => s.text)).toEqual([`The person we mean is ${name}.`]);
    expect(dropped).toEqual({ 'no-dataset-word': 1, 'test-text': 1 });
  });
});
