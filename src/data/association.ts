/**
 * Direction-free association between two dataset words: how many training documents name both. A test item
 * whose answer shares more documents with the prompt's word than its distractors do can be answered by that
 * count alone, without the relation it asks about; generators keep only distractors that tie with the answer.
 */
import type { TrainDoc } from './format.ts';

export function documentAssociation(train: readonly TrainDoc[]): (a: string, b: string) => number {
  const docs = train.map((d) => new Set(d.text.toLowerCase().match(/[a-z]+/g)));
  // Counts with every word, for each word asked about: generators ask about one cue many times.
  const rows = new Map<string, Map<string, number>>();
  const row = (cue: string) => {
    const counts = new Map<string, number>();
    for (const doc of docs) if (doc.has(cue)) for (const w of doc) counts.set(w, (counts.get(w) ?? 0) + 1);
    return counts;
  };
  return (a, b) => {
    const cue = a.toLowerCase();
    const counts = rows.get(cue) ?? rows.set(cue, row(cue)).get(cue)!;
    return counts.get(b.toLowerCase()) ?? 0;
  };
}

/** The distractors that the prompt's word `cue` shares exactly as many documents with as with the answer. */
export function tiedWithAnswer(together: (a: string, b: string) => number, cue: string, answer: string, wrong: readonly string[]): string[] {
  const level = together(cue, answer);
  return wrong.filter((w) => together(cue, w) === level);
}
