/**
 * An independent checker for `hierarchy` datasets. It reads the facts back from the training TEXT with
 * regexes (never from the generator's bookkeeping) and decides what follows with its own small logic engine:
 * "under" (is-a and membership) is transitive, and whatever a category is or can do holds for everything
 * under it. Any sentence it cannot read is reported, so a fact can never hide from it.
 */
import type { Dataset, TestItem, TrainDoc } from '../../../src/data/format.ts';

type Relation = 'under' | 'is' | 'can';

export interface Fact {
  relation: Relation;
  subject: string;
  object: string;
}

interface Reading {
  fact: Fact;
  /** Object-first ("abmes include gruds"). */
  reversed: boolean;
}

/** Sentence shapes, lowercased and without the final period. */
const SHAPES: { pattern: RegExp; relation: Relation; reversed: boolean }[] = [
  { pattern: /^(\w+) are a (?:type|kind|sort|subgroup) of (\w+)$/, relation: 'under', reversed: false },
  { pattern: /^(\w+) (?:is one of|belongs to|is a member of) the (\w+)$/, relation: 'under', reversed: false },
  { pattern: /^(\w+) (?:are|is|are always|are known to be) (\w+)$/, relation: 'is', reversed: false },
  { pattern: /^(\w+) (?:can|are able to|know how to) (\w+)$/, relation: 'can', reversed: false },
  { pattern: /^(?:kinds of |members of the )?(\w+) include (\w+)$/, relation: 'under', reversed: true },
  { pattern: /^one (?:type of|of the) (\w+) is (\w+)$/, relation: 'under', reversed: true },
];

export function readStatement(text: string): Reading | undefined {
  const s = text.toLowerCase();
  for (const { pattern, relation, reversed } of SHAPES) {
    const m = pattern.exec(s);
    if (m) return { fact: reversed ? { relation, subject: m[2], object: m[1] } : { relation, subject: m[1], object: m[2] }, reversed };
  }
  return undefined;
}

/** A document's sentences: statements (final period dropped, any "Also, " dropped) and the rest (questions, headings). */
export function splitDocument(text: string): { statements: string[]; other: string[] } {
  const statements: string[] = [];
  const other: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim().replace(/^- /, '').replace(/^[QA]: /, '');
    if (line.endsWith(':')) {
      other.push(line);
      continue;
    }
    for (const sentence of line.split(/(?<=[.?!])\s+/)) {
      if (sentence.endsWith('.')) statements.push(sentence.slice(0, -1).replace(/^[A-Z][a-z]*(?: [a-z]+)?, /, ''));
      else other.push(sentence);
    }
  }
  return { statements, other };
}

const key = (f: Fact) => `${f.relation} ${f.subject} ${f.object}`;

export class HierarchyLogic {
  readonly stated: (Fact & { docId: string })[] = [];
  /** Sentences that are neither a readable fact nor a question or heading naming at most one dataset word. */
  readonly unreadable: string[] = [];
  /** The whole training text, lowercased, for verbatim checks. */
  readonly text: string;
  private readonly up = new Map<string, Set<string>>();
  private readonly own = new Map<string, Set<string>>();
  private readonly docs = new Map<string, Set<string>>();
  private readonly facts = new Map<string, Fact>();
  private readonly aboveCache = new Map<string, Set<string>>();

  /** `vocabulary`: the dataset's words, to make sure questions and headings carry no facts. */
  constructor(train: readonly TrainDoc[], vocabulary: ReadonlySet<string>) {
    this.text = train.map((d) => d.text.toLowerCase()).join('\n');
    for (const doc of train) {
      const { statements, other } = splitDocument(doc.text);
      for (const s of statements) {
        const reading = readStatement(s);
        if (!reading || reading.reversed) this.unreadable.push(`${doc.id}: "${s}"`);
        else this.add(reading.fact, doc.id);
      }
      for (const o of other) {
        const words = o.toLowerCase().match(/\w+/g) ?? [];
        if (!/[?:]$/.test(o) || words.filter((w) => vocabulary.has(w)).length > 1) this.unreadable.push(`${doc.id}: "${o}"`);
      }
    }
  }

  private add(fact: Fact, docId: string): void {
    this.stated.push({ ...fact, docId });
    this.facts.set(key(fact), fact);
    this.docs.set(key(fact), (this.docs.get(key(fact)) ?? new Set()).add(docId));
    const [map, value] = fact.relation === 'under' ? [this.up, fact.object] : [this.own, `${fact.relation} ${fact.object}`];
    map.set(fact.subject, (map.get(fact.subject) ?? new Set()).add(value));
  }

  /** Everything x is under, by any chain of stated is-a and membership facts. */
  above(x: string): Set<string> {
    const cached = this.aboveCache.get(x);
    if (cached) return cached;
    const seen = new Set<string>();
    const stack = [x];
    while (stack.length)
      for (const next of this.up.get(stack.pop()!) ?? [])
        if (!seen.has(next)) seen.add(next), stack.push(next);
    this.aboveCache.set(x, seen);
    return seen;
  }

  holds(f: Fact): boolean {
    const above = this.above(f.subject);
    if (f.relation === 'under') return above.has(f.object);
    return [f.subject, ...above].some((x) => this.own.get(x)?.has(`${f.relation} ${f.object}`));
  }

