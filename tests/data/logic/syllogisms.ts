/**
 * An independent checker for syllogism datasets. It reads the premises back from the training TEXT with
 * regexes and decides entailment by brute force over set models, with no table of moods: a model says
 * which Venn regions of the terms are non-empty, and a statement follows when it holds in every model of
 * the premises. No existential import, as the generator documents it: a model may leave any term empty
 * (even all of them), so "All s are p" does not entail "Some s are p".
 */
import type { TestItem, TrainDoc } from '../../../src/data/format.ts';

export type Quantifier = 'All' | 'Some' | 'No';
export const QUANTIFIERS: readonly Quantifier[] = ['All', 'Some', 'No'];

export interface Statement {
  quantifier: Quantifier;
  subject: string;
  object: string;
}

export interface StatedPremise extends Statement {
  docId: string;
}

const HEADING = /^The relationships between ([a-z]+), ([a-z]+) and ([a-z]+) are: (.*)$/;
const STATEMENT = /^(All|Some|No) ([a-z]+) are ([a-z]+)\.$/;

export const say = (s: Statement) => `${s.quantifier} ${s.subject} are ${s.object}.`;

export function parseStatement(text: string): Statement | undefined {
  const m = STATEMENT.exec(text);
  return m ? { quantifier: m[1] as Quantifier, subject: m[2], object: m[3] } : undefined;
}

/** Premises of every training document; throws on a document that does not read as one. */
export function readPremises(train: readonly TrainDoc[]): StatedPremise[] {
  return train.flatMap((doc) => {
    const m = HEADING.exec(doc.text);
    if (!m) throw new Error(`${doc.id}: not "The relationships between a, b and c are: ..."`);
    const terms = new Set([m[1], m[2], m[3]]);
    return m[4].split(/(?<=\.) /).map((text) => {
      const s = parseStatement(text);
      if (!s) throw new Error(`${doc.id}: "${text}" is not a statement`);
      if (!terms.has(s.subject) || !terms.has(s.object)) throw new Error(`${doc.id}: "${text}" uses a term not in its heading`);
      return { ...s, docId: doc.id };
    });
  });
}

/** A model: the set of non-empty Venn regions, each region a bitmask over the terms. */
type Model = number[];

function holds(s: Statement, model: Model, bit: Map<string, number>): boolean {
  const a = bit.get(s.subject)!;
  const b = bit.get(s.object)!;
  switch (s.quantifier) {
    case 'All':
      return model.every((r) => !(r & a) || (r & b) !== 0);
    case 'Some':
      return model.some((r) => (r & a) !== 0 && (r & b) !== 0);
    case 'No':
      return model.every((r) => !(r & a) || !(r & b));
  }
}

/** Every model over `terms` in which all `premises` hold; terms may be empty. */
export function models(terms: readonly string[], premises: readonly Statement[]): { models: Model[]; bit: Map<string, number> } {
  if (terms.length > 4) throw new Error(`too many terms to enumerate models: ${terms.join(', ')}`);
  const bit = new Map(terms.map((t, i) => [t, 1 << i]));
  const regions = Array.from({ length: (1 << terms.length) - 1 }, (_, i) => i + 1);
  const out: Model[] = [];
  // mask 0 is the model where every term is empty.
  for (let mask = 0; mask < 1 << regions.length; mask++) {
    const model = regions.filter((_, i) => mask & (1 << i));
    if (premises.every((p) => holds(p, model, bit))) out.push(model);
  }
  return { models: out, bit };
}

/** Whether `premises` entail `query` (every model of the premises satisfies it); needs a consistent set. */
export function entails(premises: readonly Statement[], query: Statement): boolean {
  const terms = [...new Set([query.subject, query.object, ...premises.flatMap((p) => [p.subject, p.object])])];
  const { models: all, bit } = models(terms, premises);
  if (all.length === 0) throw new Error(`inconsistent premises: ${premises.map(say).join(' ')}`);
  return all.every((m) => holds(query, m, bit));
}

/** The premises connected to `seeds` through shared terms: the only ones that can bear on them. */
export function connectedPremises(all: readonly StatedPremise[], seeds: readonly string[]): StatedPremise[] {
  const terms = new Set(seeds);
  const chosen = new Set<StatedPremise>();
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of all) {
      if (!chosen.has(p) && (terms.has(p.subject) || terms.has(p.object))) {
        chosen.add(p);
        terms.add(p.subject).add(p.object);
        grew = true;
      }
    }
  }
  return [...chosen];
}

/**
 * Problems with one item, empty when it is right. Rules: the prompt names two terms; every option is an
 * all/some/no statement between them; there are three options, one per quantifier (so every item offers
 * the same words); exactly the answer follows from the training premises; the two terms are never related
 * directly in training and the answer is not in the training text; `derivation` names the documents of the
 * premises used.
 */
export function checkSyllogismItem(premises: readonly StatedPremise[], train: readonly TrainDoc[], item: TestItem): string[] {
  if (item.split !== 'syllogism') return [`${item.id}: unknown split "${item.split}"`];
  const m = /^The relationships between ([a-z]+) and ([a-z]+) are:$/.exec(item.prompt);
  if (!m || m[1] === m[2]) return [`${item.id}: prompt "${item.prompt}" does not name two terms`];
  const [x, y] = [m[1], m[2]];
  const options = item.options.map(parseStatement);
  const problems: string[] = [];
  options.forEach((s, i) => {
    if (!s || !((s.subject === x && s.object === y) || (s.subject === y && s.object === x)))
      problems.push(`${item.id}: option "${item.options[i]}" is not a statement between ${x} and ${y}`);
  });
  if (problems.length) return problems;

  const used = connectedPremises(premises, [x, y]);
  if (used.some((p) => [p.subject, p.object].includes(x) && [p.subject, p.object].includes(y)))
    problems.push(`${item.id}: ${x} and ${y} are related directly in training`);
  const follows = (s: Statement) => entails(used, s);
  if (!follows(options[item.answer]!)) problems.push(`${item.id}: the answer "${item.options[item.answer]}" does not follow`);
  options.forEach((s, i) => {
    if (i !== item.answer && follows(s!)) problems.push(`${item.id}: the distractor "${item.options[i]}" follows too`);
  });
  const quantifiers = options.map((s) => s!.quantifier);
  if (quantifiers.length !== QUANTIFIERS.length || QUANTIFIERS.some((q) => !quantifiers.includes(q)))
    problems.push(`${item.id}: options use [${quantifiers.join(', ')}], not one each of ${QUANTIFIERS.join(', ')}`);
  if (train.some((d) => d.text.includes(` ${item.options[item.answer]}`)))
    problems.push(`${item.id}: the answer appears verbatim in the training text`);
  const expected = [...new Set(used.map((p) => p.docId))].sort().join(',');
  if ([...item.derivation].sort().join(',') !== expected)
    problems.push(`${item.id}: derivation [${item.derivation.join(', ')}] is not the documents of its premises [${expected}]`);
  return problems;
}
