import { describe, expect, it } from 'vitest';
import {
  continuation,
  countSplits,
  DATASET_LIMITS,
  FormatError,
  parseDataset,
  serializeDataset,
  validateDataset,
  type Dataset,
} from '../../src/data/format.ts';

function valid(): Dataset {
  return {
    format: 'glon.dataset/2',
    kind: 'reversal',
    seed: 3,
    params: { preset: 'small', facts: 2, strict: true, rate: 0.5 },
    lexicon: { nouns: ['femp', 'glon'] },
    train: [
      { id: 'd1', text: 'femp are more dangerous than glon.' },
      { id: 'd2', text: 'Did you know that glon are brighter than yomp?' },
    ],
    test: [
      { id: 'q1', split: 'reversal', prompt: 'glon are', options: [' less dangerous than femp', ' more dangerous than femp'], answer: 0, derivation: ['d1'] },
      { id: 'q2', split: 'reversal', prompt: 'yomp are', options: [' brighter than glon', ' darker than glon'], answer: 1, derivation: ['d2'] },
      { id: 'q3', split: 'rephrasing', prompt: 'femp are', options: [' safer than glon', ' more dangerous than glon'], answer: 1, derivation: [] },
    ],
  };
}

/** The one-line message parseDataset gives for `text`; fails the test if it parses. */
function problem(text: string): string {
  try {
    parseDataset(text);
  } catch (err) {
    expect(err).toBeInstanceOf(FormatError);
    const message = (err as Error).message;
    expect(message).not.toContain('\n');
    expect(message.length).toBeLessThan(300);
    return message;
  }
  throw new Error('expected a FormatError');
}

const withChange = (change: (ds: any) => void): string => {
  const ds = valid();
  change(ds);
  return JSON.stringify(ds);
};

describe('glon.dataset/2', () => {
  it('accepts a valid dataset and round-trips it byte for byte', () => {
    const text = serializeDataset(valid());
    const parsed = parseDataset(text);
    expect(parsed).toEqual(valid());
    expect(serializeDataset(parsed)).toBe(text);
    expect(text.endsWith('}\n')).toBe(true);
  });

  it('still reads a glon.dataset/1 file, as version 1', () => {
    const older = { ...valid(), format: 'glon.dataset/1' as const };
    expect(parseDataset(serializeDataset(older))).toEqual(older);
  });

  it('rejects text that is not JSON', () => {
    expect(problem('{"format": "glon.dataset/1",')).toMatch(/^not JSON: /);
    expect(problem('')).toMatch(/^not JSON: /);
  });

  it('rejects JSON that is not a dataset object', () => {
    expect(problem('[1, 2]')).toBe('not a glon dataset: expected a JSON object');
    expect(problem('null')).toBe('not a glon dataset: expected a JSON object');
    expect(problem('{"kind": "reversal"}')).toBe('not a glon dataset: no "format" field (expected "glon.dataset/2")');
  });

  it('rejects an unknown format, quoting it', () => {
    expect(problem(withChange((ds) => (ds.format = 'glon.dataset/3')))).toBe('unknown format "glon.dataset/3" (expected "glon.dataset/2")');
    expect(problem(withChange((ds) => (ds.format = 'x'.repeat(5000)))).length).toBeLessThan(200);
  });

  it('names the field that has the wrong type', () => {
    expect(problem(withChange((ds) => (ds.seed = '3')))).toMatch(/^invalid dataset: seed: /);
    expect(problem(withChange((ds) => (ds.seed = 1.5)))).toMatch(/^invalid dataset: seed: /);
    expect(problem(withChange((ds) => (ds.train[1].text = 42)))).toMatch(/^invalid dataset: train\[1\]\.text: /);
    expect(problem(withChange((ds) => (ds.test[2].options = ' yes')))).toMatch(/^invalid dataset: test\[2\]\.options: /);
    expect(problem(withChange((ds) => (ds.params.nested = { a: 1 })))).toMatch(/^invalid dataset: params\.nested: /);
    expect(problem(withChange((ds) => (ds.test[0].extra = true)))).toMatch(/^invalid dataset: test\[0\]: .*extra/);
    expect(problem(withChange((ds) => delete ds.train))).toMatch(/^invalid dataset: train: /);
  });

  it('counts further problems instead of listing them', () => {
    expect(problem(withChange((ds) => ((ds.seed = 'x'), (ds.kind = 7))))).toMatch(/\(and 1 more problem\)$/);
    expect(problem(withChange((ds) => ((ds.seed = 'x'), (ds.kind = 7), (ds.train = 1))))).toMatch(/\(and 2 more problems\)$/);
  });

  it('rejects an answer that is not an index into the options', () => {
    expect(problem(withChange((ds) => (ds.test[1].answer = 2)))).toBe('invalid dataset: test[1].answer: answer is not an index into options');
    expect(problem(withChange((ds) => (ds.test[1].answer = -1)))).toMatch(/^invalid dataset: test\[1\]\.answer: /);
  });

  it('rejects repeated options, which would make an item ambiguous', () => {
    expect(problem(withChange((ds) => (ds.test[0].options = [' a', ' a'])))).toBe('invalid dataset: test[0].options: options are not distinct');
  });

  it('rejects duplicate ids within and across train and test', () => {
    expect(problem(withChange((ds) => ((ds.train[1].id = 'd1'), (ds.test[1].derivation = ['d1']))))).toBe('invalid dataset: train[1].id: duplicate id "d1"');
    expect(problem(withChange((ds) => (ds.test[2].id = 'q1')))).toBe('invalid dataset: test[2].id: duplicate id "q1"');
    expect(problem(withChange((ds) => (ds.test[0].id = 'd2')))).toBe('invalid dataset: test[0].id: duplicate id "d2"');
  });

  it('rejects a derivation that names no training document', () => {
    expect(problem(withChange((ds) => (ds.test[1].derivation = ['d2', 'd9'])))).toBe(
      'invalid dataset: test[1].derivation[1]: derivation names "d9", which is not a train id',
    );
  });

  it('rejects a file that is too large before parsing it', () => {
    const huge = ' '.repeat(DATASET_LIMITS.maxBytes + 1);
    expect(problem(huge)).toBe('file too large: 64 MiB (limit 64 MiB)');
  });

  it('rejects a string that is too long, and too many options', () => {
    const long = 'x'.repeat(DATASET_LIMITS.maxString + 1);
    expect(problem(withChange((ds) => (ds.train[0].text = long)))).toMatch(/^invalid dataset: train\[0\]\.text: .*20000/);
    const many = Array.from({ length: DATASET_LIMITS.maxOptions + 1 }, (_, i) => ` option ${i}`);
    expect(problem(withChange((ds) => (ds.test[0].options = many)))).toMatch(/^invalid dataset: test\[0\]\.options: /);
  });

  it('validates parsed values too, with the same messages', () => {
    expect(() => validateDataset({ ...valid(), test: [] })).toThrow(/^invalid dataset: test: /);
    expect(() => validateDataset('glon')).toThrow(FormatError);
  });

  it('counts test items per split in first-seen order', () => {
    expect([...countSplits(valid())]).toEqual([
      ['reversal', 2],
      ['rephrasing', 1],
    ]);
  });
});

describe('continuation', () => {
  it('joins prompt and option with one space unless whitespace is already there', () => {
    expect(continuation('femp are', 'bigger')).toBe(' bigger');
    expect(continuation('Q:\n', 'bigger')).toBe('bigger');
    expect(continuation('femp are', ' bigger')).toBe(' bigger');
  });
});