  /**
   * The facts a true fact follows from: the chain of is-a and membership facts from its subject up to the
   * object (for "under") or to the category that has the property, then that property.
   */
  premises(f: Fact): Fact[] {
    const via = new Map<string, string>();
    const queue = [f.subject];
    const reached = (x: string) =>
      f.relation === 'under' ? x === f.object : this.own.get(x)?.has(`${f.relation} ${f.object}`) === true;
    while (queue.length) {
      const x = queue.shift()!;
      if (x !== f.subject || f.relation !== 'under') {
        if (reached(x)) {
          const chain: Fact[] = f.relation === 'under' ? [] : [{ relation: f.relation, subject: x, object: f.object }];
          for (let y = x; y !== f.subject; y = via.get(y)!) chain.unshift({ relation: 'under', subject: via.get(y)!, object: y });
          return chain;
        }
      }
      for (const next of this.up.get(x) ?? []) if (!via.has(next) && next !== f.subject) via.set(next, x), queue.push(next);
    }
    return [];
  }

  /** Every word that is the subject of some stated fact. */
  subjects(): string[] {
    return [...new Set([...this.facts.values()].map((f) => f.subject))];
  }

  isStated(f: Fact): boolean {
    return this.facts.has(key(f));
  }

  docsStating(f: Fact): string[] {
    return [...(this.docs.get(key(f)) ?? [])];
  }

  /** The distinct stated facts that name x. */
  factsAbout(x: string): Fact[] {
    return [...this.facts.values()].filter((f) => f.subject === x || f.object === x);
  }
}

export const vocabularyOf = (ds: Pick<Dataset, 'lexicon'>) => new Set(Object.values(ds.lexicon).flat().map((w) => w.toLowerCase()));

/** "prompt option" as the scorer reads it. */
const statementOf = (item: TestItem, option: number) => `${item.prompt} ${item.options[option]}`;

/**
 * Problems with one item, empty when it is right. Every option must read as a fact of the same shape about
 * the same entity; the answer follows and no distractor does; each distractor is true of some other entity
 * (a hard distractor); the answer is not in the training text verbatim; `derivation` is exactly the
 * documents stating its premises, and they suffice on their own. Per split: `rephrase` asks a stated fact in an unseen frame,
 * `reversal` asks a stated fact object first, `syllogism` asks what follows but is not stated, `holdout` the
 * same about a category whose only stated fact is its parent.
 */
export function checkHierarchyItem(logic: HierarchyLogic, train: readonly TrainDoc[], item: TestItem, vocabulary: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  const say = (what: string) => problems.push(`${item.id}: ${what}`);
  const readings = item.options.map((_, i) => readStatement(statementOf(item, i)));
  if (readings.some((r) => !r)) return [`${item.id}: an option does not read as a fact: "${item.prompt}" + [${item.options.join(', ')}]`];
  const rs = readings as Reading[];
  // The asked entity is the one the prompt names: the subject, or the object of an object-first frame.
  const asked = (r: Reading) => (r.reversed ? r.fact.object : r.fact.subject);
  const { reversed, fact: answer } = rs[item.answer];
  if (rs.some((r) => r.reversed !== reversed || r.fact.relation !== answer.relation || asked(r) !== asked(rs[item.answer])))
    say('options differ in more than the answer word');

  if (!logic.holds(answer)) say(`the answer "${statementOf(item, item.answer)}" does not follow`);
  rs.forEach((r, i) => {
    if (i === item.answer) return;
    if (logic.holds(r.fact)) say(`the distractor "${statementOf(item, i)}" is true too`);
    const others = reversed
      ? [...logic.above(r.fact.subject)].filter((o) => o !== r.fact.object)
      : logic.subjects().filter((s) => s !== r.fact.subject && logic.holds({ ...r.fact, subject: s }));
    if (!others.length) say(`the distractor "${item.options[i]}" is true of nothing else (not a hard distractor)`);
  });

  const sentence = new RegExp(`(^|[^a-z])${statementOf(item, item.answer).toLowerCase()}([^a-z]|$)`);
  if (sentence.test(logic.text)) say('the answer appears verbatim in the training text');

  const stated = logic.isStated(answer);
  if (item.split === 'rephrase' || item.split === 'reversal') {
    if (reversed !== (item.split === 'reversal')) say(`a ${item.split} item ${reversed ? 'asks object first' : 'asks subject first'}`);
    if (!stated) say(`the answer of a ${item.split} item is not a stated fact`);
    const expected = logic.docsStating(answer).sort().join(',');
    if ([...item.derivation].sort().join(',') !== expected) say(`derivation [${item.derivation.join(', ')}] is not the documents stating the fact [${expected}]`);
  } else if (item.split === 'syllogism' || item.split === 'holdout') {
    if (reversed) say(`a ${item.split} item asks object first`);
    if (stated) say(`the answer of a ${item.split} item is itself a stated fact`);
    if (item.split === 'holdout') {
      const about = logic.factsAbout(answer.subject);
      if (about.length !== 1 || about[0].relation !== 'under' || about[0].subject !== answer.subject)
        say(`"${answer.subject}" is not a holdout: the training text states ${about.length} facts about it`);
    }
    const cited = new Set(item.derivation);
    if (!new HierarchyLogic(train.filter((d) => cited.has(d.id)), vocabulary).holds(answer))
      say('the answer does not follow from the documents in its derivation alone');
    const expected = [...new Set(logic.premises(answer).flatMap((f) => logic.docsStating(f)))].sort().join(',');
    if ([...item.derivation].sort().join(',') !== expected) say(`derivation [${item.derivation.join(', ')}] is not the documents stating its premises [${expected}]`);
  } else {
    say(`unknown split "${item.split}"`);
  }
  return problems;
}

/** Every problem in a dataset: unreadable sentences, then each item's. */
export function checkHierarchy(ds: Dataset): string[] {
  const vocabulary = vocabularyOf(ds);
  const logic = new HierarchyLogic(ds.train, vocabulary);
  return [...logic.unreadable.map((s) => `unreadable sentence ${s}`), ...ds.test.flatMap((item) => checkHierarchyItem(logic, ds.train, item, vocabulary))];
}
