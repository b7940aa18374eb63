/**
 * An independent checker for comparison datasets: it reads the facts back from the training TEXT with a
 * regex (never from the generator's bookkeeping) and decides what follows with its own logic engine, where
 * "more X than" is a strict order per adjective (converse and transitive).
 */
import type { TestItem, TrainDoc } from '../../../src/data/format.ts';

type Relation = 'more' | 'less';

export interface Comparison {
  subject: string;
  relation: Relation;
  adjective: string;
  object: string;
}

export interface StatedComparison extends Comparison {
  docId: string;
}

const FACT = /\b([a-z]+) are (more|less) ([a-z]+) than ([a-z]+)[.?]/g;

const key = (c: Comparison) => `${c.subject} ${c.relation} ${c.adjective} ${c.object}`;

/** Every comparison stated in the training text, with the document it is in. */
export function readComparisons(train: readonly TrainDoc[]): StatedComparison[] {
  return train.flatMap((doc) =>
    [...doc.text.matchAll(FACT)].map(([, subject, relation, adjective, object]) => ({
      docId: doc.id,
      subject,
      relation: relation as Relation,
      adjective,
      object,
    })),
  );
}

export class ComparisonLogic {
  /** adjective -> x -> the y with x more <adjective> than y (stated directly). */
  private readonly above = new Map<string, Map<string, Set<string>>>();
  readonly stated: readonly StatedComparison[];

  constructor(train: readonly TrainDoc[]) {
    this.stated = readComparisons(train);
    for (const c of this.stated) {
      const [high, low] = c.relation === 'more' ? [c.subject, c.object] : [c.object, c.subject];
      const edges = this.above.get(c.adjective) ?? new Map<string, Set<string>>();
      this.above.set(c.adjective, edges);
      edges.set(high, (edges.get(high) ?? new Set()).add(low));
    }
  }

  /** x is more <adjective> than y by a chain of stated facts. */
  private greater(adjective: string, x: string, y: string): boolean {
    const edges = this.above.get(adjective);
    if (!edges) return false;
    const seen = new Set<string>();
    const stack = [x];
    while (stack.length) {
      for (const next of edges.get(stack.pop()!) ?? []) {
        if (next === y) return true;
        if (!seen.has(next)) stack.push(next), seen.add(next);
      }
    }
    return false;
  }

  entails(c: Comparison): boolean {
    return c.relation === 'more' ? this.greater(c.adjective, c.subject, c.object) : this.greater(c.adjective, c.object, c.subject);
  }

  /** Training facts that contradict each other (x above y and y above x). */
  contradictions(): StatedComparison[] {
    return this.stated.filter((c) => this.entails({ ...c, relation: c.relation === 'more' ? 'less' : 'more' }));
  }

  isStated(c: Comparison): boolean {
    return this.stated.some((s) => key(s) === key(c));
  }

  docsStating(c: Comparison): string[] {
    return [...new Set(this.stated.filter((s) => key(s) === key(c)).map((s) => s.docId))];
  }
}

const converse = (c: Comparison): Comparison => ({
  subject: c.object,
  relation: c.relation === 'more' ? 'less' : 'more',
  adjective: c.adjective,
  object: c.subject,
});

/**
 * Problems with one item, empty when it is right. Rules: the prompt is "<noun> are"; the two options differ
 * only in more/less; the answer follows from the training facts and the distractor does not; for
 * `memorization` the answer is itself a trained fact, for `reversal` the answer is not trained (not even
 * verbatim in the text) but its converse is; `derivation` names exactly the documents stating that fact.
 */
export function checkComparisonItem(logic: ComparisonLogic, train: readonly TrainDoc[], item: TestItem): string[] {
  const problems: string[] = [];
  const prompt = /^([a-z]+) are$/.exec(item.prompt);
  if (!prompt) return [`${item.id}: prompt "${item.prompt}" is not "<noun> are"`];
  const parsed: Comparison[] = [];
  for (const option of item.options) {
    const m = /^(more|less) ([a-z]+) than ([a-z]+)$/.exec(option);
    if (!m) return [`${item.id}: option "${option}" is not "more|less <adjective> than <noun>"`];
    parsed.push({ subject: prompt[1], relation: m[1] as Relation, adjective: m[2], object: m[3] });
  }
  if (parsed.length !== 2 || parsed[0].relation === parsed[1].relation || parsed[0].adjective !== parsed[1].adjective || parsed[0].object !== parsed[1].object)
    problems.push(`${item.id}: the options do not differ in the relation word alone`);

  const answer = parsed[item.answer];
  if (!logic.entails(answer)) problems.push(`${item.id}: the answer "${item.prompt} ${item.options[item.answer]}" does not follow`);
  parsed.forEach((c, i) => {
    if (i !== item.answer && logic.entails(c)) problems.push(`${item.id}: the distractor "${item.prompt} ${item.options[i]}" follows too`);
  });

  let source: Comparison;
  if (item.split === 'memorization') {
    source = answer;
    if (!logic.isStated(answer)) problems.push(`${item.id}: memorization answer is not a trained fact`);
  } else if (item.split === 'reversal') {
    source = converse(answer);
    if (logic.isStated(answer)) problems.push(`${item.id}: reversal answer is itself a trained fact`);
    if (!logic.isStated(source)) problems.push(`${item.id}: reversal answer is not the converse of a trained fact`);
    const sentence = new RegExp(`(^|[^a-z])${item.prompt} ${item.options[item.answer]}([^a-z]|$)`);
    if (train.some((d) => sentence.test(d.text))) problems.push(`${item.id}: reversal answer appears verbatim in the training text`);
  } else {
    return [...problems, `${item.id}: unknown split "${item.split}"`];
  }
  const expected = logic.docsStating(source).sort().join(',');
  if ([...item.derivation].sort().join(',') !== expected)
    problems.push(`${item.id}: derivation [${item.derivation.join(', ')}] is not the documents stating the fact [${expected}]`);
  return problems;
}
