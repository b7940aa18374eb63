/**
 * "Can this model use context?": a few seconds on load that tell a student what the model can show before
 * a long run. A tiny reversal set (fixed seed) is scored twice on its memorization items, the facts asked
 * back in their stated direction: without the facts (base) and with them in the context (icl). A model that
 * reads its context answers more of them with the facts; one that does not scores the same both ways, and
 * then no dataset's ICL will beat its base.
 *
 * The rule: paired items, a one-sided exact McNemar test. Of the items the two conditions answer
 * differently, `gained` are right only with the facts and `lost` only without; with no effect of the facts
 * each such item is equally likely to fall either way, so p = P(Binomial(gained + lost, 1/2) >= gained).
 * The model "uses facts in context" when p < PROBE_ALPHA.
 */
import binomialCdf from '@stdlib/stats-base-dists-binomial-cdf';
import type { Dataset } from '../data/format.ts';
import { generateDataset } from '../data/generate.ts';
import type { LanguageModel, RunOptions } from '../model/language-model.ts';
import { evaluate } from './evaluate.ts';

export const PROBE_ALPHA = 0.05;
/** 16 facts, one line each: about 300 tokens of context, which fits every model's window (stories260K: 512). */
const PROBE_DATASET = { kind: 'reversal', seed: 1, params: { facts: 16, linesPerFact: 1 } } as const;
const PROBE_SPLIT = 'memorization';

export interface ProbeVerdict {
  /** Items scored in each condition. */
  n: number;
  /** Correct answers without the facts, and with them. */
  base: number;
  icl: number;
  /** Items right only with the facts, and right only without them. */
  gained: number;
  lost: number;
  /** One-sided exact McNemar p-value for "the facts help". */
  p: number;
  uses: boolean;
  /** (icl - base) / n in percentage points, rounded. */
  points: number;
}

/** P(X >= k) for X ~ Binomial(n, 1/2). */
function binomialTail(n: number, k: number): number {
  return k <= 0 ? 1 : 1 - binomialCdf(k - 1, n, 0.5);
}

/** The verdict from each item's correctness without (`base`) and with (`icl`) the facts, item by item. */
export function probeVerdict(base: readonly boolean[], icl: readonly boolean[]): ProbeVerdict {
  if (base.length !== icl.length || base.length === 0) throw new Error(`the probe needs the same items in both conditions, got ${base.length} and ${icl.length}`);
  const n = base.length;
  const gained = base.filter((right, i) => !right && icl[i]).length;
  const lost = base.filter((right, i) => right && !icl[i]).length;
  const baseCorrect = base.filter(Boolean).length;
  const iclCorrect = icl.filter(Boolean).length;
  const p = binomialTail(gained + lost, gained);
  return { n, base: baseCorrect, icl: iclCorrect, gained, lost, p, uses: p < PROBE_ALPHA, points: Math.round(((iclCorrect - baseCorrect) / n) * 100) };
}

/** The sentence the Model step and `glon eval --probe` print. */
export function describeProbe(v: ProbeVerdict): string {
  const signed = `${v.points >= 0 ? '+' : ''}${v.points}`;
  const counts = `${v.icl}/${v.n} right with the facts in context, ${v.base}/${v.n} without; one-sided exact McNemar p = ${v.p.toPrecision(2)}`;
  return v.uses
    ? `uses facts in context: ${signed} points (${counts})`
    : `does not use facts in context: expect ICL = base (${signed} points, within chance: ${counts}, not below ${PROBE_ALPHA})`;
}

/** The probe's items: the memorization questions of a tiny reversal set, with its training lines. */
export function probeDataset(): Dataset {
  const dataset = generateDataset(PROBE_DATASET);
  return { ...dataset, test: dataset.test.filter((item) => item.split === PROBE_SPLIT) };
}

/** Scores the probe items without and with the facts (plain template) and judges the difference. */
export async function runContextProbe(model: LanguageModel, options: RunOptions = {}): Promise<ProbeVerdict> {
  const dataset = probeDataset();
  const correct = async (condition: 'base' | 'icl') => {
    const result = await evaluate(dataset, model, {
      condition,
      template: 'plain',
      seed: 0,
      signal: options.signal,
      onProgress: (p) => options.onProgress?.({ ...p, stage: `probe ${condition}` }),
    });
    return result.items.map((item) => item.chosen === item.answer);
  };
  const base = await correct('base');
  return probeVerdict(base, await correct('icl'));
}
