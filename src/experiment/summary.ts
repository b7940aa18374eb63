/**
 * The `glon.summary/2` format: an experiment's results condensed over seeds. Per split x condition, the
 * mean over seeds of each seed's accuracy with two 95% intervals that answer two questions:
 * - for these datasets (`ci`): how sure the accuracy is on the very datasets measured, from item noise
 *   alone. When every seed has the same number of items, the mean of their accuracies is the pooled
 *   accuracy, and the exact Clopper-Pearson interval of the pooled items covers it at least as often as
 *   stated (a sum of binomials with different accuracies is less spread than one binomial: Hoeffding 1956).
 *   When the seeds differ in size no closed form exists: a bootstrap of the items within each seed, seeds
 *   fixed, whose resamples and seed are recorded.
 * - for this kind of dataset (`kindCi`): how sure it is for a new dataset of the same generator, a t
 *   interval over the seeds' accuracies; only from 5 seeds on (null before).
 * Pure and seeded: the same results always give the same summary.
 */
import { z } from 'zod';
import { Rng } from '../util/rng.ts';
import { FormatError, summarizeIssues } from '../data/format.ts';
import type { EvalResult } from '../eval/result.ts';
import { BOOTSTRAP_RESAMPLES, percentileInterval } from '../eval/bootstrap.ts';
import { chanceLevel } from '../eval/chance.ts';
import { clopperPearson } from '../eval/proportion-interval.ts';
import { tInterval } from '../eval/t-interval.ts';

export const SUMMARY_FORMAT = 'glon.summary/2';

/** Every row's bootstrap stream is Rng(`${BOOTSTRAP_SEED}/${split}/${condition}/${seeds joined by ","}`). */
const BOOTSTRAP_SEED = 'summary';

const probability = z.number().min(0).max(1);
const count = z.number().int().nonnegative();
const interval = z.tuple([probability, probability]).refine(([lo, hi]) => lo <= hi, { message: 'ci is not [lo, hi] with lo <= hi' });
const estimate = z.strictObject({
  accuracy: probability,
  /** For these datasets: item noise only. */
  ci: interval,
  /** For this kind of dataset: a t interval over seeds; null under 5 seeds. */
  kindCi: interval.nullable(),
});

const rowSchema = z.strictObject({
  split: z.string().min(1),
  condition: z.string().min(1),
  /** Written by rules, not by the model: an upper bound, never the paper's method. */
  ceiling: z.boolean(),
  /** How many seeds (datasets) the row averages. */
  seeds: z.number().int().positive(),
  /** Items of this split in each seed's dataset (the largest, if seeds differ). */
  n: count,
  /** Mean over seeds of the expected accuracy of uniform guessing. */
  chance: probability,
  /** How `ci` was computed: exact over the pooled items when every seed has as many, else the bootstrap. */
  method: z.enum(['clopper-pearson', 'stratified-bootstrap']),
  /** acc: the option with the highest summed log-prob. */
  ...estimate.shape,
  /** acc_norm: the option with the highest log-prob per character. */
  normalized: estimate,
});

const summarySchema = z.strictObject({
  format: z.literal(SUMMARY_FORMAT),
  /** Every seed any result came from, ascending. */
  seeds: z.array(z.number().int()),
  /** The bootstrap behind the "stratified-bootstrap" intervals. */
  bootstrap: z.strictObject({ resamples: z.number().int().positive(), seed: z.string().min(1) }),
  rows: z.array(rowSchema),
});

export type SummaryRow = z.infer<typeof rowSchema>;
export type Summary = z.infer<typeof summarySchema>;

/** One seed's items of one split: how many, and how many each decision rule got right. */
interface SeedTally {
  seed: number;
  n: number;
  acc: number;
  norm: number;
  chance: number;
}

function seedTally(result: EvalResult, split: string): SeedTally | null {
  const items = result.items.filter((item) => item.split === split);
  if (items.length === 0) return null;
  return {
    seed: result.dataset.seed,
    n: items.length,
    acc: items.filter((item) => item.chosen === item.answer).length,
    norm: items.filter((item) => item.chosenNormalized === item.answer).length,
    chance: chanceLevel(items.map((item) => item.logprobs.length)),
  };
}

