/**
 * The paper's qualitative claims, judged from a study's results by rules fixed before the numbers are
 * seen: HELD, NOT HELD, INCONCLUSIVE or NOT TESTED. Every verdict rests on named tests whose counts and
 * p-values are printed; the p-values are adjusted by Holm across every test of the report, so that judging
 * many claims at once does not make a chance difference look like a finding. Pure: results in, verdicts out.
 */
import binomialCdf from '@stdlib/stats-base-dists-binomial-cdf';
import padjust from '@stdlib/stats-padjust';
import { Rng } from '../util/rng.ts';
import type { EvalResult } from '../eval/result.ts';
import { BOOTSTRAP_RESAMPLES, percentileInterval, stratifiedBootstrap } from '../eval/bootstrap.ts';
import { clopperPearson } from '../eval/proportion-interval.ts';

export type Verdict = 'HELD' | 'NOT HELD' | 'INCONCLUSIVE' | 'NOT TESTED';

/** Family-wise error rate across all the report's tests (Holm). */
export const ALPHA = 0.05;
/** A paired difference whose whole 95% interval lies within ±this is treated as no difference. */
export const EQUIVALENCE_MARGIN = 0.05;
/** "Near zero": an accuracy below this. */
export const NEAR_ZERO = 0.1;
/** "Closes the gap": augmented FT at most this far below ICL (non-inferiority margin). */
export const NON_INFERIORITY_MARGIN = 0.1;

/** Every paired difference's bootstrap stream is Rng(`${BOOTSTRAP_SEED}/${kind}/${A}-${B}`). */
const BOOTSTRAP_SEED = 'claims';

const pct = (x: number) => x.toFixed(2);

export const CLAIM_RULES = [
  "Accuracy is acc (the option with the highest summed log-probability) on the kind's generalization splits, items of all seeds together.",
  'Two conditions are compared item by item (the same test items of the same seed) by an exact McNemar test: the items only one ' +
    'of them gets right (discordant), pooled over seeds, tested as a fair coin (two-sided binomial). A > B when its Holm-adjusted ' +
    `p < ${ALPHA} and A wins more discordant items; beside it, the paired difference A − B (mean over seeds) with a 95% interval ` +
    `from a bootstrap of the items within each seed, seeds fixed (${BOOTSTRAP_RESAMPLES} resamples, seed "${BOOTSTRAP_SEED}/<kind>/<A>-<B>"). A ≈ B when that interval ` +
    `lies within ±${pct(EQUIVALENCE_MARGIN)}.`,
  `Holm's correction runs over every test in this report at once (family-wise error ${ALPHA}); each test prints its raw and adjusted p.`,
  '"ICL beats FT": HELD if ICL > base and ICL > FT; NOT HELD if ICL < base or ICL < FT, or ICL ≈ base or ICL ≈ FT; otherwise ' +
    'INCONCLUSIVE. (Beating FT alone is not enough: FT may have fallen below a model that learned nothing from the context.)',
  `"FT near zero on the reversal-curse data": an exact one-sided binomial test of FT's accuracy against ${pct(NEAR_ZERO)}: HELD if ` +
    `significantly below, NOT HELD if significantly above, otherwise INCONCLUSIVE; base is printed beside it to judge it against.`,
  `"Augmented FT closes the gap": NOT TESTED if its augmentation kept no sentence for some seed (it then trained on FT's data); ` +
    'INCONCLUSIVE unless ICL > FT (no gap to close); then a non-inferiority test of augmented − ICL with margin ' +
    `−${pct(NON_INFERIORITY_MARGIN)}: HELD if significant (the 95% interval's lower bound lies above −${pct(NON_INFERIORITY_MARGIN)}; ` +
    `p = twice the share of bootstrap resamples at or below −${pct(NON_INFERIORITY_MARGIN)}); NOT HELD if the whole interval lies ` +
    `below −${pct(NON_INFERIORITY_MARGIN)}; otherwise INCONCLUSIVE.`,
  "Oracle augmentation is written by rules, not by the model: its rows are a ceiling and are judged but not counted as the paper's method.",
] as const;

/** The results of one dataset kind, which of its splits need generalization, and what each augmentation kept. */
export interface KindResults {
  kind: string;
  generalization: readonly string[];
  results: readonly EvalResult[];
  /** Sentences kept per seed and augmentation mode (local, global, oracle); a missing entry is unknown. */
  kept?: readonly { seed: number; mode: string; sentences: number }[];
}

