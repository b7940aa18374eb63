import { describe, expect, it } from 'vitest';
import { fitDocuments } from '../../src/eval/fit-context.ts';
import { Rng } from '../../src/data/rng.ts';

const docs = Array.from({ length: 40 }, (_, i) => `document ${String(i).padStart(2, '0')} says this`);
const underChars = (limit: number) => (kept: string[]) => kept.join('\n').length <= limit;

describe('fitDocuments', () => {
  it('keeps everything when it fits', () => {
    expect(fitDocuments(docs, () => true, new Rng(1))).toEqual({ kept: docs, total: 40, subsampled: false });
  });

  it('keeps the largest seeded subset that fits, in the original order', () => {
    const fits = underChars(400);
    const { kept, total, subsampled } = fitDocuments(docs, fits, new Rng(1));
    expect(subsampled).toBe(true);
    expect(total).toBe(40);
    expect(fits(kept)).toBe(true);
    // 21 characters a document plus newlines between them: 18 take 395 characters, 19 take 417.
    expect(kept.length).toBe(18);
    const positions = kept.map((d) => docs.indexOf(d));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  it('chooses by seed', () => {
    const fits = underChars(400);
    expect(fitDocuments(docs, fits, new Rng(1))).toEqual(fitDocuments(docs, fits, new Rng(1)));
    expect(fitDocuments(docs, fits, new Rng(1)).kept).not.toEqual(fitDocuments(docs, fits, new Rng(2)).kept);
  });

  it('says so when not even the test items fit', () => {
    expect(() => fitDocuments(docs, () => false, new Rng(1))).toThrow(/do not fit the model's context even without training text/);
  });
});
