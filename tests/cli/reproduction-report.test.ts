import { describe, expect, it } from 'vitest';
import type { EvalResult } from '../../src/eval/result.ts';
import { judgeClaims } from '../../src/experiment/claims.ts';
import { EXPERIMENT_FORMAT, parseExperimentSpec } from '../../src/experiment/spec.ts';
import { summarize } from '../../src/experiment/summary.ts';
import { changesSection, kindResults, previousVerdicts, reproductionReport, setupSection, type KindRun } from '../../src/cli/reproduction-report.ts';

/** A reversal result: `right` of 24 reversal items right (the first ones), all 24 memorization items right. */
function result(condition: string, seed: number, right: number): EvalResult {
  const item = (split: string, i: number, hit: boolean) => ({
    id: `${split}-${i}`, split, logprobs: hit ? [-1, -2] : [-2, -1], normalized: hit ? [-1, -2] : [-2, -1],
    tokens: [2, 2], chosen: hit ? 0 : 1, chosenNormalized: hit ? 0 : 1, answer: 0,
  });
  const items = [...Array.from({ length: 24 }, (_, i) => item('reversal', i, i < right)), ...Array.from({ length: 24 }, (_, i) => item('memorization', i, true))];
  const tally = (correct: number) => ({ correct, accuracy: correct / 24, ci: [0, 1] as [number, number] });
  return {
    format: 'glon.result/2', dataset: { kind: 'reversal', seed, hash: '0'.repeat(64) }, model: 'stories260K@fp32', condition,
    device: 'cpu', dtype: 'fp32', template: 'plain', seed, context: { tokens: 1, documents: null, subsampled: false }, notes: [],
    splits: { reversal: { n: 24, chance: 0.5, ...tally(right), normalized: tally(right) }, memorization: { n: 24, chance: 0.5, ...tally(24), normalized: tally(24) } },
    items, timing: { started: '2026-01-01T00:00:00.000Z', seconds: 1 },
  };
}

/** The old report's claim rows (before issue 12), as the writer finds them in the file it replaces. */
const PREVIOUS = [
  '| claim | kind | compared | verdict | evidence (95% CI) |',
  '| --- | --- | --- | --- | --- |',
  '| ICL beats FT on reversals and syllogisms | reversal | icl vs ft | **HELD** | icl − ft = +0.33 [0.15, 0.50] (icl > ft) — ICL itself is not above chance: FT fell below it |',
  '| augmented FT closes the gap to ICL | reversal | ft+local vs ft, icl | **NOT HELD** | icl − ft = +0.33 [0.15, 0.50] (icl > ft) |',
  '| augmented FT closes the gap to ICL | reversal | ft+oracle vs ft, icl (ceiling) | **HELD** | icl − ft = +0.33 [0.15, 0.50] (icl > ft) |',
].join('\n');

function run(): KindRun {
  const spec = parseExperimentSpec({
    format: EXPERIMENT_FORMAT, name: 'canonical study: reversal', dataset: { kind: 'reversal', preset: 'small' },
    model: { id: 'stories260K', dtype: 'fp32' }, conditions: ['base', 'icl', 'ft', 'ft+local', 'ft+oracle'], seeds: [1, 2],
  });
  // ICL = base on every item; FT below chance; the model's augmentation kept nothing; the oracle's ceiling.
  const right: Record<string, number> = { base: 12, icl: 12, ft: 4, 'ft+local': 4, 'ft+oracle': 24 };
  const results = spec.seeds.flatMap((seed) => spec.conditions.map((c) => result(c, seed, right[c])));
  return {
    spec,
    outcome: { key: 'k', results, summary: summarize(results, { ceiling: (c) => c === 'ft+oracle' }), cached: 0 },
    kept: spec.seeds.flatMap((seed) => [{ seed, mode: 'local', sentences: 0 }, { seed, mode: 'oracle', sentences: 144 }]),
    seconds: 61,
    compute: { augment: 30, train: 120, evaluate: 5 },
  };
}