/** One test behind a verdict. */
export interface TestResult {
  /** Unique in a report: the same test serving two claims is run and adjusted once. */
  id: string;
  /** "exact McNemar", "exact binomial", "non-inferiority". */
  test: string;
  /** The counts and estimate it rests on, in words. */
  counts: string;
  p: number;
  /** Holm-adjusted across the report. */
  pHolm: number;
  /** Which way the data point: A above B (or above the threshold), below it, or neither. */
  direction: 'greater' | 'less' | 'none';
  /** The paired difference (or accuracy) and its 95% interval. */
  estimate: { value: number; ci: [number, number] };
}

export interface ClaimCheck {
  claim: string;
  kind: string;
  /** The compared conditions, e.g. "icl vs base, ft". */
  conditions: string;
  verdict: Verdict;
  tests: TestResult[];
  /** What the verdict alone would hide (e.g. ICL equals base on every item). */
  note?: string;
  ceiling: boolean;
}

export const CLAIMS = {
  iclBeatsFt: 'ICL beats FT on reversals and syllogisms',
  ftNearZero: 'FT on the reversal-curse data is near zero',
  augmentedClosesGap: 'augmented FT closes the gap to ICL',
} as const;

/** Per seed, item id -> 1 if the condition chose the answer (acc) on a generalization item, else 0. */
function hits(kind: KindResults, condition: string): Map<number, Map<string, number>> {
  const bySeed = new Map<number, Map<string, number>>();
  for (const result of kind.results) {
    if (result.condition !== condition) continue;
    const items = new Map<string, number>();
    for (const item of result.items) if (kind.generalization.includes(item.split)) items.set(item.id, item.chosen === item.answer ? 1 : 0);
    bySeed.set(result.dataset.seed, items);
  }
  return bySeed;
}

/** Per seed, the hits of A and B on the items both were scored on. */
function paired(kind: KindResults, a: string, b: string): { a: number; b: number }[][] {
  const right = hits(kind, b);
  const perSeed: { a: number; b: number }[][] = [];
  for (const [seed, items] of hits(kind, a)) {
    const other = right.get(seed);
    const pairs = other ? [...items].filter(([id]) => other.has(id)).map(([id, hit]) => ({ a: hit, b: other.get(id)! })) : [];
    if (pairs.length) perSeed.push(pairs);
  }
  return perSeed;
}

/** Two-sided exact McNemar p: the smaller discordant count against Binomial(b + c, 1/2). */
export function mcnemarExact(b: number, c: number): number {
  if (b + c === 0) return 1;
  return Math.min(1, 2 * binomialCdf(Math.min(b, c), b + c, 0.5));
}

/** A test before Holm: everything but the adjusted p. */
type RawTest = Omit<TestResult, 'pHolm'>;

const signed = (x: number) => `${x >= 0 ? '+' : ''}${pct(x)}`;
const bracket = ([lo, hi]: readonly [number, number]) => `[${pct(lo)}, ${pct(hi)}]`;
const seedsOf = (n: number) => `${n} seed${n === 1 ? '' : 's'}`;

/** The paired difference A − B: mean over seeds, 95% bootstrap interval of items within each seed, and its resamples. */
function pairedDifference(kind: KindResults, a: string, b: string, pairs: { a: number; b: number }[][]) {
  const { value, resampled } = stratifiedBootstrap(
    pairs.map((seed) => seed.map((p) => p.a - p.b)),
    new Rng(`${BOOTSTRAP_SEED}/${kind.kind}/${a}-${b}`),
  );
  return { value, ci: percentileInterval(resampled), resampled };
}

/** Exact McNemar of A vs B, discordant items pooled over seeds; null when either condition is missing. */
function mcnemar(kind: KindResults, a: string, b: string): RawTest | null {
  const pairs = paired(kind, a, b);
  if (pairs.length === 0) return null;
  const all = pairs.flat();
  const aOnly = all.filter((p) => p.a > p.b).length;
  const bOnly = all.filter((p) => p.b > p.a).length;
  const { value, ci } = pairedDifference(kind, a, b, pairs);
  return {
    id: `${kind.kind}: ${a} vs ${b}`,
    test: 'exact McNemar',
    counts: `${a} − ${b} = ${signed(value)} ${bracket(ci)}; discordant ${aOnly} (${a} right) vs ${bOnly} (${b} right) of ${all.length} items, ${seedsOf(pairs.length)}`,
    p: mcnemarExact(aOnly, bOnly),
    direction: aOnly > bOnly ? 'greater' : aOnly < bOnly ? 'less' : 'none',
    estimate: { value, ci },
  };
}

