/**
 * Balancing so that a model's bias toward a position or a word scores chance, not more: every answer
 * position (and every relation word) is the correct one equally often within a split.
 */
import type { Rng } from './rng.ts';

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
