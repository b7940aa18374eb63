import { describe, expect, it } from 'vitest';
import { FormatError } from '../../src/data/format.ts';
import { Rng } from '../../src/util/rng.ts';
import { validateResult, type EvalResult, type ItemResult } from '../../src/eval/result.ts';
import { accuracyOverSeeds, summarize, summaryMarkdown, validateSummary, type Summary } from '../../src/experiment/summary.ts';
import { clopperPearson } from '../../src/eval/proportion-interval.ts';
import { tInterval } from '../../src/eval/t-interval.ts';

/** Hits per split: 1 = the option chosen is the answer. acc_norm gets `normHits` when given, else the same hits. */
type Hits = Record<string, { acc: number[]; norm?: number[]; options?: number }>;

function result(condition: string, seed: number, splits: Hits): EvalResult {
  const items: ItemResult[] = [];
  const tallies: EvalResult['splits'] = {};
  for (const [split, { acc, norm = acc, options = 2 }] of Object.entries(splits)) {
    acc.forEach((hit, i) => {
      const wrong = (1 + i) % options || 1;
      items.push({
        id: `${split}-${i}`,
        split,
        logprobs: Array.from({ length: options }, (_, k) => -1 - k),
        normalized: Array.from({ length: options }, (_, k) => -0.1 - k),
        tokens: Array.from({ length: options }, () => 2),
        chosen: hit ? 0 : wrong,
        chosenNormalized: norm[i] ? 0 : wrong,
        answer: 0,
      });
    });
    const correct = acc.reduce((a, b) => a + b, 0);
    const correctNorm = norm.reduce((a, b) => a + b, 0);
    tallies[split] = {
      n: acc.length,
      chance: 1 / options,
      correct,
      accuracy: correct / acc.length,
      ci: [0, 1],
      normalized: { correct: correctNorm, accuracy: correctNorm / acc.length, ci: [0, 1] },
    };
  }
  return validateResult({
    format: 'glon.result/2',
    dataset: { kind: 'reversal', seed, hash: 'a'.repeat(64) },
    model: 'stories260K@fp32',
    condition,
    device: 'cpu',
    dtype: 'fp32',
    template: 'plain',
    seed,
    context: { tokens: 1, documents: null, subsampled: false },
    notes: [],
    splits: tallies,
    items,
    timing: { started: '2025-01-01T00:00:00Z', seconds: 0 },
  });
}

const ones = (n: number) => Array.from({ length: n }, () => 1);
const zeros = (n: number) => Array.from({ length: n }, () => 0);
/** k hits out of n, spread evenly. */
const spread = (k: number, n: number) => Array.from({ length: n }, (_, i) => (Math.floor(((i + 1) * k) / n) > Math.floor((i * k) / n) ? 1 : 0));
const never = () => false;
const row = (s: Summary, split: string, condition: string) => s.rows.find((r) => r.split === split && r.condition === condition)!;