/**
 * Cumulative distribution of Binomial(n, hits / n). Drawing n items with replacement from a seed with
 * `hits` correct ones gives exactly this many correct, so one uniform draw replaces n: the bootstrap
 * stays exact and costs O(log n) per seed and resample, even for the paper's large item sets.
 */
function resampledHits(n: number, hits: number): Float64Array {
  const cdf = new Float64Array(n + 1);
  if (hits === 0 || hits === n) {
    cdf.fill(1, hits);
    return cdf;
  }
  const p = hits / n;
  // Log space: (1 - p)^n underflows for a few thousand items.
  const logOdds = Math.log(p / (1 - p));
  let logPmf = n * Math.log1p(-p);
  let total = 0;
  for (let k = 0; k <= n; k++) {
    total += Math.exp(logPmf);
    cdf[k] = total;
    logPmf += Math.log((n - k) / (k + 1)) + logOdds;
  }
  for (let k = 0; k <= n; k++) cdf[k] /= total;
  return cdf;
}

/** The smallest k with cdf[k] > u. */
function draw(cdf: Float64Array, u: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cdf[mid] > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Mean over seeds of each seed's accuracy with its 95% interval for these datasets (exact over the pooled
 * items when the seeds are of one size, else each resample draws every seed's items, seeds fixed) and, from
 * 5 seeds on, for this kind of dataset.
 */
export function accuracyOverSeeds(
  seeds: readonly { n: number; hits: number }[],
  rng: Rng,
  resamples = BOOTSTRAP_RESAMPLES,
): { accuracy: number; ci: [number, number]; kindCi: [number, number] | null; method: SummaryRow['method'] } {
  if (seeds.length === 0 || seeds.some((s) => s.n === 0)) throw new RangeError('accuracyOverSeeds needs at least one item in every seed');
  const accuracies = seeds.map((s) => s.hits / s.n);
  const accuracy = accuracies.reduce((a, b) => a + b, 0) / seeds.length;
  const kindCi = tInterval(accuracies);
  if (seeds.every((s) => s.n === seeds[0].n)) {
    const hits = seeds.reduce((sum, s) => sum + s.hits, 0);
    return { accuracy, ci: clopperPearson(hits, seeds[0].n * seeds.length), kindCi, method: 'clopper-pearson' };
  }
  const cdfs = seeds.map((s) => resampledHits(s.n, s.hits));
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let total = 0;
    for (let s = 0; s < seeds.length; s++) total += draw(cdfs[s], rng.next()) / seeds[s].n;
    means[r] = total / seeds.length;
  }
  means.sort();
  return { accuracy, ci: percentileInterval(means), kindCi, method: 'stratified-bootstrap' };
}

const firstSeen = <T>(values: Iterable<T>) => [...new Set(values)];

export function summarize(results: readonly EvalResult[], { ceiling }: { ceiling: (condition: string) => boolean }): Summary {
  const conditions = firstSeen(results.map((r) => r.condition));
  const splits = firstSeen(results.flatMap((r) => Object.keys(r.splits)));
  const byCondition = new Map(conditions.map((c) => [c, results.filter((r) => r.condition === c).sort((a, b) => a.dataset.seed - b.dataset.seed)]));
  for (const [condition, rs] of byCondition)
    for (let i = 1; i < rs.length; i++)
      if (rs[i].dataset.seed === rs[i - 1].dataset.seed)
        throw new RangeError(`cannot summarize: two results for condition "${condition}" with dataset seed ${rs[i].dataset.seed}`);

  const rows: SummaryRow[] = [];
  for (const split of splits)
    for (const condition of conditions) {
      const perSeed = byCondition.get(condition)!.map((r) => seedTally(r, split)).filter((t): t is SeedTally => t !== null);
      if (perSeed.length === 0) continue;
      // One stream per row and rule, named by what it summarizes: adding a row never moves another's interval.
      const rng = new Rng(`${BOOTSTRAP_SEED}/${split}/${condition}/${perSeed.map((t) => t.seed).join(',')}`);
      const { method, ...acc } = accuracyOverSeeds(perSeed.map((t) => ({ n: t.n, hits: t.acc })), rng.fork('acc'));
      const { method: _, ...normalized } = accuracyOverSeeds(perSeed.map((t) => ({ n: t.n, hits: t.norm })), rng.fork('acc_norm'));
      rows.push({
        split,
        condition,
        ceiling: ceiling(condition),
        seeds: perSeed.length,
        n: Math.max(...perSeed.map((t) => t.n)),
        chance: perSeed.reduce((sum, t) => sum + t.chance, 0) / perSeed.length,
        method,
        ...acc,
        normalized,
      });
    }
  return {
    format: SUMMARY_FORMAT,
    seeds: firstSeen(results.map((r) => r.dataset.seed)).sort((a, b) => a - b),
    bootstrap: { resamples: BOOTSTRAP_RESAMPLES, seed: BOOTSTRAP_SEED },
    rows,
  };
}

