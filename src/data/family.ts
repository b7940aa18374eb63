/**
 * Family trees of nonsense names, three generations or more. Training states only "Zima is the parent of
 * Tomp" and "Zima is a woman", in short documents about one person each. The test asks for what those facts
 * imply but never say: the reversed relation ("Tomp is the son of Zima") and compositions (grandparents,
 * siblings). Every distractor is a name that stands in the same relation to someone else, and is the answer of
 * another item with the same options, so a prior for a name scores chance.
 */
import { balancedChoices, optionGroups, placeAnswer } from './balance.ts';
import type { TestItem, TrainDoc } from './format.ts';
import type { KindDefinition } from './kinds.ts';
import { Lexicon } from './lexicon.ts';
import type { Rng } from './rng.ts';

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

const siblingsOf = (p: Person) => [...new Set(p.parents.flatMap((q) => q.children))].filter((s) => s !== p);
const grandchildrenOf = (p: Person) => p.children.flatMap((c) => c.children);

export const family: KindDefinition = {
  kind: 'family',
  title: 'Family trees of nonsense names',
  summary:
    'Made-up people and who is whose parent; the test asks the relation backwards ("son of") or two steps away (grandparents, siblings).',
  description:
    'Family trees of nonsense names over three or more generations. Training states only who is whose parent ' +
    'and who is a woman or a man. Tests: the reversed relation ("Tomp is the son of Zima") and compositions ' +
    '(grandparents and siblings). Every distractor is a name that stands in the same relation to someone else ' +
    'and is the answer of another item with the same options, so a liking for some names scores chance.',
  params: [
    { name: 'families', type: 'int', default: 3, min: 2, max: 20, help: 'number of separate family trees' },
    { name: 'generations', type: 'int', default: 3, min: 3, max: 5, help: 'generations per family' },
    { name: 'children', type: 'int', default: 3, min: 2, max: 4, help: 'most children per couple (each has 2 to this many)' },
    { name: 'docs', type: 'int', default: 1, min: 1, max: 10, help: 'documents per person' },
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

    // A document about a person states their gender and all their children, so it is the source of both.
    const write = rng.fork('docs');
    const docs: TrainDoc[] = [];
    const docsAbout = new Map<Person, string[]>();
    for (const p of people) {
      const ids: string[] = [];
      for (let i = 1; i <= (params.docs as number); i++) {
        const id = `${p.name.toLowerCase()}-${i}`;
        const gender = write.int(2) ? `${p.name} is a ${p.female ? 'woman' : 'man'}.` : `${p.name} is ${p.female ? 'female' : 'male'}.`;
        const sentences = [gender, ...p.children.map((c) => `${p.name} is the parent of ${c.name}.`)];
        docs.push({ id, text: write.shuffle(sentences).join(' ') });
        ids.push(id);
      }
      docsAbout.set(p, ids);
    }
    const train = rng.fork('order').shuffle(docs);
    const position = new Map(train.map((d, i) => [d.id, i]));

    const gendered = params.gendered as boolean;
    const word = (p: Person, neutral: string, female: string, male: string) => (gendered ? (p.female ? female : male) : neutral);
    const about = (p: Person) => docsAbout.get(p)!;
    const genderOf = (p: Person) => (gendered ? about(p) : []);
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
            answer: w.name,
            wrong: names(withSiblings.filter((d) => d !== y && !siblingsOf(y).includes(d))),
            premises: [...y.parents.filter((q) => w.parents.includes(q)).flatMap(about), ...genderOf(y)],
          })),
        ),
      ],
    };

    const test: TestItem[] = [];
    for (const split of Object.keys(OPTIONS) as Split[]) {
      const k = OPTIONS[split];
      const chosen = optionGroups(pools[split], params.items as number, k, rng.fork(`items/${split}`));
      const positions = balancedChoices(chosen.length, k, rng.fork(`answers/${split}`));
      const place = rng.fork(`distractors/${split}`);
      chosen.forEach(({ question: q, distractors }, i) => {
        const derivation = [...new Set(q.premises)].sort((a, b) => position.get(a)! - position.get(b)!);
        test.push({ id: q.id, split, prompt: q.prompt, ...placeAnswer(q.answer, distractors, positions[i], place), derivation });
      });
    }
    return { lexicon: lex.used(), train, test };
  },
};
