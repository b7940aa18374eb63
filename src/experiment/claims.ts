/**
 * The paper's qualitative claims, judged from a study's results by rules fixed before the numbers are
 * seen: HELD, NOT HELD or INCONCLUSIVE. Differences between two conditions are paired (the same test items
 * of the same seed), with a 95% nested bootstrap interval (resample seeds, then items within each seed).
 * Pure: results in, verdicts out.
 */
import { Rng } from '../data/rng.ts';
import type { EvalResult } from '../eval/result.ts';
import { BOOTSTRAP_RESAMPLES, quantile } from '../eval/bootstrap.ts';

export type Verdict = 'HELD' | 'NOT HELD' | 'INCONCLUSIVE';

/** A difference whose whole 95% interval lies within ±this is treated as no difference. */
export const EQUIVALENCE_MARGIN = 0.05;
/** "Near zero": the whole 95% interval of the accuracy at or below this. */
export const NEAR_ZERO = 0.1;

export const CLAIM_RULES = [
  'Accuracy is acc (the option with the highest summed log-probability), pooled over the kind\'s generalization splits.',
  'A difference A − B is paired item by item within each seed; its 95% interval comes from a nested bootstrap ' +
    `(${BOOTSTRAP_RESAMPLES} resamples of the seeds, then of the items within each seed).`,
  `A > B when the interval of A − B lies above 0; A < B when it lies below 0; A ≈ B when it lies within ±${EQUIVALENCE_MARGIN}; otherwise unclear.`,
  '"ICL beats FT": HELD if ICL > FT; NOT HELD if ICL < FT or ICL ≈ FT; otherwise INCONCLUSIVE.',
  `"FT near zero on the reversal-curse data": HELD if the interval of FT's accuracy lies at or below ${NEAR_ZERO}; ` +
    `NOT HELD if it lies above ${NEAR_ZERO}; otherwise INCONCLUSIVE.`,
  '"Augmented FT closes the gap": INCONCLUSIVE unless ICL > FT (no gap to close); then HELD if augmented FT > FT and not ' +
    'ICL > augmented FT; NOT HELD if ICL > augmented FT, or augmented FT < FT, or augmented FT ≈ FT; otherwise INCONCLUSIVE.',
  'Oracle augmentation is written by rules, not by the model: its rows are a ceiling and are judged but not counted as the paper\'s method.',
] as const;

export type Relation = 'greater' | 'less' | 'equivalent' | 'unclear';

export interface Estimate {
  /** Mean over seeds of the per-seed mean. */
  value: number;
  ci: [number, number];
  /** Items per seed (pooled splits). */
  n: number[];
}

/** The results of one dataset kind, and which of its splits need generalization. */
export interface KindResults {
  kind: string;
  generalization: readonly string[];
  results: readonly EvalResult[];
}

