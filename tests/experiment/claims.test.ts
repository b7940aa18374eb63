import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/util/rng.ts';
import type { EvalResult } from '../../src/eval/result.ts';
import { ALPHA, claimsMarkdown, judgeClaims, mcnemarExact, type ClaimCheck, type KindResults } from '../../src/experiment/claims.ts';

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

function kindOf(kind: string, byCondition: Record<string, (seed: number) => boolean[]>, seeds = [1, 2]): KindResults {
  const results = Object.entries(byCondition).flatMap(([condition, hits]) => seeds.map((seed) => result(kind, condition, seed, hits(seed), all(40, true))));
  return { kind, generalization: ['reversal'], results };
}

/** n items, the first `right` of them right. */
const first = (right: number, n: number) => Array.from({ length: n }, (_, i) => i < right);

const claimOf = (checks: ClaimCheck[], conditions: string) => checks.find((c) => c.conditions === conditions)!;

describe('mcnemarExact', () => {
  it('gives the exact two-sided p of the discordant counts (the cases the bootstrap called significant)', () => {
    expect(mcnemarExact(4, 0)).toBe(0.125);
    expect(mcnemarExact(7, 1)).toBeCloseTo(0.0703125, 12);
    expect(mcnemarExact(9, 2)).toBeCloseTo(0.0654296875, 12);
    expect(mcnemarExact(2, 9)).toBe(mcnemarExact(9, 2));
    expect(mcnemarExact(0, 0)).toBe(1);
    expect(mcnemarExact(3, 3)).toBe(1);
  });
});