/** Exact one-sided binomial test of a condition's pooled accuracy against NEAR_ZERO, in the direction the data point. */
function nearZero(kind: KindResults, condition: string): RawTest | null {
  const bySeed = [...hits(kind, condition).values()].filter((items) => items.size > 0);
  if (bySeed.length === 0) return null;
  const n = bySeed.reduce((sum, items) => sum + items.size, 0);
  const k = bySeed.reduce((sum, items) => sum + [...items.values()].reduce((a, b) => a + b, 0), 0);
  const below = k / n <= NEAR_ZERO;
  const ci = clopperPearson(k, n);
  return {
    id: `${kind.kind}: ${condition} vs ${pct(NEAR_ZERO)}`,
    test: 'exact binomial',
    counts: `${condition} ${k} of ${n} right = ${pct(k / n)} ${bracket(ci)} (exact), ${seedsOf(bySeed.length)}; H0: accuracy ${below ? '≥' : '≤'} ${pct(NEAR_ZERO)}`,
    p: below ? binomialCdf(k, n, NEAR_ZERO) : k === 0 ? 1 : 1 - binomialCdf(k - 1, n, NEAR_ZERO),
    direction: k / n < NEAR_ZERO ? 'less' : k / n > NEAR_ZERO ? 'greater' : 'none',
    estimate: { value: k / n, ci },
  };
}

/**
 * Non-inferiority of `augmented` to ICL: H0 augmented − ICL ≤ −margin. p is twice the share of bootstrap
 * resamples at or below −margin (with the usual +1), so p < 0.05 exactly when the 95% interval's lower
 * bound lies above −margin.
 */
function nonInferiority(kind: KindResults, augmented: string): RawTest | null {
  const pairs = paired(kind, augmented, 'icl');
  if (pairs.length === 0) return null;
  const { value, ci, resampled } = pairedDifference(kind, augmented, 'icl', pairs);
  const atOrBelow = resampled.filter((d) => d <= -NON_INFERIORITY_MARGIN).length;
  return {
    id: `${kind.kind}: ${augmented} non-inferior to icl`,
    test: 'non-inferiority',
    counts: `${augmented} − icl = ${signed(value)} ${bracket(ci)} (bootstrap of items within seeds, ${resampled.length} resamples), margin −${pct(NON_INFERIORITY_MARGIN)}; ${pairs.flat().length} items, ${seedsOf(pairs.length)}`,
    p: Math.min(1, (2 * (atOrBelow + 1)) / (resampled.length + 1)),
    direction: ci[0] > -NON_INFERIORITY_MARGIN ? 'greater' : ci[1] < -NON_INFERIORITY_MARGIN ? 'less' : 'none',
    estimate: { value, ci },
  };
}

/** A claim before Holm: its tests, and how the adjusted tests decide it. */
interface PendingClaim {
  claim: string;
  kind: string;
  conditions: string;
  ceiling: boolean;
  tests: RawTest[];
  decide: (tests: TestResult[]) => { verdict: Verdict; note?: string };
}

const significant = (t: TestResult, direction: 'greater' | 'less') => t.pHolm < ALPHA && t.direction === direction;
const equivalent = (t: TestResult) => t.estimate.ci[0] >= -EQUIVALENCE_MARGIN && t.estimate.ci[1] <= EQUIVALENCE_MARGIN;

function iclBeatsFt(kind: KindResults): PendingClaim | null {
  const overBase = mcnemar(kind, 'icl', 'base');
  const overFt = mcnemar(kind, 'icl', 'ft');
  if (!overBase || !overFt) return null;
  return {
    claim: CLAIMS.iclBeatsFt,
    kind: kind.kind,
    conditions: 'icl vs base, ft',
    ceiling: false,
    tests: [overBase, overFt],
    decide: ([base, ft]) => {
      const note =
        significant(ft, 'greater') && !significant(base, 'greater')
          ? `ICL is not above base${base.p === 1 && base.estimate.ci[0] === 0 && base.estimate.ci[1] === 0 ? ' (they agree on every item)' : ''}: ICL's lead over FT comes from FT falling, not from the context`
          : undefined;
      if (significant(base, 'greater') && significant(ft, 'greater')) return { verdict: 'HELD' };
      if ([base, ft].some((t) => significant(t, 'less') || equivalent(t))) return { verdict: 'NOT HELD', note };
      return { verdict: 'INCONCLUSIVE', note };
    },
  };
}

function ftNearZero(kind: KindResults): PendingClaim | null {
  const test = nearZero(kind, 'ft');
  if (!test) return null;
  const base = nearZero(kind, 'base');
  const baseNote = base ? `base scores ${pct(base.estimate.value)} ${bracket(base.estimate.ci)} on the same items` : undefined;
  return {
    claim: CLAIMS.ftNearZero,
    kind: kind.kind,
    conditions: 'ft',
    ceiling: false,
    tests: [test],
    decide: ([t]) => ({
      verdict: significant(t, 'less') ? 'HELD' : significant(t, 'greater') ? 'NOT HELD' : 'INCONCLUSIVE',
      note: baseNote,
    }),
  };
}

