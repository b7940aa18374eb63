import { describe, expect, it } from 'vitest';
import { FormatError } from '../../src/data/format.ts';
import { Rng } from '../../src/data/rng.ts';
import { validateResult, type EvalResult, type ItemResult } from '../../src/eval/result.ts';
import { nestedAccuracy, summarize, summaryMarkdown, validateSummary, type Summary } from '../../src/experiment/summary.ts';

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
    format: 'glon.result/1',
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
  it('gives [1, 1] when every seed is all correct and [0, 0] when all wrong', () => {
    const results = [1, 2, 3].map((seed) => result('icl', seed, { forward: { acc: ones(12), norm: zeros(12) } }));
    const r = row(summarize(results, { ceiling: never }), 'forward', 'icl');
    expect(r).toMatchObject({ accuracy: 1, ci: [1, 1], normalized: { accuracy: 0, ci: [0, 0] }, seeds: 3, n: 12, chance: 0.5 });
  });

  it('puts a 50/50 item set near 0.5 with an interval around it', () => {
    const results = [1, 2, 3].map((seed) => result('ft', seed, { reversed: { acc: spread(50, 100) } }));
    const r = row(summarize(results, { ceiling: never }), 'reversed', 'ft');
    expect(r.accuracy).toBe(0.5);
    expect(r.ci[0]).toBeGreaterThan(0.4);
    expect(r.ci[0]).toBeLessThan(0.5);
    expect(r.ci[1]).toBeGreaterThan(0.5);
    expect(r.ci[1]).toBeLessThan(0.6);
  });

  it('averages per-seed accuracies, not pooled items, and widens the interval when seeds disagree', () => {
    const unequal = summarize([result('ft', 1, { s: { acc: ones(10) } }), result('ft', 2, { s: { acc: zeros(30) } })], { ceiling: never });
    expect(row(unequal, 's', 'ft')).toMatchObject({ accuracy: 0.5, n: 30, seeds: 2 });

    const agree = row(summarize([1, 2, 3].map((seed) => result('ft', seed, { s: { acc: spread(50, 100) } })), { ceiling: never }), 's', 'ft');
    const disagree = row(
      summarize([20, 50, 80].map((k, seed) => result('ft', seed, { s: { acc: spread(k, 100) } })), { ceiling: never }),
      's',
      'ft',
    );
    expect(disagree.accuracy).toBeCloseTo(0.5, 12);
    expect(disagree.ci[1] - disagree.ci[0]).toBeGreaterThan(2 * (agree.ci[1] - agree.ci[0]));
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

  it('draws the same intervals as resampling seeds, then items one by one', () => {
    const seeds = [{ n: 40, hits: 13 }, { n: 40, hits: 31 }, { n: 25, hits: 20 }, { n: 60, hits: 30 }];
    const rng = new Rng('item by item');
    const means: number[] = [];
    for (let r = 0; r < 20000; r++) {
      let total = 0;
      for (let i = 0; i < seeds.length; i++) {
        const { n, hits } = seeds[rng.int(seeds.length)];
        let drawn = 0;
        for (let j = 0; j < n; j++) if (rng.int(n) < hits) drawn++;
        total += drawn / n;
      }
      means.push(total / seeds.length);
    }
    means.sort((a, b) => a - b);
    const fast = nestedAccuracy(seeds, new Rng('binomial'), 20000);
    expect(fast.accuracy).toBeCloseTo((13 / 40 + 31 / 40 + 20 / 25 + 30 / 60) / 4, 12);
    // Both are Monte Carlo: 20000 resamples put each bound within about 0.003 of the exact one.
    expect(Math.abs(fast.ci[0] - means[Math.round(0.025 * (means.length - 1))])).toBeLessThan(0.01);
    expect(Math.abs(fast.ci[1] - means[Math.round(0.975 * (means.length - 1))])).toBeLessThan(0.01);
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
    expect(markdown).toContain('| split | n | chance | base | ft+oracle (ceiling) |');
    expect(markdown).toContain('| forward | 4 | 0.50 | 0.00 [0.00, 0.00] | 1.00 [1.00, 1.00] |');
    expect(markdown).toContain('| reversed | 4 | 0.50 | — | 1.00 [1.00, 1.00] |');
    expect(markdown).toContain('**acc_norm**');
  });
});

describe('validateSummary', () => {
  const good = summarize([result('ft', 1, { s: { acc: [1, 0] } })], { ceiling: never });
  it.each([
    ['a non-summary', { format: 'glon.result/1' }, 'not a glon summary'],
    ['missing rows', { format: 'glon.summary/1', seeds: [1] }, 'invalid summary: rows'],
    ['a reversed interval', { ...good, rows: [{ ...good.rows[0], ci: [0.9, 0.1] }] }, 'invalid summary: rows[0].ci: ci is not [lo, hi]'],
    ['an accuracy above 1', { ...good, rows: [{ ...good.rows[0], accuracy: 1.5 }] }, 'invalid summary: rows[0].accuracy'],
  ])('rejects %s with one line', (_, value, message) => {
    expect(() => validateSummary(value)).toThrow(FormatError);
    expect(() => validateSummary(value)).toThrow(message);
  });
});
