/**
 * Simulated scorers that ignore the prompt and prefer some option strings over others, the way a base model
 * with a prior for a word (short, frequent, easy to tokenize) does. On a split balanced for words every one
 * of them scores chance.
 */
import { expect } from 'vitest';
import type { TestItem } from '../../../src/data/format.ts';
import { Rng } from '../../../src/util/rng.ts';

/** How often each option string appears in the split, and how often it is the correct one. */
export function optionCounts(items: readonly TestItem[]): Map<string, { appears: number; correct: number }> {
  const counts = new Map<string, { appears: number; correct: number }>();
  for (const item of items)
    item.options.forEach((o, i) => {
      const c = counts.get(o) ?? { appears: 0, correct: 0 };
      c.appears++;
      if (i === item.answer) c.correct++;
      counts.set(o, c);
    });
  return counts;
}

/** Accuracy of the scorer that picks, in every item, the option ranked first by `rank` (lower is preferred). */
export function accuracyOfPreference(items: readonly TestItem[], rank: (option: string) => number): number {
  const picked = items.map((item) => item.options.reduce((best, o, i) => (rank(o) < rank(item.options[best]) ? i : best), 0));
  return picked.filter((p, i) => p === items[i].answer).length / items.length;
}

/** A ranking from scores (higher preferred), ties broken by the string itself so the result is deterministic. */
function rankBy(scores: Map<string, number>): (option: string) => number {
  const order = [...scores.keys()].sort((a, b) => scores.get(b)! - scores.get(a)! || (a < b ? -1 : 1));
  const place = new Map(order.map((s, i) => [s, i]));
  return (option) => place.get(option)!;
}

export interface BiasedScores {
  /** Prefers the strings most often correct in the split. */
  mostOftenCorrect: number;
  /** Prefers the strings most frequent among all options of the split. */
  mostFrequent: number;
  /** Prefers the shortest option. */
  shortest: number;
  /** Accuracy of `orderings` random fixed preference orderings over all strings of the split. */
  random: number[];
}

export function biasedScores(items: readonly TestItem[], orderings: number, seed: number): BiasedScores {
  const counts = optionCounts(items);
  const strings = [...counts.keys()].sort();
  const rng = new Rng(seed);
  return {
    mostOftenCorrect: accuracyOfPreference(items, rankBy(new Map(strings.map((s) => [s, counts.get(s)!.correct])))),
    mostFrequent: accuracyOfPreference(items, rankBy(new Map(strings.map((s) => [s, counts.get(s)!.appears])))),
    shortest: accuracyOfPreference(items, rankBy(new Map(strings.map((s) => [s, -s.length])))),
    random: Array.from({ length: orderings }, () => {
      const place = new Map(rng.shuffle(strings).map((s, i) => [s, i]));
      return accuracyOfPreference(items, (o) => place.get(o)!);
    }),
  };
}

/** How far above chance a biased scorer may score. */
const MARGIN = 0.08;

/**
 * A split is balanced for words when every option string is the correct one in exactly 1/k of the items it
 * appears in, and no scorer that ranks strings without reading the prompt gets more than a little above chance.
 */
export function expectWordBalanced(items: readonly TestItem[], seed: number): void {
  if (!items.length) return;
  const k = items[0].options.length;
  const chance = 1 / k;
  for (const [option, { appears, correct }] of optionCounts(items)) expect(correct * k, `"${option}" is correct ${correct} of ${appears} times`).toBe(appears);
  const scores = biasedScores(items, 200, seed);
  expect(scores.mostOftenCorrect, 'prefers the most frequent answers').toBeLessThanOrEqual(chance + MARGIN);
  expect(scores.mostFrequent, 'prefers the most frequent options').toBeLessThanOrEqual(chance + MARGIN);
  expect(scores.shortest, 'prefers the shortest option').toBeLessThanOrEqual(chance + MARGIN);
  const mean = scores.random.reduce((a, x) => a + x, 0) / scores.random.length;
  expect(Math.abs(mean - chance), 'random preference orderings on average').toBeLessThanOrEqual(0.03);
  expect(Math.max(...scores.random), 'the luckiest of the random preference orderings').toBeLessThanOrEqual(chance + MARGIN);
}
