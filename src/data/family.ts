/**
 * Family trees of nonsense names, three generations or more. Training states only "Zima is the parent of
 * Tomp" and "Zima is a woman", in short documents about a few couples of one generation each. The test asks
 * for what those facts imply but never say: the reversed relation ("Tomp is the son of Zima") and
 * compositions (grandparents, siblings). Every distractor is a name that stands in the same relation to
 * someone else, is the answer of another item with the same options (so a prior for a name scores chance),
 * and shares as many documents with the asked name as the answer does (so counting documents in which two
 * names occur together, blind to direction, scores chance too).
 */
import { tiedTestItems } from './tied-items.ts';
import type { TrainDoc } from './format.ts';
import type { KindDefinition } from './kinds.ts';
import { Lexicon } from './lexicon.ts';
import type { Rng } from '../util/rng.ts';

type Split = 'reversal' | 'composition';
const OPTIONS: Record<Split, number> = { reversal: 3, composition: 3 };

interface Person {
  name: string;
  female: boolean;
  parents: Person[];
  children: Person[];
}

interface Candidate {
  id: string;
  prompt: string;
  /** The name the prompt asks about. */
  cue: string;
  answer: string;
  wrong: readonly string[];
  /** Ids of the documents stating the facts the answer follows from. */
  premises: readonly string[];
}

/** One family: a founding couple, and down to the last generation every child has a family of its own. */
function buildFamily(generations: number, maxChildren: number, lex: Lexicon, rng: Rng): Person[] {
  const people: Person[] = [];
  const person = (female: boolean, parents: Person[] = []): Person => {
    const p: Person = { name: lex.take('name'), female, parents, children: [] };
    for (const parent of parents) parent.children.push(p);
    people.push(p);
    return p;
  };
  /** Children of `couple`, who are generation `generation` (the founders are generation 1). */
  const grow = (couple: Person[], generation: number) => {
    const n = rng.range(2, maxChildren);
    for (let i = 0; i < n; i++) {
      const child = person(rng.int(2) === 0, couple);
      // The spouse marries in: a name with no parents in the tree.
      if (generation < generations) grow([child, person(!child.female)], generation + 1);
    }
  };
  grow([person(true), person(false)], 2);
  return people;
}

/** Couples per document: enough that a child shares its document with parents other than its own. */
const COUPLES_PER_DOC = 3;

/**
 * The training documents. Each is about a few couples of one generation (of any family): who their children
 * are and the couples' genders; a second document gives the genders of those couples' children who have none
 * of their own. A document about one person would name a child only beside its own parents, so counting
 * documents would find them; here a child shares each document with other couples' parents or children
 * just as often, and distractors are drawn from those (see tiedWithAnswer). Three couples of three children
 * stay under 512 tokens of stories260K's tokenizer.
 */
function writeDocuments(people: readonly Person[], copies: number, rng: Rng) {
  const depth = (p: Person): number => (p.parents.length ? depth(p.parents[0]) + 1 : 1);
  const couples = new Map<string, Person[]>();
  for (const p of people) if (p.parents.length) couples.set(p.parents.map((q) => q.name).join(' '), p.parents);
  const byGeneration = new Map<number, Person[][]>();
  for (const couple of couples.values()) {
    const g = Math.max(...couple.map(depth));
    byGeneration.set(g, [...(byGeneration.get(g) ?? []), couple]);
  }
  const train: TrainDoc[] = [];
  const parentDocs = new Map<Person, string[]>();
  const genderDocs = new Map<Person, string[]>();
  const record = (map: Map<Person, string[]>, p: Person, id: string) => map.set(p, [...(map.get(p) ?? []), id]);
  const gender = (p: Person) => (rng.int(2) ? `${p.name} is a ${p.female ? 'woman' : 'man'}.` : `${p.name} is ${p.female ? 'female' : 'male'}.`);
  for (const g of [...byGeneration.keys()].sort((a, b) => a - b)) {
    const shuffled = rng.shuffle(byGeneration.get(g)!);
    const docCount = Math.ceil(shuffled.length / COUPLES_PER_DOC);
    for (let d = 0; d < docCount; d++) {
      // Dealt round-robin, so the documents of a generation differ in size by at most one couple.
      const group = shuffled.filter((_, i) => i % docCount === d);
      const childless = group.flatMap((couple) => couple[0].children.filter((c) => !c.children.length));
      for (let copy = 1; copy <= copies; copy++) {
        const id = `g${g}-${d + 1}-parents-${copy}`;
        const text = rng.shuffle(group).flatMap((couple) => {
          for (const p of couple) record(parentDocs, p, id), record(genderDocs, p, id);
          return rng.shuffle([...couple.map(gender), ...couple.flatMap((p) => p.children.map((c) => `${p.name} is the parent of ${c.name}.`))]);
        });
        train.push({ id, text: text.join(' ') });
        if (!childless.length) continue;
        const childrenId = `g${g}-${d + 1}-children-${copy}`;
        for (const c of childless) record(genderDocs, c, childrenId);
        train.push({ id: childrenId, text: rng.shuffle(childless).map(gender).join(' ') });
      }
    }
  }
  return { train: rng.shuffle(train), parentDocs, genderDocs };
}

