import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/util/rng.ts';

const draws = (rng: Rng, n = 50) => Array.from({ length: n }, () => rng.nextUint32());

/** Pearson's chi-square statistic of observed counts against a uniform expectation. */
function chiSquare(counts: readonly number[]): number {
  const expected = counts.reduce((a, b) => a + b, 0) / counts.length;
  return counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
}

describe('Rng', () => {
  it('gives the same stream for the same seed, and a different one for another seed', () => {
    expect(draws(new Rng(42))).toEqual(draws(new Rng(42)));
    expect(draws(new Rng('42'))).toEqual(draws(new Rng(42)));
    expect(draws(new Rng(43))).not.toEqual(draws(new Rng(42)));
    expect(draws(new Rng('reversal/0'))).not.toEqual(draws(new Rng('syllogism/0')));
  });

  it('forks streams that do not depend on draws made elsewhere', () => {
    const quiet = new Rng(7);
    const busy = new Rng(7);
    draws(busy, 1000);
    busy.fork('other').shuffle([1, 2, 3]);
    expect(draws(busy.fork('words'))).toEqual(draws(quiet.fork('words')));
    expect(draws(quiet.fork('words').fork('nouns'))).toEqual(draws(new Rng(7).fork('words').fork('nouns')));
  });

  it('forks streams that differ from each other and from the parent', () => {
    const rng = new Rng(7);
    const streams = [draws(new Rng(7)), draws(rng.fork('a')), draws(rng.fork('b')), draws(rng.fork('a').fork('a'))];
    expect(new Set(streams.map((s) => s.join())).size).toBe(streams.length);
  });

  it('next() stays in [0, 1)', () => {
    const rng = new Rng(1);
    for (let i = 0; i < 10_000; i++) {
      const x = rng.next();
      expect(x >= 0 && x < 1).toBe(true);
    }
  });

  it('int(n) gives integers in [0, n), uniformly', () => {
    const rng = new Rng(3);
    for (const n of [1, 2, 3, 7, 1000, 2 ** 31 + 11, 2 ** 32]) {
      for (let i = 0; i < 2000; i++) {
        const x = rng.int(n);
        expect(Number.isInteger(x) && x >= 0 && x < n).toBe(true);
      }
    }
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 100_000; i++) counts[rng.int(10)]++;
    // 27.88 is the 99.9th percentile of chi-square with 9 degrees of freedom.
    expect(chiSquare(counts)).toBeLessThan(27.88);
    // A range that is not a divisor of 2^32, where plain modulo would favour the low values.
    const big = 3 * 2 ** 30;
    const halves = [0, 0];
    for (let i = 0; i < 100_000; i++) halves[rng.int(big) < big / 2 ? 0 : 1]++;
    expect(chiSquare(halves)).toBeLessThan(10.83);
  });

  it('int rejects sizes that are not positive integers', () => {
    const rng = new Rng(0);
    for (const n of [0, -1, 1.5, NaN]) expect(() => rng.int(n)).toThrow(RangeError);
  });

  it('range(lo, hi) includes both ends', () => {
    const rng = new Rng(5);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(rng.range(-2, 2));
    expect([...seen].sort((a, b) => a - b)).toEqual([-2, -1, 0, 1, 2]);
  });

  it('shuffle returns a permutation and leaves its input alone', () => {
    const rng = new Rng(9);
    const items = Array.from({ length: 100 }, (_, i) => i);
    const copy = items.slice();
    const shuffled = rng.shuffle(items);
    expect(items).toEqual(copy);
    expect(shuffled).not.toEqual(items);
    expect(shuffled.slice().sort((a, b) => a - b)).toEqual(items);
  });

  it('shuffle makes every order equally likely', () => {
    const rng = new Rng(11);
    const counts = new Map<string, number>();
    for (let i = 0; i < 60_000; i++) {
      const order = rng.shuffle(['a', 'b', 'c']).join('');
      counts.set(order, (counts.get(order) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    // 20.52: the 99.9th percentile of chi-square with 5 degrees of freedom.
    expect(chiSquare([...counts.values()])).toBeLessThan(20.52);
  });

  it('sample draws distinct items and refuses to draw more than there are', () => {
    const rng = new Rng(2);
    const picked = rng.sample(['a', 'b', 'c', 'd', 'e'], 3);
    expect(picked).toHaveLength(3);
    expect(new Set(picked).size).toBe(3);
    expect(() => rng.sample([1, 2], 3)).toThrow(RangeError);
    expect(() => rng.pick([])).toThrow(RangeError);
  });

  it('normal() has mean 0 and variance 1', () => {
    const rng = new Rng(4);
    const xs = Array.from({ length: 50_000 }, () => rng.normal());
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(variance - 1)).toBeLessThan(0.03);
  });
});
