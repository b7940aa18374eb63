/**
 * Oracle rules for `hierarchy` datasets: "is a kind of" and "is one of" are transitive, and whatever a
 * category is or can do holds for every kind and member under it. For every category and individual the
 * rules write each ancestor (near or far) and each property it has or inherits, in every sentence frame
 * the training text uses for that relation, and each is-a and membership fact object first ("Abmes include
 * gruds"). Holdout categories get what their one trained fact, their parent, implies.
 *
 * Facts are read from the training text with the lexicon's word types deciding the relation: noun + noun is
 * is-a, name + noun membership, noun + adjective a property ("are"), noun + verb an ability ("can"); the
 * words between subject and object are the frame.
 */
import type { AugmentedSentence } from '../augmentation.ts';
import { REVERSED_FRAMES } from '../../data/hierarchy.ts';
import { capitalize, SentenceWriter, type TrainingSide } from './shared.ts';

type Relation = 'isa' | 'member' | 'is' | 'can';


/** A connector before a statement ("Also, ", "In addition, "), as the encyclopedic style writes them. */
const CONNECTOR = /^[A-Z][a-z]*(?: [a-z]+)?, /;

interface Property {
  relation: 'is' | 'can';
  word: string;
  docs: Set<string>;
}

/** "are able to" -> "is able to", "know how to" -> "knows how to": an individual is one, a category many. */
const singular = (frame: string) => frame.replace(/^are\b/, 'is').replace(/^know\b/, 'knows');

/** The statements of a document: list markers, Q:/A: markers, headings, questions and connectors removed. */
function statements(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim().replace(/^- /, '').replace(/^[QA]: /, ''))
    .filter((line) => !line.endsWith(':'))
    .flatMap((line) => line.split(/(?<=[.?!])\s+/))
    .filter((s) => s.endsWith('.'))
    .map((s) => s.slice(0, -1).replace(CONNECTOR, ''));
}

export function hierarchyOracle(dataset: TrainingSide): AugmentedSentence[] {
  const typeOf = new Map<string, 'noun' | 'adjective' | 'verb' | 'name'>();
  for (const [key, type] of [['nouns', 'noun'], ['adjectives', 'adjective'], ['verbs', 'verb'], ['names', 'name']] as const)
    for (const word of dataset.lexicon[key] ?? []) typeOf.set(word.toLowerCase(), type);

  const frames: Record<Relation, string[]> = { isa: [], member: [], is: [], can: [] };
  /** entity -> category directly above it -> documents stating it. */
  const up = new Map<string, Map<string, Set<string>>>();
  const own = new Map<string, Property[]>();
  /** Entities as the text writes them mid-sentence (names capitalized, nouns not). */
  const shown = new Map<string, string>();

  for (const doc of dataset.train)
    for (const statement of statements(doc.text)) {
      const words = statement.split(' ');
      if (words.length < 3) continue;
      const [subject, object] = [words[0], words.at(-1)!];
      const [s, o] = [subject.toLowerCase(), object.toLowerCase()];
      const relation: Relation | undefined = (
        { 'noun noun': 'isa', 'name noun': 'member', 'noun adjective': 'is', 'noun verb': 'can' } as Record<string, Relation>
      )[`${typeOf.get(s)} ${typeOf.get(o)}`];
      if (!relation) continue;
      const frame = words.slice(1, -1).join(' ');
      if (!frames[relation].includes(frame)) frames[relation].push(frame);
      shown.set(s, typeOf.get(s) === 'name' ? subject : s);
      if (relation === 'isa' || relation === 'member') {
        shown.set(o, o);
        const parents = up.get(s) ?? new Map<string, Set<string>>();
        up.set(s, parents);
        parents.set(o, (parents.get(o) ?? new Set()).add(doc.id));
      } else {
        const properties = own.get(s) ?? [];
        own.set(s, properties);
        const known = properties.find((p) => p.relation === relation && p.word === o);
        if (known) known.docs.add(doc.id);
        else properties.push({ relation, word: object, docs: new Set([doc.id]) });
      }
    }

  const writer = new SentenceWriter(dataset.train);
  for (const [entity, word] of shown) {
    const individual = typeOf.get(entity) === 'name';
    // Every category above the entity, nearest first, with the documents of the chain that reaches it.
    const ancestors = new Map<string, Set<string>>();
    const queue: [string, Set<string>][] = [[entity, new Set()]];
    while (queue.length) {
      const [x, docs] = queue.shift()!;
      for (const [parent, stating] of up.get(x) ?? [])
        if (!ancestors.has(parent) && parent !== entity) {
          const chain = new Set([...docs, ...stating]);
          ancestors.set(parent, chain);
          queue.push([parent, chain]);
        }
    }

    const kind: 'isa' | 'member' = individual ? 'member' : 'isa';
    for (const [ancestor, docs] of ancestors) {
      for (const frame of frames[kind]) writer.write(`${capitalize(word)} ${frame} ${ancestor}.`, docs);
      for (const frame of REVERSED_FRAMES[kind]) writer.write(`${capitalize(frame.replace('{o}', ancestor))} ${word}.`, docs);
    }
    const holders: [string, Set<string>][] = [[entity, new Set()], ...ancestors];
    for (const [holder, chain] of holders)
      for (const property of own.get(holder) ?? [])
        for (const frame of frames[property.relation])
          writer.write(`${capitalize(word)} ${individual ? singular(frame) : frame} ${property.word}.`, [...chain, ...property.docs]);
  }
  return writer.sentences;
}
