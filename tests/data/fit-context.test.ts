import { describe, expect, it } from 'vitest';
import { fitDocuments } from '../../src/data/fit-context.ts';
import { Rng } from '../../src/util/rng.ts';

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

  it('never asks about more than twice the documents that fit, so a huge dataset is never tokenized whole', () => {
    const many = Array.from({ length: 100_000 }, (_, i) => `document ${i}`);
    let largest = 0;
    const fits = (kept: string[]) => {
      largest = Math.max(largest, kept.length);
      return kept.length <= 30;
    };
    expect(fitDocuments(many, fits, new Rng(1)).kept).toHaveLength(30);
    expect(largest).toBeLessThanOrEqual(2 * 30 + 1);
  });

  it('keeps what the largest fitting prefix of the seeded order keeps (existing results do not change)', () => {
    // An independent statement of the choice: scan every prefix of the same seeded shuffle.
    const reference = (all: string[], fits: (d: string[]) => boolean, seed: number) => {
      const order = new Rng(seed).shuffle(all.map((_, i) => i));
      const subset = (k: number) => order.slice(0, k).sort((a, b) => a - b).map((i) => all[i]);
      let k = 0;
      while (k < all.length && fits(subset(k + 1))) k++;
      return { kept: subset(k), total: all.length, subsampled: k < all.length };
    };
    const lengths = new Rng('lengths');
    for (let n = 1; n <= 60; n += 7)
      for (const limit of [50, 200, 700, 5000]) {
        const all = Array.from({ length: n }, (_, i) => `doc ${i} ${'x'.repeat(Math.floor(lengths.next() * 60))}`);
        for (const seed of [1, 2, 3]) expect(fitDocuments(all, underChars(limit), new Rng(seed))).toEqual(reference(all, underChars(limit), seed));
      }
  });
});
