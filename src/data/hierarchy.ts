/**
 * The paper's semantic-structure benchmark in small (Lampinen et al. 2025, after Rogers & McClelland 2008):
 * a random tree of nonsense categories, each with 1-3 nonsense properties that every descendant inherits
 * (holdout categories have none of their own), and named individuals at the leaves, described in short
 * documents (4-10 sentences per category, in three styles). The test asks what the documents imply in ways
 * they never state: a fact in an unseen sentence frame, an is-a fact reversed, an inherited property or
 * ancestor, and all that for holdout categories whose only trained fact is their parent. Every distractor is
 * true of some other entity and the answer of another item with the same options, so a prior for a word
 * scores chance; and it shares as many training documents with the prompt's word as the answer does, so
 * counting documents in which the two occur together, blind to direction, scores chance too. For that a
 * document describes a few categories of one level whose parents share a document of their own: a document
 * about one category would name its parent, kinds and properties and nothing else, which gave that count
 * 1.00 on rephrase and reversal (glon.dataset/1).
 */
import { tiedTestItems } from './tied-items.ts';
import { mixedSample } from './mixed-sample.ts';
import type { TrainDoc } from './format.ts';
import type { KindDefinition } from './kinds.ts';
import { Lexicon } from './lexicon.ts';
import type { Rng } from '../util/rng.ts';

/** Two trees, like Rogers & McClelland's plants and animals. */
const ROOTS = 2;
const MAX_CHILDREN = 4;
const MIN_SENTENCES = 4;
const MAX_SENTENCES = 10;

type Split = 'rephrase' | 'reversal' | 'syllogism' | 'holdout';
/**
 * Questions come in pairs sharing their options (see optionGroups). A group of three would need three answers
 * each false for, and as often in documents with, the other two questions' words: the tree rarely has them.
 */
const OPTIONS: Record<Split, number> = { rephrase: 2, reversal: 2, syllogism: 2, holdout: 2 };

type Relation = 'isa' | 'member' | 'is' | 'can';

/** Sentence frames up to the answer word ({s}: the subject). Training uses all but one per fact. */
const FRAMES: Record<Relation, readonly string[]> = {
  isa: ['{s} are a type of', '{s} are a kind of', '{s} are a sort of', '{s} are a subgroup of'],
  member: ['{s} is one of the', '{s} belongs to the', '{s} is a member of the'],
  is: ['{s} are', '{s} are always', '{s} are known to be'],
  can: ['{s} can', '{s} are able to', '{s} know how to'],
};
/** An individual is singular ("Tomp is rony"); these frames appear only in test prompts. */
const INDIVIDUAL_FRAMES: Record<'is' | 'can', string> = { is: '{s} is', can: '{s} can' };
/** Object-first frames ({o}: the category), never used in training: the test's reversal prompts (and the oracle's). */
export const REVERSED_FRAMES: Record<'isa' | 'member', readonly string[]> = {
  isa: ['{o} include', 'Kinds of {o} include', 'One type of {o} is'],
  member: ['{o} include', 'Members of the {o} include', 'One of the {o} is'],
};

type Topic = 'isa' | 'is' | 'can' | 'kinds' | 'members';
const QUESTIONS: Record<Topic, string> = {
  isa: 'What are {c}?',
  is: 'What are {c} like?',
  can: 'What can {c} do?',
  kinds: 'What kinds of {c} are there?',
  members: 'Who are some {c}?',
};
const TOPIC_ORDER: readonly Topic[] = ['isa', 'is', 'can', 'kinds', 'members'];
const HEADERS = ['Facts about {c}:', '{C} at a glance:', 'Key facts on {c}:'];
const CONNECTORS = ['Also', 'In addition', 'Moreover'];

interface Property {
  word: string;
  relation: 'is' | 'can';
}

interface Category {
  word: string;
  level: number;
  parent: Category | undefined;
  children: Category[];
  properties: Property[];
  members: string[];
  holdout: boolean;
}

interface Fact {
  relation: Relation;
  subject: string;
  object: string;
  /** The frame kept out of training, for the rephrase test. */
  held: string;
  trained: readonly string[];
  /** Ids of the documents that state it. */
  docs: string[];
}

interface Candidate {
  id: string;
  prompt: string;
  /** The dataset word the prompt names. */
  cue: string;
  answer: string;
  wrong: readonly string[];
  premises: readonly Fact[];
}