describe('claims', () => {
  /**
   * ICL far above base; ICL over FT by exactly `iclOnly` vs `ftOnly` discordant items, split between two
   * seeds of 24 (the old nested bootstrap called every case below a win for ICL).
   */
  function iclOverFt(iclOnly: number, ftOnly: number): ClaimCheck {
    const share = (count: number, seed: number) => (seed === 1 ? Math.ceil(count / 2) : Math.floor(count / 2));
    const seedHits = (seed: number, mine: boolean) => {
      const [b, c] = [share(iclOnly, seed), share(ftOnly, seed)];
      return [...all(b, mine), ...all(c, !mine), ...all(24 - b - c, true)];
    };
    const kind = kindOf('reversal', { base: () => all(24, false), icl: (s) => seedHits(s, true), ft: (s) => seedHits(s, false) });
    return judgeClaims([kind], () => false)[0];
  }

  it.each([
    [4, 0, 0.125],
    [7, 1, 0.0703125],
    [9, 2, 0.0654296875],
  ])('ICL beats FT with %i vs %i discordant items: p = %f, not significant, so not HELD', (iclOnly, ftOnly, p) => {
    const check = iclOverFt(iclOnly, ftOnly);
    const [overBase, overFt] = check.tests;
    expect(overBase.pHolm).toBeLessThan(ALPHA);
    expect(overFt.p).toBeCloseTo(p, 12);
    expect(overFt.counts).toContain(`discordant ${iclOnly} (icl right) vs ${ftOnly} (ft right) of 48 items, 2 seeds`);
    expect(check.verdict).toBe('INCONCLUSIVE');
  });

  it('ICL beats FT is HELD when ICL is significantly above both base and FT', () => {
    expect(iclOverFt(14, 0).verdict).toBe('HELD');
  });

  it('ICL beats FT is NOT HELD when ICL equals base on every item, however far FT falls below chance', () => {
    const sameAsBase = (s: number) => drawn(48, 0.5, `base${s}`);
    const kind = kindOf('reversal', { base: sameAsBase, icl: sameAsBase, ft: () => all(48, false) });
    const check = judgeClaims([kind], () => false)[0];
    const [overBase, overFt] = check.tests;
    expect(overBase.counts).toContain('discordant 0 (icl right) vs 0 (base right) of 96 items');
    expect(overBase.p).toBe(1);
    expect(overFt.pHolm).toBeLessThan(ALPHA);
    expect(overFt.direction).toBe('greater');
    expect(check.verdict).toBe('NOT HELD');
    expect(check.note).toMatch(/^ICL is not above base/);
  });

  it('FT near zero: an exact one-sided binomial test against 0.10, base beside it', () => {
    const celebrity = (ft: (s: number) => boolean[]) => kindOf('celebrity', { base: () => first(10, 40), ft });
    const judged = (ft: (s: number) => boolean[]) => judgeClaims([celebrity(ft)], () => false)[0];
    const none = judged(() => all(40, false));
    expect(none.verdict).toBe('HELD');
    expect(none.tests[0].p).toBeCloseTo(0.9 ** 80, 12);
    expect(none.note).toBe('base scores 0.25 [0.16, 0.36] on the same items');
    // 4 of 80 = 0.05 is below 0.10 but not significantly: P(X <= 4 | 80, 0.1) = 0.0880.
    const few = judged(() => first(2, 40));
    expect(few.tests[0].p).toBeCloseTo(0.0879712, 6);
    expect(few.verdict).toBe('INCONCLUSIVE');
    expect(judged(() => first(12, 40)).verdict).toBe('NOT HELD');
  });

  it('closes the gap is NOT TESTED when an augmentation kept no sentence, and tested otherwise', () => {
    const kind = kindOf('reversal', {
      base: () => all(40, false),
      icl: () => all(40, true),
      ft: () => first(10, 40),
      'ft+local': () => first(10, 40),
      'ft+global': () => first(10, 40),
      'ft+oracle': () => all(40, true),
    });
    const kept = [1, 2].flatMap((seed) => [
      { seed, mode: 'local', sentences: 0 },
      { seed, mode: 'global', sentences: seed === 1 ? 3 : 0 },
      { seed, mode: 'oracle', sentences: 144 },
    ]);
    const checks = judgeClaims([{ ...kind, kept }], (c) => c === 'ft+oracle');
    const local = claimOf(checks, 'ft+local vs icl (gap: icl vs ft)');
    expect(local).toMatchObject({ verdict: 'NOT TESTED', tests: [] });
    expect(local.note).toBe("its augmentation kept no sentence (local, seed 1; local, seed 2), so it trained on FT's data: nothing to test");
    expect(claimOf(checks, 'ft+global vs icl (gap: icl vs ft)').verdict).toBe('NOT TESTED');
    const oracle = claimOf(checks, 'ft+oracle vs icl (gap: icl vs ft)');
    expect(oracle).toMatchObject({ verdict: 'HELD', ceiling: true });
    expect(oracle.tests.map((t) => t.test)).toEqual(['exact McNemar', 'non-inferiority']);
    // Without the counts, the same results are tested: augmented at FT's level is shown short of ICL.
    expect(claimOf(judgeClaims([kind], () => false), 'ft+local vs icl (gap: icl vs ft)').verdict).toBe('NOT HELD');
  });

  it('closes the gap is INCONCLUSIVE when there is no ICL-over-FT gap', () => {
    const kind = kindOf('syllogism', { icl: (s) => drawn(40, 0.5, `i${s}`), ft: (s) => drawn(40, 0.5, `f${s}`), 'ft+local': () => all(40, true) });
    expect(judgeClaims([kind], () => false)[0]).toMatchObject({ verdict: 'INCONCLUSIVE', note: 'no ICL-over-FT gap to close' });
  });

  it('closes the gap rarely says HELD when augmented FT is truly 0.2 below ICL (ICL 0.8, FT 0.3, augmented 0.6, n = 24)', () => {
    // The old rule (HELD unless ICL − augmented was significant) said HELD about half the time here.
    const trials = 200;
    let held = 0;
    for (let t = 0; t < trials; t++) {
      const kind = kindOf(
        'hierarchy',
        { icl: () => drawn(24, 0.8, `icl${t}`), ft: () => drawn(24, 0.3, `ft${t}`), 'ft+local': () => drawn(24, 0.6, `aug${t}`) },
        [1],
      );
      if (judgeClaims([kind], () => false)[0].verdict === 'HELD') held++;
    }
    // A one-sided 2.5% test at the margin −0.10 gives about 1% at a true −0.20; the bound leaves room for Monte Carlo.
    expect(held / trials).toBeLessThanOrEqual(0.05);
  });

  it('adjusts every distinct test of the report by Holm, once even when two claims share it', () => {
    const reversal = kindOf('reversal', { base: () => all(40, false), icl: () => all(40, true), ft: () => first(30, 40), 'ft+oracle': () => all(40, true) });
    const syllogism = kindOf('syllogism', { base: () => first(20, 40), icl: () => first(24, 40), ft: () => first(20, 40) });
    const checks = judgeClaims([reversal, syllogism], (c) => c === 'ft+oracle');
    const distinct = new Map(checks.flatMap((c) => c.tests).map((t) => [t.id, t]));
    // reversal: icl vs base, icl vs ft (shared with the gap), oracle non-inferiority; syllogism: icl vs base, icl vs ft.
    expect(distinct.size).toBe(5);
    const sorted = [...distinct.values()].sort((a, b) => a.p - b.p);
    let running = 0;
    sorted.forEach((t, i) => {
      running = Math.max(running, Math.min(1, (sorted.length - i) * t.p));
      expect(t.pHolm).toBeCloseTo(running, 12);
    });
    // The shared test is the same object in both claims.
    expect(checks.find((c) => c.conditions.startsWith('ft+oracle'))!.tests[0]).toEqual(checks[0].tests[1]);
  });

  it('prints every test with its counts, raw p and Holm p, and the ceiling mark', () => {
    const kind = kindOf('reversal', { base: () => all(40, false), icl: () => all(40, true), ft: () => first(30, 40), 'ft+oracle': () => all(40, true) });
    const markdown = claimsMarkdown(judgeClaims([kind], (c) => c === 'ft+oracle'));
    expect(markdown).toContain('| claim | kind | compared | verdict | tests (counts, raw and Holm-adjusted p) |');
    expect(markdown).toContain(
      '| ICL beats FT on reversals and syllogisms | reversal | icl vs base, ft | **HELD** | exact McNemar: icl − base = +1.00 [1.00, 1.00]; discordant 80 (icl right) vs 0 (base right) of 80 items, 2 seeds; p < 0.001, Holm p < 0.001<br>exact McNemar: icl − ft = +0.25 ',
    );
    expect(markdown).toMatch(/\| ft\+oracle vs icl \(gap: icl vs ft\) \(ceiling\) \| \*\*HELD\*\* \| exact McNemar: .*<br>non-inferiority: ft\+oracle − icl = \+0\.00 \[0\.00, 0\.00\] \(bootstrap of items within seeds, 2000 resamples\), margin −0\.10; 80 items, 2 seeds; p < 0\.001, Holm p (< 0\.001|= 0\.\d{3}) \|/);
  });

  it('counts only generalization items', () => {
    // Identical on reversals, opposite on memorization: no difference where it counts.
    const results = [1, 2].flatMap((seed) => [
      result('reversal', 'base', seed, all(40, true), all(40, true)),
      result('reversal', 'icl', seed, all(40, true), all(40, true)),
      result('reversal', 'ft', seed, all(40, true), all(40, false)),
    ]);
    const [, overFt] = judgeClaims([{ kind: 'reversal', generalization: ['reversal'], results }], () => false)[0].tests;
    expect(overFt.estimate).toEqual({ value: 0, ci: [0, 0] });
    expect(overFt.p).toBe(1);
  });
});
