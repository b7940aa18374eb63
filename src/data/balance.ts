/**
 * Balancing so that a model's bias toward a position or a word scores chance, not more: every answer
 * position (and every relation word) is the correct one equally often within a split.
 */
import { mixedSample } from './mixed-sample.ts';
import type { Rng } from '../util/rng.ts';

/** n values from 0..k-1, each ⌊n/k⌋ or ⌈n/k⌉ times, in random order. */
export function balancedChoices(n: number, k: number, rng: Rng): number[] {
  const values = Array.from({ length: n }, (_, i) => i % k);
  // Which values get the remainder is itself random, so no value is favoured across datasets.
  const offset = rng.int(k);
  return rng.shuffle(values.map((v) => (v + offset) % k));
}

/** Puts `correct` at position `at` among the distractors; returns the options and the answer index. */
export function placeAnswer(correct: string, distractors: readonly string[], at: number, rng: Rng): { options: string[]; answer: number } {
  const options = rng.shuffle(distractors);
  options.splice(at, 0, correct);
  return { options, answer: at };
}

/** A question before its options are drawn: the answer, and the words that are wrong for it but hard. */
export interface OpenQuestion {
  answer: string;
  wrong: readonly string[];
}

/** How many partial groups one search may try before it gives up on its first question. */
const SEARCH_BUDGET = 20_000;
/** Greedy grouping can strand questions that another order would have placed; a few orders are tried. */
const ATTEMPTS = 12;

/**
 * Up to n questions (a multiple of k), in groups of k that share their k options: every answer of a group is
 * a distractor of the group's other questions. Each option string is then the correct one in exactly one
 * item of every group it is in, so any scorer that prefers some words to others without reading the prompt
 * scores exactly 1/k, however often a word recurs as an answer. Questions are taken in turn from each pool,
 * in random order; one that finds no k-1 partners is left out. Of several random orders, the first that
 * reaches n (or else the one that places the most questions) is kept.
 */
export function optionGroups<Q extends OpenQuestion>(pools: readonly (readonly Q[])[], n: number, k: number, rng: Rng): { question: Q; distractors: string[] }[] {
  const wrong = new Map(pools.flat().map((q) => [q, new Set(q.wrong)]));
  const fits = (a: Q, b: Q) => a.answer !== b.answer && wrong.get(a)!.has(b.answer) && wrong.get(b)!.has(a.answer);
  const target = Math.floor(n / k) * k;
  let best: { question: Q; distractors: string[] }[] = [];
  for (let attempt = 0; attempt < ATTEMPTS && best.length < target; attempt++) {
    const groups = groupInOrder(mixedSample(pools, Infinity, rng), target, k, fits);
    if (groups.length > best.length) best = groups;
  }
  return best;
}

/** Greedy grouping: each question in `order` not yet placed starts a group, completed by the earliest partners that fit. */
function groupInOrder<Q extends OpenQuestion>(order: readonly Q[], target: number, k: number, fits: (a: Q, b: Q) => boolean): { question: Q; distractors: string[] }[] {
  const used = new Set<Q>();
  let budget = 0;
  const complete = (group: Q[], from: number): Q[] | undefined => {
    if (group.length === k) return group;
    for (let i = from; i < order.length && budget < SEARCH_BUDGET; i++) {
      const q = order[i];
      if (used.has(q) || !group.every((g) => fits(g, q))) continue;
      budget++;
      const done = complete([...group, q], i + 1);
      if (done) return done;
    }
    return undefined;
  };
  const out: { question: Q; distractors: string[] }[] = [];
  for (const first of order) {
    if (out.length >= target) break;
    if (used.has(first)) continue;
    budget = 0;
    const group = complete([first], 0);
    if (!group) continue;
    for (const q of group) {
      used.add(q);
      out.push({ question: q, distractors: group.filter((g) => g !== q).map((g) => g.answer) });
    }
  }
  return out;
}