/** Augmentation modes a condition trains on: "ft+local+global" -> local, global. */
const modesOf = (condition: string) => condition.split('+').slice(1);

function closesGap(kind: KindResults, augmented: string, ceiling: boolean): PendingClaim | null {
  const gap = mcnemar(kind, 'icl', 'ft');
  const close = nonInferiority(kind, augmented);
  if (!gap || !close) return null;
  const pending = { claim: CLAIMS.augmentedClosesGap, kind: kind.kind, conditions: `${augmented} vs icl (gap: icl vs ft)`, ceiling };
  const empty = (kind.kept ?? []).filter((k) => modesOf(augmented).includes(k.mode) && k.sentences === 0);
  if (empty.length > 0) {
    const where = empty.map((k) => `${k.mode}, seed ${k.seed}`).join('; ');
    const note = `its augmentation kept no sentence (${where}), so it trained on FT's data: nothing to test`;
    return { ...pending, tests: [], decide: () => ({ verdict: 'NOT TESTED', note }) };
  }
  return {
    ...pending,
    tests: [gap, close],
    decide: ([g, c]) => {
      if (!significant(g, 'greater')) return { verdict: 'INCONCLUSIVE', note: 'no ICL-over-FT gap to close' };
      if (significant(c, 'greater')) return { verdict: 'HELD' };
      if (c.direction === 'less') return { verdict: 'NOT HELD', note: `${augmented} falls short of ICL by more than the margin` };
      return { verdict: 'INCONCLUSIVE' };
    },
  };
}

/** Holm-adjust every distinct test of the report, then let each claim decide on its adjusted tests. */
function settle(pending: readonly PendingClaim[]): ClaimCheck[] {
  const distinct = new Map<string, RawTest>();
  for (const claim of pending) for (const t of claim.tests) if (!distinct.has(t.id)) distinct.set(t.id, t);
  const raw = [...distinct.values()];
  const adjusted = raw.length ? padjust(raw.map((t) => t.p), 'holm') : [];
  const byId = new Map(raw.map((t, i): [string, TestResult] => [t.id, { ...t, pHolm: adjusted[i] }]));
  return pending.map(({ decide, tests, ...claim }) => {
    const settled = tests.map((t) => byId.get(t.id)!);
    const { verdict, note } = decide(settled);
    return { ...claim, tests: settled, verdict, ...(note ? { note } : {}) };
  });
}

/** Every claim the study's kinds and conditions can speak to, in the order the paper tells them. */
export function judgeClaims(kinds: readonly KindResults[], isCeiling: (condition: string) => boolean): ClaimCheck[] {
  const pending: (PendingClaim | null)[] = [];
  for (const kind of kinds) if (kind.kind === 'reversal' || kind.kind === 'syllogism') pending.push(iclBeatsFt(kind));
  for (const kind of kinds) if (kind.kind === 'celebrity') pending.push(ftNearZero(kind));
  for (const kind of kinds) {
    const augmented = [...new Set(kind.results.map((r) => r.condition))].filter((c) => c.startsWith('ft+'));
    for (const condition of augmented) pending.push(closesGap(kind, condition, isCeiling(condition)));
  }
  return settle(pending.filter((c): c is PendingClaim => c !== null));
}

const p3 = (p: number) => (p < 0.001 ? '< 0.001' : `= ${p.toFixed(3)}`);

/** "exact McNemar, icl vs base: ...; p = 0.125, Holm p = 0.500". */
export function describeTest(t: TestResult): string {
  return `${t.test}: ${t.counts}; p ${p3(t.p)}, Holm p ${p3(t.pHolm)}`;
}

/** The claims as a markdown table, ceiling rows marked, every test with its counts and p-values. */
export function claimsMarkdown(checks: readonly ClaimCheck[]): string {
  const rows = checks.map((c) => {
    const tests = c.tests.length ? c.tests.map(describeTest).join('<br>') : '—';
    return `| ${c.claim} | ${c.kind} | ${c.conditions}${c.ceiling ? ' (ceiling)' : ''} | **${c.verdict}** | ${tests}${c.note ? `<br>*${c.note}*` : ''} |`;
  });
  return ['| claim | kind | compared | verdict | tests (counts, raw and Holm-adjusted p) |', '| --- | --- | --- | --- | --- |', ...rows].join('\n') + '\n';
}