export interface ClaimCheck {
  claim: string;
  kind: string;
  /** The compared conditions, e.g. "icl vs ft". */
  conditions: string;
  verdict: Verdict;
  /** The numbers the verdict rests on, in words. */
  evidence: string;
  /** What the verdict alone would hide (e.g. won because the other side fell below chance). */
  note?: string;
  ceiling: boolean;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Mean over seeds of per-seed means, with a 95% nested bootstrap interval (seeds, then items in each seed). */
export function nestedEstimate(perSeed: readonly (readonly number[])[], rng: Rng): Estimate {
  if (perSeed.length === 0 || perSeed.some((v) => v.length === 0)) throw new RangeError('nestedEstimate needs at least one item in every seed');
  const resampled: number[] = [];
  for (let r = 0; r < BOOTSTRAP_RESAMPLES; r++) {
    let total = 0;
    for (let s = 0; s < perSeed.length; s++) {
      const values = perSeed[rng.int(perSeed.length)];
      let sum = 0;
      for (let i = 0; i < values.length; i++) sum += values[rng.int(values.length)];
      total += sum / values.length;
    }
    resampled.push(total / perSeed.length);
  }
  resampled.sort((a, b) => a - b);
  return { value: mean(perSeed.map(mean)), ci: [quantile(resampled, 0.025), quantile(resampled, 0.975)], n: perSeed.map((v) => v.length) };
}

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

export function accuracy(kind: KindResults, condition: string): Estimate | null {
  const bySeed = [...hits(kind, condition).values()].map((items) => [...items.values()]);
  if (bySeed.length === 0 || bySeed.some((v) => v.length === 0)) return null;
  return nestedEstimate(bySeed, new Rng(`claims/${kind.kind}/${condition}`));
}

/** A − B on the same items of the same seeds; null when either condition is missing. */
export function difference(kind: KindResults, a: string, b: string): Estimate | null {
  const left = hits(kind, a);
  const right = hits(kind, b);
  const perSeed: number[][] = [];
  for (const [seed, items] of left) {
    const other = right.get(seed);
    if (!other) continue;
    const diffs = [...items].filter(([id]) => other.has(id)).map(([id, hit]) => hit - other.get(id)!);
    if (diffs.length) perSeed.push(diffs);
  }
  if (perSeed.length === 0) return null;
  return nestedEstimate(perSeed, new Rng(`claims/${kind.kind}/${a}-${b}`));
}

export function relation(d: Estimate): Relation {
  if (d.ci[0] > 0) return 'greater';
  if (d.ci[1] < 0) return 'less';
  if (d.ci[0] >= -EQUIVALENCE_MARGIN && d.ci[1] <= EQUIVALENCE_MARGIN) return 'equivalent';
  return 'unclear';
}

const num = (x: number) => x.toFixed(2);
const interval = ([lo, hi]: [number, number]) => `[${num(lo)}, ${num(hi)}]`;
const SIGN: Record<Relation, string> = { greater: '>', less: '<', equivalent: '≈', unclear: 'unclear vs' };

function describe(a: string, b: string, d: Estimate): string {
  return `${a} − ${b} = ${d.value >= 0 ? '+' : ''}${num(d.value)} ${interval(d.ci)} (${relation(d) === 'unclear' ? 'unclear' : `${a} ${SIGN[relation(d)]} ${b}`})`;
}

export const CLAIMS = {
  iclBeatsFt: 'ICL beats FT on reversals and syllogisms',
  ftNearZero: 'FT on the reversal-curse data is near zero',
  augmentedClosesGap: 'augmented FT closes the gap to ICL',
} as const;

function chanceOf(kind: KindResults, condition: string): number {
  const items = kind.results.filter((r) => r.condition === condition).flatMap((r) => r.items.filter((i) => kind.generalization.includes(i.split)));
  return mean(items.map((i) => 1 / i.logprobs.length));
}

/** "icl 0.50 [0.35, 0.65] (chance 0.50)": where a condition stands, so a verdict won by the other side failing shows. */
function standing(kind: KindResults, condition: string): string {
  const a = accuracy(kind, condition);
  return a ? `${condition} ${num(a.value)} ${interval(a.ci)} (chance ${num(chanceOf(kind, condition))})` : `${condition} missing`;
}

function iclBeatsFt(kind: KindResults): ClaimCheck | null {
  const d = difference(kind, 'icl', 'ft');
  if (!d) return null;
  const r = relation(d);
  const verdict: Verdict = r === 'greater' ? 'HELD' : r === 'unclear' ? 'INCONCLUSIVE' : 'NOT HELD';
  const evidence = `${describe('icl', 'ft', d)}; ${standing(kind, 'icl')}, ${standing(kind, 'ft')}`;
  const icl = accuracy(kind, 'icl');
  const note =
    verdict === 'HELD' && icl && icl.ci[0] <= chanceOf(kind, 'icl') ? 'ICL itself is not above chance: FT fell below it' : undefined;
  return { claim: CLAIMS.iclBeatsFt, kind: kind.kind, conditions: 'icl vs ft', verdict, evidence, note, ceiling: false };
}

function ftNearZero(kind: KindResults): ClaimCheck | null {
  const a = accuracy(kind, 'ft');
  if (!a) return null;
  const verdict: Verdict = a.ci[1] <= NEAR_ZERO ? 'HELD' : a.ci[0] > NEAR_ZERO ? 'NOT HELD' : 'INCONCLUSIVE';
  return { claim: CLAIMS.ftNearZero, kind: kind.kind, conditions: 'ft', verdict, evidence: standing(kind, 'ft'), ceiling: false };
}

function closesGap(kind: KindResults, augmented: string, ceiling: boolean): ClaimCheck | null {
  const gap = difference(kind, 'icl', 'ft');
  const gain = difference(kind, augmented, 'ft');
  const rest = difference(kind, 'icl', augmented);
  if (!gap || !gain || !rest) return null;
  const evidence = [describe('icl', 'ft', gap), describe(augmented, 'ft', gain), describe('icl', augmented, rest)].join('; ');
  let verdict: Verdict;
  if (relation(gap) !== 'greater') verdict = 'INCONCLUSIVE';
  else if (relation(gain) === 'greater' && relation(rest) !== 'greater') verdict = 'HELD';
  else if (relation(rest) === 'greater' || relation(gain) === 'less' || relation(gain) === 'equivalent') verdict = 'NOT HELD';
  else verdict = 'INCONCLUSIVE';
  const note = relation(gap) !== 'greater' ? ' — no ICL-over-FT gap to close' : '';
  return { claim: CLAIMS.augmentedClosesGap, kind: kind.kind, conditions: `${augmented} vs ft, icl`, verdict, evidence: evidence + note, ceiling };
}

/** Every claim the study's kinds and conditions can speak to, in the order the paper tells them. */
export function judgeClaims(kinds: readonly KindResults[], isCeiling: (condition: string) => boolean): ClaimCheck[] {
  const checks: (ClaimCheck | null)[] = [];
  for (const kind of kinds) if (kind.kind === 'reversal' || kind.kind === 'syllogism') checks.push(iclBeatsFt(kind));
  for (const kind of kinds) if (kind.kind === 'celebrity') checks.push(ftNearZero(kind));
  for (const kind of kinds) {
    const augmented = [...new Set(kind.results.map((r) => r.condition))].filter((c) => c.startsWith('ft+'));
    for (const condition of augmented) checks.push(closesGap(kind, condition, isCeiling(condition)));
  }
  return checks.filter((c): c is ClaimCheck => c !== null);
}

/** The claims as a markdown table, ceiling rows marked. */
export function claimsMarkdown(checks: readonly ClaimCheck[]): string {
  const rows = checks.map(
    (c) => `| ${c.claim} | ${c.kind} | ${c.conditions}${c.ceiling ? ' (ceiling)' : ''} | **${c.verdict}** | ${c.evidence}${c.note ? ` — ${c.note}` : ''} |`,
  );
  return ['| claim | kind | compared | verdict | evidence (95% CI) |', '| --- | --- | --- | --- | --- |', ...rows].join('\n') + '\n';
}
