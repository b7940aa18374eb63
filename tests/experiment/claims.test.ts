import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/data/rng.ts';
import type { EvalResult } from '../../src/eval/result.ts';
import { claimsMarkdown, difference, judgeClaims, nestedEstimate, relation, type KindResults } from '../../src/experiment/claims.ts';

/** A result whose generalization items are hit or missed as given (2 options each), plus memorization items. */
function result(kind: string, condition: string, seed: number, hits: readonly boolean[], memorized = hits): EvalResult {
  const item = (split: string, i: number, hit: boolean) => ({
    id: `${split}-${i}`,
    split,
    logprobs: hit ? [-1, -2] : [-2, -1],
    normalized: hit ? [-1, -2] : [-2, -1],
    tokens: [2, 2],
    chosen: hit ? 0 : 1,
    chosenNormalized: hit ? 0 : 1,
    answer: 0,
  });
  const items = [...hits.map((h, i) => item('reversal', i, h)), ...memorized.map((h, i) => item('memorization', i, h))];
  const split = (xs: readonly boolean[]) => {
    const correct = xs.filter(Boolean).length;
    const tally = { correct, accuracy: correct / xs.length, ci: [0, 1] as [number, number] };
    return { n: xs.length, chance: 0.5, ...tally, normalized: tally };
  };
  return {
    format: 'glon.result/2',
    dataset: { kind, seed, hash: '0'.repeat(64) },
    model: 'made',
    condition,
    device: 'cpu',
    dtype: 'fp32',
    template: 'plain',
    seed,
    context: { tokens: 1, documents: null, subsampled: false },
    notes: [],
    splits: { reversal: split(hits), memorization: split(memorized) },
    items,
    timing: { started: '2025-01-01T00:00:00.000Z', seconds: 0 },
  };
}

const all = (n: number, hit: boolean) => Array.from({ length: n }, () => hit);
/** Hits drawn at `rate` from a seeded stream: a condition at chance. */
const drawn = (n: number, rate: number, label: string) => {
  const rng = new Rng(label);
  return Array.from({ length: n }, () => rng.next() < rate);
};

function kindOf(kind: string, byCondition: Record<string, (seed: number) => boolean[]>): KindResults {
  const results = Object.entries(byCondition).flatMap(([condition, hits]) => [1, 2].map((seed) => result(kind, condition, seed, hits(seed), all(40, true))));
  return { kind, generalization: ['reversal'], results };
}

const verdicts = (kinds: KindResults[]) => judgeClaims(kinds, (c) => c === 'ft+oracle').map((c) => [c.kind, c.conditions, c.verdict]);

describe('claims', () => {
  it('estimates a mean with a nested bootstrap interval that covers it', () => {
    expect(nestedEstimate([[1, 1, 1], [1, 1]], new Rng('t'))).toMatchObject({ value: 1, ci: [1, 1], n: [3, 2] });
    const half = nestedEstimate([drawn(200, 0.5, 'a').map(Number), drawn(200, 0.5, 'b').map(Number)], new Rng('t'));
    expect(half.ci[0]).toBeLessThan(half.value);
    expect(half.ci[1]).toBeGreaterThan(half.value);
    expect(half.ci[0]).toBeGreaterThan(0.35);
    expect(half.ci[1]).toBeLessThan(0.65);
  });

  it('relates two conditions by the interval of their paired difference', () => {
    const kind = kindOf('reversal', { icl: () => all(40, true), ft: () => all(40, false), same: () => all(40, false) });
    expect(relation(difference(kind, 'icl', 'ft')!)).toBe('greater');
    expect(relation(difference(kind, 'ft', 'icl')!)).toBe('less');
    expect(relation(difference(kind, 'ft', 'same')!)).toBe('equivalent');
    expect(difference(kind, 'icl', 'missing')).toBeNull();
  });

  it('judges ICL beats FT, FT near zero and augmented FT closing the gap by the stated rules', () => {
    const reversal = kindOf('reversal', {
      icl: () => all(40, true),
      ft: (s) => drawn(40, 0.5, `ft${s}`),
      'ft+local': (s) => drawn(40, 0.5, `local${s}`),
      'ft+oracle': () => all(40, true),
    });
    const syllogism = kindOf('syllogism', { icl: (s) => drawn(40, 0.5, `i${s}`), ft: (s) => drawn(40, 0.5, `f${s}`), 'ft+local': () => all(40, true) });
    const celebrity = kindOf('celebrity', { icl: () => all(40, true), ft: () => all(40, false) });
    expect(verdicts([reversal, syllogism, celebrity])).toEqual([
      ['reversal', 'icl vs ft', 'HELD'],
      ['syllogism', 'icl vs ft', 'INCONCLUSIVE'],
      ['celebrity', 'ft', 'HELD'],
      // Model-written augmentation at chance stays CI-separated below ICL: the gap is not closed.
      ['reversal', 'ft+local vs ft, icl', 'NOT HELD'],
      ['reversal', 'ft+oracle vs ft, icl', 'HELD'],
      // No ICL-over-FT gap on syllogisms: nothing to close, whatever ft+local does.
      ['syllogism', 'ft+local vs ft, icl', 'INCONCLUSIVE'],
    ]);
    const [iclVsFt, , nearZero] = judgeClaims([reversal, syllogism, celebrity], () => false);
    // The evidence says where each side stands against chance, not only their difference.
    expect(iclVsFt.evidence).toMatch(/^icl − ft = \+0\.\d\d \[0\.\d\d, 0\.\d\d\] \(icl > ft\); icl 1\.00 \[1\.00, 1\.00\] \(chance 0\.50\), ft 0\.\d\d /);
    expect(nearZero.evidence).toBe('ft 0.00 [0.00, 0.00] (chance 0.50)');
    expect(iclVsFt.note).toBeUndefined();
    // ICL at chance beating an FT below chance still holds by the rule, and says how it was won.
    const belowChance = kindOf('reversal', { icl: (s) => drawn(40, 0.5, `i${s}`), ft: () => all(40, false) });
    expect(judgeClaims([belowChance], () => false)[0]).toMatchObject({ verdict: 'HELD', note: 'ICL itself is not above chance: FT fell below it' });
    const checks = judgeClaims([reversal], (c) => c === 'ft+oracle');
    expect(checks.find((c) => c.conditions.startsWith('ft+oracle'))?.ceiling).toBe(true);
    expect(claimsMarkdown(checks)).toContain('| ft+oracle vs ft, icl (ceiling) | **HELD** |');
  });

  it('says NOT HELD when FT is as good as ICL or clearly above zero', () => {
    const kind = kindOf('reversal', { icl: () => all(40, true), ft: () => all(40, true) });
    const celebrity = kindOf('celebrity', { ft: () => all(40, true) });
    expect(verdicts([kind, celebrity])).toEqual([
      ['reversal', 'icl vs ft', 'NOT HELD'],
      ['celebrity', 'ft', 'NOT HELD'],
    ]);
  });

  it('counts only generalization items', () => {
    // Identical on reversals, opposite on memorization: no difference where it counts.
    const results = [1, 2].flatMap((seed) => [result('reversal', 'icl', seed, all(40, true), all(40, true)), result('reversal', 'ft', seed, all(40, true), all(40, false))]);
    expect(difference({ kind: 'reversal', generalization: ['reversal'], results }, 'icl', 'ft')).toMatchObject({ value: 0, ci: [0, 0] });
  });
});