const capitalize = (s: string) => s[0].toUpperCase() + s.slice(1);
const fill = (frame: string, word: string) => capitalize(frame.replace('{s}', word).replace('{o}', word));

/** A random tree of exactly `count` categories whose deepest branch has `depth` levels. */
function buildTree(count: number, depth: number, lex: Lexicon, rng: Rng): Category[] {
  let capacity = 0;
  for (let level = 0; level < depth; level++) capacity += ROOTS * MAX_CHILDREN ** level;
  const minimum = ROOTS + 2 * (depth - 1) + 2 * (ROOTS - 1);
  if (count < minimum || count > capacity)
    throw new Error(`hierarchy: a tree ${depth} levels deep needs between ${minimum} and ${capacity} categories, not ${count}`);
  const all: Category[] = [];
  const add = (parent?: Category) => {
    const c: Category = { word: lex.take('noun'), level: parent ? parent.level + 1 : 0, parent, children: [], properties: [], members: [], holdout: false };
    parent?.children.push(c);
    all.push(c);
  };
  for (let i = 0; i < ROOTS; i++) add();
  const roots = all.slice();
  // One branch goes all the way down first, so the tree is as deep as asked; every root has kinds.
  let node = rng.pick(roots);
  for (let level = 1; level < depth; level++) {
    add(node);
    add(node);
    node = rng.pick(node.children);
  }
  for (const root of roots)
    if (!root.children.length) {
      add(root);
      add(root);
    }
  while (all.length < count) {
    const open = all.filter((c) => c.level < depth - 1 && c.children.length < MAX_CHILDREN);
    const c = rng.pick(open);
    // A category that gets subcategories gets two, so "kinds of" always has a choice, unless one is left.
    const n = c.children.length ? 1 : Math.min(2, count - all.length);
    for (let i = 0; i < n; i++) add(c);
  }
  return all;
}

/**
 * Marks `count` of the eligible categories as holdouts, each time one from the tree and then the parent with
 * the fewest holdouts so far: holdouts that share ancestors share their answers, and shared answers cannot
 * be balanced against each other.
 */
function spreadHoldouts(eligible: readonly Category[], count: number, rng: Rng): void {
  const root = (c: Category) => ancestors(c).at(-1)!;
  const taken = (pick: (c: Category) => Category | undefined, c: Category) => eligible.filter((d) => d.holdout && pick(d) === pick(c)).length;
  for (let i = 0; i < count; i++) {
    const open = eligible.filter((c) => !c.holdout);
    const cost = (c: Category) => taken(root, c) * eligible.length + taken((d) => d.parent, c);
    const least = Math.min(...open.map(cost));
    rng.pick(open.filter((c) => cost(c) === least)).holdout = true;
  }
}

/** Categories per document. */
const CATEGORIES_PER_DOC = 3;

/** Splits `items` in order into the fewest runs of at most CATEGORIES_PER_DOC, whose sizes differ by at most one. */
function runs<T>(items: readonly T[]): T[][] {
  const count = Math.ceil(items.length / CATEGORIES_PER_DOC);
  const cut = (g: number) => Math.round((g * items.length) / count);
  return Array.from({ length: count }, (_, g) => items.slice(cut(g), cut(g + 1)));
}

/**
 * The categories that share a document: the roots, then level by level the kinds of each group's categories,
 * taken in turn from each, so that the categories of a document have their parents in one document.
 */
function groupAligned(categories: readonly Category[], rng: Rng): Category[][] {
  const groups: Category[][] = [];
  for (let level = runs(rng.shuffle(categories.filter((c) => !c.parent))); level.length; ) {
    groups.push(...level);
    level = level.flatMap((group) => {
      const order = mixedSample(group.map((c) => c.children.filter((d) => categories.includes(d))), Infinity, rng);
      // Holdouts' parents first, so they share a document and the holdouts' answers tie with each other's.
      const holdoutParent = (c: Category) => c.children.some((d) => d.holdout);
      return runs([...order.filter(holdoutParent), ...order.filter((c) => !holdoutParent(c))]);
    });
  }
  return groups;
}

const ancestors = (c: Category): Category[] => (c.parent ? [c.parent, ...ancestors(c.parent)] : []);
const lineage = (c: Category): Category[] => [c, ...ancestors(c)];
const descendants = (c: Category): Category[] => c.children.flatMap((d) => [d, ...descendants(d)]);