describe('summarize', () => {
  it('gives the exact interval of the pooled items when the seeds are of one size, never [1, 1] or [0, 0]', () => {
    const results = [1, 2, 3].map((seed) => result('icl', seed, { forward: { acc: ones(12), norm: zeros(12) } }));
    const r = row(summarize(results, { ceiling: never }), 'forward', 'icl');
    expect(r).toMatchObject({ accuracy: 1, ci: clopperPearson(36, 36), method: 'clopper-pearson', seeds: 3, n: 12, chance: 0.5 });
    expect(r.normalized).toMatchObject({ accuracy: 0, ci: clopperPearson(0, 36), kindCi: null });
    expect(r.ci[0]).toBeLessThan(1);
    expect(r.normalized.ci[1]).toBeGreaterThan(0);
  });

  it('one seed: the exact interval of its items', () => {
    const r = row(summarize([result('ft', 4, { s: { acc: spread(9, 24) } })], { ceiling: never }), 's', 'ft');
    expect(r).toMatchObject({ accuracy: 9 / 24, ci: clopperPearson(9, 24), method: 'clopper-pearson', kindCi: null });
  });

  it('averages per-seed accuracies, not pooled items, and bootstraps items within seeds when seeds differ in size', () => {
    const unequal = row(summarize([result('ft', 1, { s: { acc: ones(10) } }), result('ft', 2, { s: { acc: zeros(30) } })], { ceiling: never }), 's', 'ft');
    expect(unequal).toMatchObject({ accuracy: 0.5, n: 30, seeds: 2, method: 'stratified-bootstrap' });
    // Seeds fixed: both seeds agree with themselves, so item noise is nil (resampling seeds gave [0, 1]).
    expect(unequal.ci).toEqual([0.5, 0.5]);
  });

  it('from 5 seeds on, adds a t interval over seeds for this kind of dataset, wider when seeds disagree', () => {
    const ks = [20, 35, 50, 65, 80];
    const r = row(summarize(ks.map((k, seed) => result('ft', seed, { s: { acc: spread(k, 100) } })), { ceiling: never }), 's', 'ft');
    expect(r.accuracy).toBeCloseTo(0.5, 12);
    expect(r.kindCi).toEqual(tInterval(ks.map((k) => k / 100)));
    // The datasets' own spread is what the t interval sees; the items-only interval does not.
    expect(r.kindCi![1] - r.kindCi![0]).toBeGreaterThan(3 * (r.ci[1] - r.ci[0]));
    const four = row(summarize(ks.slice(0, 4).map((k, seed) => result('ft', seed, { s: { acc: spread(k, 100) } })), { ceiling: never }), 's', 'ft');
    expect(four.kindCi).toBeNull();
  });

  it('has a row per split and condition, the ceiling flag, chance, and reproduces exactly', () => {
    const results = [1, 2].flatMap((seed) => [
      result('ft', seed, { forward: { acc: spread(3, 4), options: 4 }, reversed: { acc: spread(1, 4), options: 4 } }),
      result('ft+oracle', seed, { forward: { acc: ones(4), options: 4 }, reversed: { acc: spread(3, 4), options: 4 } }),
    ]);
    const ceiling = (c: string) => c === 'ft+oracle';
    const summary = summarize(results, { ceiling });
    expect(summary.seeds).toEqual([1, 2]);
    expect(summary.rows.map((r) => `${r.split}/${r.condition}/${r.ceiling}`)).toEqual([
      'forward/ft/false',
      'forward/ft+oracle/true',
      'reversed/ft/false',
      'reversed/ft+oracle/true',
    ]);
    expect(row(summary, 'reversed', 'ft')).toMatchObject({ accuracy: 0.25, chance: 0.25, n: 4 });
    // Input order changes only the order of rows, never a number.
    const byKey = (s: Summary) => Object.fromEntries(s.rows.map((r) => [`${r.split}/${r.condition}`, r]));
    expect(byKey(summarize([...results].reverse(), { ceiling }))).toEqual(byKey(summary));
    expect(validateSummary(JSON.parse(JSON.stringify(summary)))).toEqual(summary);
  });

  it('draws the same intervals as resampling the items of each seed one by one, seeds fixed', () => {
    const seeds = [{ n: 40, hits: 13 }, { n: 40, hits: 31 }, { n: 25, hits: 20 }, { n: 60, hits: 30 }];
    const rng = new Rng('item by item');
    const means: number[] = [];
    for (let r = 0; r < 20000; r++) {
      let total = 0;
      for (const { n, hits } of seeds) {
        let drawn = 0;
        for (let j = 0; j < n; j++) if (rng.int(n) < hits) drawn++;
        total += drawn / n;
      }
      means.push(total / seeds.length);
    }
    means.sort((a, b) => a - b);
    const fast = accuracyOverSeeds(seeds, new Rng('binomial'), 20000);
    expect(fast.method).toBe('stratified-bootstrap');
    expect(fast.accuracy).toBeCloseTo((13 / 40 + 31 / 40 + 20 / 25 + 30 / 60) / 4, 12);
    // Both are Monte Carlo: 20000 resamples put each bound within about 0.003 of the exact one.
    expect(Math.abs(fast.ci[0] - means[Math.round(0.025 * (means.length - 1))])).toBeLessThan(0.01);
    expect(Math.abs(fast.ci[1] - means[Math.round(0.975 * (means.length - 1))])).toBeLessThan(0.01);
  });

  it('covers the mean accuracy of these datasets about 95% of the time when accuracy varies between seeds', () => {
    // Two seeds of 24 items at accuracies 0.6 and 0.8 (spread 0.2): the case where resampling seeds covered 0.68-0.84.
    const truth = [0.6, 0.8];
    const rng = new Rng('coverage');
    let covered = 0;
    const trials = 400;
    for (let t = 0; t < trials; t++) {
      const seeds = truth.map((p) => ({ n: 24, hits: Array.from({ length: 24 }, () => rng.next() < p).filter(Boolean).length }));
      const { ci } = accuracyOverSeeds(seeds, rng);
      if (ci[0] <= 0.7 && 0.7 <= ci[1]) covered++;
    }
    expect(covered / trials).toBeGreaterThan(0.93);
  });

  it('refuses two results for the same condition and seed', () => {
    expect(() => summarize([result('ft', 1, { s: { acc: ones(2) } }), result('ft', 1, { s: { acc: ones(2) } })], { ceiling: never })).toThrow(
      'two results for condition "ft" with dataset seed 1',
    );
  });
});

