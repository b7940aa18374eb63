/**
 * The test items of a kind whose distractors must not be told apart by co-occurrence (hierarchy, family):
 * each question keeps only the distractors that share as many training documents with its prompt's word as
 * the answer does, questions are grouped so every option is the answer in 1/k of its items, and answers
 * take every position equally often.
 */
import { documentAssociation, tiedWithAnswer } from './association.ts';
import { balancedChoices, optionGroups, placeAnswer, type OpenQuestion } from './balance.ts';
import type { TestItem, TrainDoc } from './format.ts';
import type { Rng } from '../util/rng.ts';

export interface TiedQuestion extends OpenQuestion {
  id: string;
  prompt: string;
  /** The prompt's word whose co-occurrences the distractors must match. */
  cue: string;
}

/** `premiseDocs` names the training documents an item is derived from; its derivation lists them in training order. */
export function tiedTestItems<S extends string, Q extends TiedQuestion>(
  train: readonly TrainDoc[],
  pools: Record<S, readonly (readonly Q[])[]>,
  options: Record<S, number>,
  items: number,
  rng: Rng,
  premiseDocs: (question: Q) => readonly string[],
): TestItem[] {
  const position = new Map(train.map((d, i) => [d.id, i]));
  const together = documentAssociation(train);
  const test: TestItem[] = [];
  for (const split of Object.keys(options) as S[]) {
    const k = options[split];
    const tied = pools[split].map((pool) => pool.map((q) => ({ ...q, wrong: tiedWithAnswer(together, q.cue, q.answer, q.wrong) })));
    const chosen = optionGroups(tied, items, k, rng.fork(`items/${split}`));
    const positions = balancedChoices(chosen.length, k, rng.fork(`answers/${split}`));
    const place = rng.fork(`distractors/${split}`);
    chosen.forEach(({ question: q, distractors }, i) => {
      const derivation = [...new Set(premiseDocs(q))].sort((a, b) => position.get(a)! - position.get(b)!);
      test.push({ id: q.id, split, prompt: q.prompt, ...placeAnswer(q.answer, distractors, positions[i], place), derivation });
    });
  }
  return test;
}