const siblingsOf = (p: Person) => [...new Set(p.parents.flatMap((q) => q.children))].filter((s) => s !== p);
const grandchildrenOf = (p: Person) => p.children.flatMap((c) => c.children);

export const family: KindDefinition = {
  kind: 'family',
  title: 'Family trees of nonsense names',
  summary:
    'Made-up people and who is whose parent; the test asks the relation backwards ("son of") or two steps away (grandparents, siblings).',
  description:
    'Family trees of nonsense names over three or more generations. Training states only who is whose parent ' +
    'and who is a woman or a man, in documents about a few couples each. Tests: the reversed relation ("Tomp is ' +
    'the son of Zima") and compositions (grandparents and siblings). Every distractor is a name that stands in the ' +
    'same relation to someone else, is the answer of another item with the same options, and shares as many ' +
    'documents with the asked name as the answer, so neither a liking for some names nor word association beats chance.',
  params: [
    { name: 'families', type: 'int', default: 3, min: 2, max: 20, help: 'number of separate family trees' },
    { name: 'generations', type: 'int', default: 3, min: 3, max: 5, help: 'generations per family' },
    { name: 'children', type: 'int', default: 3, min: 2, max: 4, help: 'most children per couple (each has 2 to this many)' },
    { name: 'docs', type: 'int', default: 1, min: 1, max: 10, help: 'copies of each document (in new orders and wordings)' },
    { name: 'gendered', type: 'bool', default: true, help: 'ask son/daughter, grandmother/grandfather, brother/sister instead of child, grandparent, sibling' },
    { name: 'items', type: 'int', default: 24, min: 1, max: 1000, help: 'most test items per split' },
  ],
  presets: {
    small: { families: 3, generations: 3, children: 3, docs: 1, gendered: true, items: 24 },
    paper: { families: 8, generations: 4, children: 3, docs: 5, gendered: true, items: 200 },
  },
  splits: {
    reversal: { description: 'A trained parent fact asked child first ("Tomp is the son of" -> Zima).', generalization: true },
    composition: { description: 'Two parent facts combined: a grandchild of a grandparent, or a sibling.', generalization: true },
  },

  generate(params, rng) {
    const lex = new Lexicon(rng.fork('words'));
    const growth = rng.fork('families');
    const people: Person[] = [];
    for (let f = 0; f < (params.families as number); f++)
      people.push(...buildFamily(params.generations as number, params.children as number, lex, growth));

    const { train, parentDocs, genderDocs } = writeDocuments(people, params.docs as number, rng.fork('docs'));

    const gendered = params.gendered as boolean;
    const word = (p: Person, neutral: string, female: string, male: string) => (gendered ? (p.female ? female : male) : neutral);
    const about = (p: Person) => parentDocs.get(p)!;
    const genderOf = (p: Person) => (gendered ? genderDocs.get(p)! : []);
    const names = (ps: readonly Person[]) => ps.map((p) => p.name);

    const parents = people.filter((p) => p.children.length);
    const grandchildren = people.filter((p) => p.parents.some((q) => q.parents.length));
    const withSiblings = people.filter((p) => siblingsOf(p).length);

    const pools: Record<Split, Candidate[][]> = {
      reversal: [
        people.flatMap((c) =>
          c.parents.map((x) => ({
            id: `reversal-${c.name}-${x.name}`,
            prompt: `${c.name} is the ${word(c, 'child', 'daughter', 'son')} of`,
            cue: c.name,
            answer: x.name,
            wrong: names(parents.filter((d) => d !== c && !c.parents.includes(d))),
            premises: [...about(x), ...genderOf(c)],
          })),
        ),
      ],
      composition: [
        people.flatMap((g) => {
          const own = grandchildrenOf(g);
          return g.children.flatMap((y) =>
            y.children.map((z) => ({
              id: `grandparent-${g.name}-${z.name}`,
              prompt: `${g.name} is the ${word(g, 'grandparent', 'grandmother', 'grandfather')} of`,
              cue: g.name,
              answer: z.name,
              wrong: names(grandchildren.filter((d) => d !== g && !own.includes(d))),
              premises: [...about(g), ...about(y)],
            })),
          );
        }),
        people.flatMap((y) =>
          siblingsOf(y).map((w) => ({
            id: `sibling-${y.name}-${w.name}`,
            prompt: `${y.name} is the ${word(y, 'sibling', 'sister', 'brother')} of`,
            cue: y.name,
            answer: w.name,
            wrong: names(withSiblings.filter((d) => d !== y && !siblingsOf(y).includes(d))),
            premises: [...y.parents.filter((q) => w.parents.includes(q)).flatMap(about), ...genderOf(y)],
          })),
        ),
      ],
    };

    const test = tiedTestItems(train, pools, OPTIONS, params.items as number, rng, (q) => q.premises);
    return { lexicon: lex.used(), train, test };
  },
};