describe('summaryMarkdown', () => {
  it('renders splits as rows and conditions as columns, ceiling labelled, chance and n shown', () => {
    const results = [1, 2].flatMap((seed) => [
      result('base', seed, { forward: { acc: zeros(4) } }),
      result('ft+oracle', seed, { forward: { acc: ones(4) }, reversed: { acc: ones(4) } }),
    ]);
    const markdown = summaryMarkdown(summarize(results, { ceiling: (c) => c === 'ft+oracle' }));
    expect(markdown).toContain('over 2 seeds (1, 2)');
    expect(markdown).toContain('the first interval is for these datasets: exact (Clopper-Pearson) over the pooled items;');
    expect(markdown).toContain('needs at least 5 seeds');
    expect(markdown).toContain('| split | n | chance | base | ft+oracle (ceiling) |');
    expect(markdown).toContain('| forward | 4 | 0.50 | 0.00 [0.00, 0.37] | 1.00 [0.63, 1.00] |');
    expect(markdown).toContain('| reversed | 4 | 0.50 | — | 1.00 [0.63, 1.00] |');
    expect(markdown).toContain('**acc_norm**');
  });

  it('names the bootstrap, its resamples and seed where it was used, and prints the kind interval from 5 seeds on', () => {
    const results = [1, 2, 3, 4, 5].map((seed) => result('ft', seed, { s: { acc: spread(seed + 3, seed === 1 ? 10 : 12) } }));
    const markdown = summaryMarkdown(summarize(results, { ceiling: never }));
    expect(markdown).toContain('except where the seeds differ in size (s): a bootstrap of the items within each seed, seeds fixed (2000 resamples, seed "summary/split/condition/seeds")');
    expect(markdown).toContain("the second is for this kind of dataset: a t interval over the 5 seeds' accuracies");
    expect(markdown).toMatch(/\| s \| 12 \| 0\.50 \| 0\.\d\d \[0\.\d\d, 0\.\d\d\] \[0\.\d\d, 0\.\d\d\] \|/);
  });
});

describe('validateSummary', () => {
  const good = summarize([result('ft', 1, { s: { acc: [1, 0] } })], { ceiling: never });
  it.each([
    ['a non-summary', { format: 'glon.result/2' }, 'not a glon summary'],
    ['missing rows', { format: 'glon.summary/2', seeds: [1], bootstrap: { resamples: 2000, seed: 'summary' } }, 'invalid summary: rows'],
    ['an old summary', { format: 'glon.summary/1', seeds: [1], rows: [] }, 'expected "format": "glon.summary/2"'],
    ['a reversed interval', { ...good, rows: [{ ...good.rows[0], ci: [0.9, 0.1] }] }, 'invalid summary: rows[0].ci: ci is not [lo, hi]'],
    ['an accuracy above 1', { ...good, rows: [{ ...good.rows[0], accuracy: 1.5 }] }, 'invalid summary: rows[0].accuracy'],
  ])('rejects %s with one line', (_, value, message) => {
    expect(() => validateSummary(value)).toThrow(FormatError);
    expect(() => validateSummary(value)).toThrow(message);
  });
});
