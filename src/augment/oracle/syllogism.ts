/**
 * Oracle rules for `syllogism` datasets: every all/some/no statement between two terms of a document that
 * its premises entail and do not state, in both word orders where both follow ("No a are b" and "No b are a").
 * Entailment is decided over set models, without existential import as the dataset's logic has it: a
 * model picks which Venn regions of the terms are non-empty, any term may be empty, and a statement
 * follows when it holds in every model of the premises. Each conclusion is written bare and after the
 * heading the test prompts use ("The relationships between a and b are: All a are b.").
 */
import type { AugmentedSentence } from '../augmentation.ts';
import { SentenceWriter, type TrainingSide } from './shared.ts';

type Quantifier = 'All' | 'Some' | 'No';
const QUANTIFIERS: readonly Quantifier[] = ['All', 'Some', 'No'];

interface Statement {
  quantifier: Quantifier;
  subject: string;
  object: string;
}

const HEADING = /The relationships between ([a-z]+), ([a-z]+) and ([a-z]+) are:/;
const STATEMENT = /\b(All|Some|No) ([a-z]+) are ([a-z]+)\./g;

const say = (s: Statement) => `${s.quantifier} ${s.subject} are ${s.object}.`;

/** Whether `s` holds in the model whose non-empty regions are `regions` (bitmasks over the terms). */
function holds(s: Statement, regions: readonly number[], bit: (term: string) => number): boolean {
  const [a, b] = [bit(s.subject), bit(s.object)];
  if (s.quantifier === 'All') return regions.every((r) => !(r & a) || (r & b) !== 0);
  if (s.quantifier === 'Some') return regions.some((r) => (r & a) !== 0 && (r & b) !== 0);
  return regions.every((r) => !(r & a) || !(r & b));
}

/** Every statement between two of `terms` that holds in all models of `premises` (none if they are inconsistent). */
function entailed(terms: readonly string[], premises: readonly Statement[]): Statement[] {
  const bit = (term: string) => 1 << terms.indexOf(term);
  const regions = Array.from({ length: (1 << terms.length) - 1 }, (_, i) => i + 1);
  const models: number[][] = [];
  for (let mask = 0; mask < 1 << regions.length; mask++) {
    const model = regions.filter((_, i) => mask & (1 << i));
    if (premises.every((p) => holds(p, model, bit))) models.push(model);
  }
  if (!models.length) return [];
  return terms.flatMap((subject) =>
    terms.flatMap((object) =>
      subject === object ? [] : QUANTIFIERS.map((quantifier) => ({ quantifier, subject, object })).filter((s) => models.every((m) => holds(s, m, bit))),
    ),
  );
}

export function syllogismOracle(dataset: TrainingSide): AugmentedSentence[] {
  const writer = new SentenceWriter(dataset.train);
  for (const doc of dataset.train) {
    const heading = HEADING.exec(doc.text);
    if (!heading) continue;
    const terms = [heading[1], heading[2], heading[3]];
    const premises = [...doc.text.slice(heading.index + heading[0].length).matchAll(STATEMENT)]
      .map(([, quantifier, subject, object]) => ({ quantifier: quantifier as Quantifier, subject, object }))
      .filter((p) => terms.includes(p.subject) && terms.includes(p.object));
    const stated = new Set(premises.map(say));
    for (const conclusion of entailed(terms, premises)) {
      if (stated.has(say(conclusion))) continue;
      const { subject, object } = conclusion;
      writer.write(say(conclusion), [doc.id]);
      for (const [first, second] of [[subject, object], [object, subject]])
        writer.write(`The relationships between ${first} and ${second} are: ${say(conclusion)}`, [doc.id]);
    }
  }
  return writer.sentences;
}