describe('the reproduction report', () => {
  const runs = [run()];
  const checks = judgeClaims(kindResults(runs), (c) => c === 'ft+oracle');
  const machine = { cores: 2, cpu: 'AMD EPYC', load: { before: 3.5, after: 1.2 } };
  const text = reproductionReport({
    runs, failures: [], checks, previous: previousVerdicts(PREVIOUS), date: '2026-12-04',
    setup: setupSection(runs, 'models/stories260K', 61, machine),
  });

  it('reads the previous report\'s verdicts by claim, kind and condition', () => {
    expect([...previousVerdicts(PREVIOUS)]).toEqual([
      ['ICL beats FT on reversals and syllogisms | reversal | icl', 'HELD'],
      ['augmented FT closes the gap to ICL | reversal | ft+local', 'NOT HELD'],
      ['augmented FT closes the gap to ICL | reversal | ft+oracle', 'HELD'],
    ]);
    expect(previousVerdicts('# no claims here').size).toBe(0);
  });

  it('gives the setup, each kind\'s table with its intervals explained, and the rules', () => {
    expect(text).toContain('Made by `npm run reproduce` on 2026-12-04');
    expect(text).toContain('- Seeds: 1, 2 (each seed');
    expect(text).toContain('- Machine: 2 cores (AMD EPYC), load average 3.50 at the start and 1.20 at the end');
    expect(text).toContain('| reversal | 1 | 0 | — | 144 |');
    expect(text).toContain('### reversal');
    expect(text).toContain('the first interval is for these datasets: exact (Clopper-Pearson) over the pooled items');
    expect(text).toContain('| reversal | 24 | 0.50 | 0.50 [0.35, 0.65] | 0.50 [0.35, 0.65] | 0.17 [0.07, 0.30] | 0.17 [0.07, 0.30] | 1.00 [0.93, 1.00] |');
    expect(text).toContain("Holm's correction runs over every test in this report at once");
  });

  it('prints every claim with its test, counts and raw and Holm-adjusted p', () => {
    expect(text).toMatch(
      /\| ICL beats FT on reversals and syllogisms \| reversal \| icl vs base, ft \| \*\*NOT HELD\*\* \| exact McNemar: icl − base = \+0\.00 \[0\.00, 0\.00\]; discordant 0 \(icl right\) vs 0 \(base right\) of 48 items, 2 seeds; p = 1\.000, Holm p = 1\.000<br>exact McNemar: icl − ft = \+0\.33 \[[^\]]+\]; discordant 16 \(icl right\) vs 0 \(ft right\) of 48 items, 2 seeds; p < 0\.001, Holm p < 0\.001<br>\*ICL is not above base/,
    );
    expect(text).toContain('| augmented FT closes the gap to ICL | reversal | ft+local vs icl (gap: icl vs ft) | **NOT TESTED** | —<br>*its augmentation kept no sentence (local, seed 1; local, seed 2)');
    expect(text).toContain('- Not tested: augmented FT closes the gap to ICL (reversal, ft+local vs icl (gap: icl vs ft); its augmentation kept no sentence');
  });

  it('says per claim what changed since the previous report, and why', () => {
    expect(text).toContain('## What changed since the previous report');
    expect(text).toContain('| ICL beats FT on reversals and syllogisms | reversal | icl vs base, ft | HELD | NOT HELD | now needs ICL > base as well as ICL > FT');
    expect(text).toContain('| augmented FT closes the gap to ICL | reversal | ft+local vs icl (gap: icl vs ft) | NOT HELD | NOT TESTED | now a non-inferiority test');
    expect(text).toContain('| augmented FT closes the gap to ICL | reversal | ft+oracle vs icl (gap: icl vs ft) (ceiling) | HELD | HELD | unchanged |');
    expect(changesSection(checks, new Map())).toBe('No previous report to compare with.\n');
  });
});