export function validateSummary(value: unknown): Summary {
  const format = (value as { format?: unknown } | null)?.format;
  if (typeof value !== 'object' || value === null || format !== SUMMARY_FORMAT)
    throw new FormatError(`not a glon summary: expected "format": "${SUMMARY_FORMAT}"`);
  const parsed = summarySchema.safeParse(value);
  if (!parsed.success) throw new FormatError(`invalid summary: ${summarizeIssues(parsed.error.issues)}`);
  return parsed.data;
}

const num = (x: number) => x.toFixed(2);
const bracket = ([lo, hi]: readonly [number, number]) => `[${num(lo)}, ${num(hi)}]`;

function table(summary: Summary, rule: 'acc' | 'acc_norm'): string[] {
  const conditions = firstSeen(summary.rows.map((r) => r.condition));
  const isCeiling = new Set(summary.rows.filter((r) => r.ceiling).map((r) => r.condition));
  const header = conditions.map((c) => (isCeiling.has(c) ? `${c} (ceiling)` : c));
  const lines = [`| split | n | chance | ${header.join(' | ')} |`, `| --- | ---: | ---: |${' ---: |'.repeat(conditions.length)}`];
  for (const split of firstSeen(summary.rows.map((r) => r.split))) {
    const inSplit = summary.rows.filter((r) => r.split === split);
    const cells = conditions.map((c) => {
      const row = inSplit.find((r) => r.condition === c);
      if (!row) return '—';
      const { accuracy, ci, kindCi } = rule === 'acc' ? row : row.normalized;
      return `${num(accuracy)} ${bracket(ci)}${kindCi ? ` ${bracket(kindCi)}` : ''}`;
    });
    const chance = inSplit.reduce((sum, r) => sum + r.chance, 0) / inSplit.length;
    lines.push(`| ${split} | ${Math.max(...inSplit.map((r) => r.n))} | ${num(chance)} | ${cells.join(' | ')} |`);
  }
  return lines;
}

/** What the intervals in the tables are, in words. */
export function intervalsExplained(summary: Summary): string {
  const seeds = summary.seeds.length;
  const bootstrapped = firstSeen(summary.rows.filter((r) => r.method === 'stratified-bootstrap').map((r) => r.split));
  const theseDatasets =
    `the first interval is for ${seeds === 1 ? 'this dataset' : 'these datasets'}: exact (Clopper-Pearson) over the pooled items` +
    (bootstrapped.length
      ? `, except where the seeds differ in size (${bootstrapped.join(', ')}): a bootstrap of the items within each seed, seeds fixed ` +
        `(${summary.bootstrap.resamples} resamples, seed "${summary.bootstrap.seed}/split/condition/seeds")`
      : '');
  const kind = summary.rows.some((r) => r.kindCi)
    ? `; the second is for this kind of dataset: a t interval over the ${seeds} seeds' accuracies`
    : '; an interval for this kind of dataset (a t interval over seeds) needs at least 5 seeds';
  return `95% intervals: ${theseDatasets}${kind}.`;
}

/** Two tables (acc, acc_norm): a row per split, a column per condition, cells "mean [95% CI]". */
export function summaryMarkdown(summary: Summary): string {
  if (summary.rows.length === 0) return 'No results to summarize.\n';
  const seeds = summary.seeds.length;
  const intro =
    `Accuracy over ${seeds} seed${seeds === 1 ? '' : 's'} (${summary.seeds.join(', ')}): the mean of the per-seed accuracies; ` +
    `n = items per seed. ${intervalsExplained(summary)}`;
  return [
    intro,
    '',
    '**acc** (option with the highest summed log-probability)',
    '',
    ...table(summary, 'acc'),
    '',
    '**acc_norm** (option with the highest log-probability per character)',
    '',
    ...table(summary, 'acc_norm'),
  ].join('\n') + '\n';
}