export const hierarchy: KindDefinition = {
  kind: 'hierarchy',
  title: 'Semantic structure: a hierarchy of nonsense categories',
  summary:
    'A made-up tree of categories and their properties ("gruds are a type of abmes", "abmes are rony"); the test asks what every member inherits, and the facts backwards.',
  description:
    'A random tree of nonsense categories ("gruds are a type of abmes"), each with 1-3 nonsense properties ' +
    '("abmes are rony", "abmes can blick") that every subcategory and individual inherits, written as short ' +
    'documents in encyclopedic, question-and-answer and list styles. Tests: trained facts in an unseen sentence ' +
    'frame, reversed is-a facts, inherited properties and ancestors, and holdout categories whose only trained ' +
    'fact is their parent (two options each). Every distractor is true of a different entity in the dataset, is the ' +
    'answer of another item with the same options, and shares as many documents with the prompt\'s word as the ' +
    'answer, so neither a liking for some words nor word association scores above chance. The paper preset is ' +
    'scaled to 110 categories, each not held out described in 10 documents (about 380 documents of up to three ' +
    'categories; the paper has 2,200 of one).',
  params: [
    { name: 'categories', type: 'int', default: 18, min: 8, max: 170, help: 'number of categories in the tree' },
    { name: 'depth', type: 'int', default: 3, min: 3, max: 4, help: 'levels of categories' },
    { name: 'properties', type: 'int', default: 2, min: 1, max: 3, help: 'most properties per category (each has 1 to this many)' },
    { name: 'individuals', type: 'int', default: 1, min: 0, max: 3, help: 'named individuals per leaf category' },
    { name: 'holdouts', type: 'int', default: 3, min: 1, max: 30, help: 'categories whose only trained fact is their parent' },
    { name: 'docs', type: 'int', default: 2, min: 1, max: 20, help: 'copies of each document (in new orders and wordings)' },
    { name: 'items', type: 'int', default: 24, min: 1, max: 1000, help: 'most test items per split' },
  ],
  presets: {
    // 4,000-5,000 characters of training text (the test holds it under 6,000): fits a ~1,500-token context.
    small: { categories: 18, depth: 3, properties: 2, individuals: 1, holdouts: 4, docs: 2, items: 24 },
    paper: { categories: 110, depth: 4, properties: 3, individuals: 2, holdouts: 10, docs: 10, items: 200 },
  },
  splits: {
    rephrase: { description: 'A trained fact asked in a sentence frame it was never trained in.', generalization: true },
    reversal: { description: 'A trained is-a or membership fact asked object first ("abmes include gruds").', generalization: true },
    syllogism: {
      description: 'An inherited property or a more distant ancestor, of a category or an individual ("gruds are a type of abmes" + "abmes are rony" -> "gruds are rony").',
      generalization: true,
    },
    holdout: { description: 'Inherited properties and distant ancestors of a category whose only trained fact is its parent.', generalization: true },
  },

  generate(params, rng) {
    const lex = new Lexicon(rng.fork('words'));
    const all = buildTree(params.categories as number, params.depth as number, lex, rng.fork('tree'));

    const eligible = all.filter((c) => !c.children.length && c.level >= 2);
    const holdouts = params.holdouts as number;
    if (holdouts > eligible.length)
      throw new Error(`hierarchy: only ${eligible.length} leaf categories are deep enough to hold out, not ${holdouts}`);
    spreadHoldouts(eligible, holdouts, rng.fork('holdouts'));

    const draw = rng.fork('properties');
    const known = all.filter((c) => !c.holdout);
    for (const c of known) {
      c.properties = Array.from({ length: draw.range(1, params.properties as number) }, () => {
        const relation = draw.int(2) ? 'can' : 'is';
        return { word: lex.take(relation === 'can' ? 'verb' : 'adjective'), relation };
      });
      if (!c.children.length) c.members = lex.takeMany('name', params.individuals as number);
    }

    const frames = rng.fork('frames');
    const makeFact = (relation: Relation, subject: string, object: string): Fact => {
      const held = frames.pick(FRAMES[relation]);
      return { relation, subject, object, held, trained: FRAMES[relation].filter((f) => f !== held), docs: [] };
    };
    const isaFact = new Map<Category, Fact>();
    const propertyFact = new Map<string, Fact>();
    const memberFact = new Map<string, Fact>();
    const memberOf = new Map<string, Category>();
    for (const c of all) {
      if (c.parent) isaFact.set(c, makeFact('isa', c.word, c.parent.word));
      for (const p of c.properties) propertyFact.set(p.word, makeFact(p.relation, c.word, p.word));
      for (const name of c.members) {
        memberFact.set(name, makeFact('member', name, c.word));
        memberOf.set(name, c);
      }
    }

    const docRng = rng.fork('docs');
    const docs: TrainDoc[] = [];
    const topicsOf = (c: Category): [Fact, Topic][] => [
      ...(c.parent ? [[isaFact.get(c)!, 'isa'] as [Fact, Topic]] : []),
      ...c.properties.map((p): [Fact, Topic] => [propertyFact.get(p.word)!, p.relation]),
      ...c.children.map((d): [Fact, Topic] => [isaFact.get(d)!, 'kinds']),
      ...c.members.map((m): [Fact, Topic] => [memberFact.get(m)!, 'members']),
    ];
    for (const group of groupAligned(known, docRng)) {
      for (let i = 1; i <= (params.docs as number); i++) {
        const id = `${group.map((c) => c.word).join('-')}-${i}`;
        docs.push({ id, text: docRng.shuffle(group).map((c) => writeDocument(c.word, topicsOf(c), docRng)).join('\n') });
        for (const c of group) for (const [fact] of topicsOf(c)) if (!fact.docs.includes(id)) fact.docs.push(id);
      }
    }
    const train = rng.fork('order').shuffle(docs);

    // Wrong answers: words that complete the same frame truly for some other entity, but not for this one.
    const hasMembers = (c: Category): boolean => c.members.length > 0 || c.children.some(hasMembers);
    const wrongProperty = (c: Category, relation: 'is' | 'can') => {
      const line = lineage(c);
      return all.filter((d) => !line.includes(d)).flatMap((d) => d.properties.filter((p) => p.relation === relation).map((p) => p.word));
    };
    const wrongAncestor = (c: Category) => {
      const line = lineage(c);
      return all.filter((d) => d.children.length && !line.includes(d)).map((d) => d.word);
    };
    const wrongGroup = (c: Category) => {
      const line = lineage(c);
      return all.filter((d) => hasMembers(d) && !line.includes(d)).map((d) => d.word);
    };
    const wrongKind = (c: Category) => {
      const below = descendants(c);
      return all.filter((d) => d.parent && d !== c && !below.includes(d)).map((d) => d.word);
    };
    const wrongMember = (c: Category) => [...memberOf].filter(([, d]) => d !== c).map(([name]) => name);

    /** The is-a facts from c up to its ancestor a. */
    const chain = (c: Category, a: Category): Fact[] => (c === a ? [] : [isaFact.get(c)!, ...chain(c.parent!, a)]);
    const pickFrames = rng.fork('test-frames');

    const inferredAbout = (split: Split, c: Category): Candidate[][] => [
      ancestors(c).flatMap((a) =>
        a.properties.map((p) => ({
          id: `${split}-${c.word}-${p.word}`,
          prompt: fill(pickFrames.pick(FRAMES[p.relation]), c.word),
          cue: c.word,
          answer: p.word,
          wrong: wrongProperty(c, p.relation),
          premises: [...chain(c, a), propertyFact.get(p.word)!],
        })),
      ),
      ancestors(c)
        .slice(1)
        .map((a) => ({
          id: `${split}-${c.word}-${a.word}`,
          prompt: fill(pickFrames.pick(FRAMES.isa), c.word),
          cue: c.word,
          answer: a.word,
          wrong: wrongAncestor(c),
          premises: chain(c, a),
        })),
    ];

    /** Inherited properties, and ancestors at least two steps up, of categories (syllogism and holdout). */
    const inferred = (split: Split, categories: readonly Category[]): Candidate[][] => {
      const sorts = categories.map((c) => inferredAbout(split, c));
      return [sorts.flatMap((s) => s[0]), sorts.flatMap((s) => s[1])];
    };

    const rephrase = (fact: Fact, wrong: readonly string[]): Candidate => ({
      id: `rephrase-${fact.subject}-${fact.object}`,
      prompt: fill(fact.held, fact.subject),
      cue: fact.subject,
      answer: fact.object,
      wrong,
      premises: [fact],
    });
    const individuals = [...memberOf];
    const pools: Record<Split, Candidate[][]> = {
      rephrase: [
        [...isaFact].map(([c, fact]) => rephrase(fact, wrongAncestor(c))),
        known.flatMap((c) => c.properties.map((p) => rephrase(propertyFact.get(p.word)!, wrongProperty(c, p.relation)))),
        individuals.map(([name, c]) => rephrase(memberFact.get(name)!, wrongGroup(c))),
      ],
      reversal: [
        [...isaFact].map(([c, fact]) => ({
          id: `reversal-${c.parent!.word}-${c.word}`,
          prompt: fill(pickFrames.pick(REVERSED_FRAMES.isa), c.parent!.word),
          cue: c.parent!.word,
          answer: c.word,
          wrong: wrongKind(c.parent!),
          premises: [fact],
        })),
        individuals.map(([name, c]) => ({
          id: `reversal-${c.word}-${name}`,
          prompt: fill(pickFrames.pick(REVERSED_FRAMES.member), c.word),
          cue: c.word,
          answer: name,
          wrong: wrongMember(c),
          premises: [memberFact.get(name)!],
        })),
      ],
      syllogism: [
        ...inferred('syllogism', known),
        individuals.flatMap(([name, c]) =>
          lineage(c).flatMap((a) =>
            a.properties.map((p) => ({
              id: `syllogism-${name}-${p.word}`,
              prompt: fill(INDIVIDUAL_FRAMES[p.relation], name),
              cue: name,
              answer: p.word,
              wrong: wrongProperty(c, p.relation),
              premises: [memberFact.get(name)!, ...chain(c, a), propertyFact.get(p.word)!],
            })),
          ),
        ),
        individuals.flatMap(([name, c]) =>
          ancestors(c).map((a) => ({
            id: `syllogism-${name}-${a.word}`,
            prompt: fill(pickFrames.pick(FRAMES.member), name),
            cue: name,
            answer: a.word,
            wrong: wrongGroup(c),
            premises: [memberFact.get(name)!, ...chain(c, a)],
          })),
        ),
      ],
      holdout: inferred('holdout', all.filter((c) => c.holdout)),
    };

    const test = tiedTestItems(train, pools, OPTIONS, params.items as number, rng, (q) => q.premises.flatMap((f) => f.docs));
    return { lexicon: lex.used(), train, test };
  },
};

/** One document about category `c`: each of its facts once in a trained frame, in one of three styles. */
function writeDocument(c: string, topics: readonly (readonly [Fact, Topic])[], rng: Rng): string {
  const sentences: { topic: Topic; text: string }[] = [];
  const usedFrames = new Map<Fact, string[]>();
  const say = (fact: Fact, topic: Topic) => {
    const used = usedFrames.get(fact) ?? [];
    const fresh = fact.trained.filter((f) => !used.includes(f));
    const frame = rng.pick(fresh.length ? fresh : fact.trained);
    usedFrames.set(fact, [...used, frame]);
    sentences.push({ topic, text: `${frame.replace('{s}', fact.subject)} ${fact.object}.` });
  };
  const [first, ...rest] = topics;
  say(...first);
  for (const [fact, topic] of rng.shuffle(rest)) say(fact, topic);
  // Short documents restate a fact in another trained frame, as articles do.
  while (sentences.length < MIN_SENTENCES) say(...rng.pick(topics));

  const asked = TOPIC_ORDER.filter((t) => sentences.some((s) => s.topic === t));
  const styles = sentences.length + asked.length <= MAX_SENTENCES ? ['encyclopedic', 'list', 'qa'] : ['encyclopedic', 'list'];
  const style = rng.pick(styles);
  if (style === 'qa')
    return asked
      .map((t) => `Q: ${QUESTIONS[t].replace('{c}', c)}\nA: ${sentences.filter((s) => s.topic === t).map((s) => capitalize(s.text)).join(' ')}`)
      .join('\n');
  if (style === 'list')
    return [rng.pick(HEADERS).replace('{c}', c).replace('{C}', capitalize(c)), ...sentences.map((s) => `- ${capitalize(s.text)}`)].join('\n');
  return sentences
    .map((s, i) => (i > 0 && rng.int(4) === 0 ? `${rng.pick(CONNECTORS)}, ${s.text}` : capitalize(s.text)))
    .join(' ');
}
