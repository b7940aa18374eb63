/**
 * Simple syllogisms (Lampinen et al. 2025): each training document gives two premises linking three
 * nonsense nouns ("The relationships between glon, troff and yomp are: All glon are yomp. All troff are
 * glon."), and the test asks which statement relates the two end terms ("The relationships between troff
 * and yomp are:" → "All troff are yomp.").
 *
 * Logic: Boolean, with NO existential import — a noun may name an empty class, so "All S are P" does not
 * make "Some S are P" true, and moods that need a non-empty class (Darapti, Bramantip, ...) are left out.
 * Every item has exactly three options, one per quantifier: the answer plus one "All", "Some" or "No"
 * statement for each other quantifier, worded in a direction drawn by seed, none of them entailed (the
 * converse of a "Some" or "No" answer is entailed, but it shares the answer's quantifier, so it never comes
 * up). Every item thus offers the same words, chance is 1/3 everywhere, and a model that merely prefers one
 * quantifier, one position or one word order scores 1/3 instead of beating chance.
 */
import { balancedChoices } from './balance.ts';
import type { TestItem, TrainDoc } from './format.ts';
import type { KindDefinition, Params } from './kinds.ts';
import { Lexicon } from './lexicon.ts';
import type { Rng } from '../util/rng.ts';

type Quantifier = 'All' | 'Some' | 'No';
const QUANTIFIERS: readonly Quantifier[] = ['All', 'Some', 'No'];

/** The three terms: subject (S) and predicate (P) of the conclusion, and the middle term (M). */
type Role = 'S' | 'M' | 'P';
type Premise = readonly [Quantifier, Role, Role];

interface Mood {
  name: string;
  premises: readonly [Premise, Premise];
  /** The conclusion between the end terms, read "<quantifier> S are P". */
  conclusion: Quantifier;
}

/**
 * Every premise pair, up to naming the end terms, that entails an all/some/no statement between the end
 * terms without existential import. The other valid traditional moods (Camestres, Calemes, Disamis, Dimaris)
 * are these with S and P renamed; the moods that only conclude "Some S are not P" (Ferio, Festino, ...) have
 * no answer here.
 */
const MOODS: readonly Mood[] = [
  { name: 'Barbara', premises: [['All', 'M', 'P'], ['All', 'S', 'M']], conclusion: 'All' },
  { name: 'Celarent', premises: [['No', 'M', 'P'], ['All', 'S', 'M']], conclusion: 'No' },
  { name: 'Cesare', premises: [['No', 'P', 'M'], ['All', 'S', 'M']], conclusion: 'No' },
  { name: 'Darii', premises: [['All', 'M', 'P'], ['Some', 'S', 'M']], conclusion: 'Some' },
  { name: 'Datisi', premises: [['All', 'M', 'P'], ['Some', 'M', 'S']], conclusion: 'Some' },
];

/**
 * Where the three options go: the answer's position, and whether the two distractors swap places. The
 * position varies fastest, so any run of consecutive layouts (see `dealAcross`) spreads the answer evenly.
 */
const LAYOUTS = [false, true].flatMap((swapped) => [0, 1, 2].map((at) => ({ at, swapped })));

/** Whether each distractor (in QUANTIFIERS order) names the prompt's first term as its subject. */
const DIRECTIONS = [false, true].flatMap((first) => [false, true].map((second) => [first, second] as const));

interface Statement {
  quantifier: Quantifier;
  subject: string;
  object: string;
}

const say = (s: Statement) => `${s.quantifier} ${s.subject} are ${s.object}.`;

/**
 * Values 0..k-1 for the items of `groups`, dealt in turn along the groups one after another: each value
 * comes ⌊n/k⌋ or ⌈n/k⌉ times within every group and over the whole split.
 */
function dealAcross(groups: readonly (readonly number[])[], k: number, rng: Rng): number[] {
  const out: number[] = [];
  let next = rng.int(k);
  for (const group of groups) {
    for (const i of rng.shuffle(group)) {
      out[i] = next;
      next = (next + 1) % k;
    }
  }
  return out;
}

interface Plan {
  mood: Mood;
  /** Whether the prompt names the answer's subject first. */
  subjectFirst: boolean;
  layout: (typeof LAYOUTS)[number];
  directions: (typeof DIRECTIONS)[number];
}

/**
 * Balance within the split: each quantifier is the answer in a third of the items, and within each
 * quantifier's items its moods come equally often, the answer's subject is named first in half, and the
 * answer sits at each position (with either distractor order) equally often; the distractors' directions
 * are balanced within each quantifier and prompt order. Counts dealt across groups stay balanced overall too.
 */
function plan(items: number, rng: Rng): Plan[] {
  const quantifierOf = balancedChoices(items, QUANTIFIERS.length, rng.fork('quantifier'));
  const byQuantifier = QUANTIFIERS.map((_, q) => quantifierOf.flatMap((x, i) => (x === q ? [i] : [])));

  const moods: Mood[] = [];
  byQuantifier.forEach((indices, q) => {
    const choices = MOODS.filter((m) => m.conclusion === QUANTIFIERS[q]);
    balancedChoices(indices.length, choices.length, rng.fork(`moods/${QUANTIFIERS[q]}`)).forEach((c, j) => (moods[indices[j]] = choices[c]));
  });
  const subjectFirst = dealAcross(byQuantifier, 2, rng.fork('subject-first'));
  const layout = dealAcross(byQuantifier, LAYOUTS.length, rng.fork('layout'));
  const byQuantifierAndOrder = byQuantifier.flatMap((indices) => [0, 1].map((s) => indices.filter((i) => subjectFirst[i] === s)));
  const directions = dealAcross(byQuantifierAndOrder, DIRECTIONS.length, rng.fork('directions'));
  return moods.map((mood, i) => ({
    mood,
    subjectFirst: subjectFirst[i] === 1,
    layout: LAYOUTS[layout[i]],
    directions: DIRECTIONS[directions[i]],
  }));
}

function generate(params: Params, rng: Rng) {
  const lexicon = new Lexicon(rng.fork('lexicon'));
  const plans = plan(params.items as number, rng.fork('plan'));
  const itemRng = rng.fork('items');
  const train: TrainDoc[] = [];
  const test: TestItem[] = [];
  for (const [i, { mood, subjectFirst, layout, directions }] of plans.entries()) {
    // Separate nouns per item: no premise of one item bears on another.
    const [S, M, P] = lexicon.takeMany('noun', 3);
    const word: Record<Role, string> = { S, M, P };
    const premises = mood.premises.map(([quantifier, subject, object]) => say({ quantifier, subject: word[subject], object: word[object] }));
    const [a, b, c] = itemRng.shuffle([S, M, P]);
    const id = `s${i + 1}`;
    train.push({ id, text: `The relationships between ${a}, ${b} and ${c} are: ${itemRng.shuffle(premises).join(' ')}` });

    // "Some" and "No" read the same both ways, so which way the answer is worded is free.
    const [subject, object] = mood.conclusion === 'All' ? [S, P] : itemRng.shuffle([S, P]);
    const [first, second] = subjectFirst ? [subject, object] : [object, subject];
    // Without existential import no other quantifier follows, in either direction.
    const distractors = QUANTIFIERS.filter((q) => q !== mood.conclusion).map((quantifier, d) =>
      say(directions[d] ? { quantifier, subject: first, object: second } : { quantifier, subject: second, object: first }),
    );
    const options = layout.swapped ? distractors.reverse() : distractors;
    options.splice(layout.at, 0, say({ quantifier: mood.conclusion, subject, object }));
    test.push({ id: `t-syl-${i + 1}`, split: 'syllogism', prompt: `The relationships between ${first} and ${second} are:`, options, answer: layout.at, derivation: [id] });
  }
  return { lexicon: lexicon.used(), train, test };
}

export const syllogism: KindDefinition = {
  kind: 'syllogism',
  title: 'Simple syllogisms',
  summary:
    'Pairs of "all / some / no" statements about made-up words; the test asks what follows from putting the two together.',
  description:
    'Each training document relates three nonsense nouns by two premises ("The relationships between glon, ' +
    'troff and yomp are: All glon are yomp. All troff are glon."); each question names the two end terms ' +
    '("The relationships between troff and yomp are:") and asks which statement follows ("All troff are yomp."). ' +
    'Logic: Boolean (no existential import): a noun may name nothing, so "All troff are yomp" does not make ' +
    '"Some troff are yomp" true. Premise pairs: Barbara (All), Celarent and Cesare (No), Darii and Datisi ' +
    '(Some), with the nouns, their order and the premise order shuffled; moods that need existential import ' +
    '(Darapti) or only conclude "some ... are not" are left out. Every question has 3 options, one per ' +
    'quantifier (All, Some, No): the answer and a statement with each other quantifier that does not follow, ' +
    'worded in either direction. Chance is 1/3, and because every question offers the same three words, ' +
    'a model that just prefers one of them (or one position) scores 1/3 too.',
  params: [{ name: 'items', type: 'int', default: 60, min: 3, max: 2000, help: 'number of syllogisms (one training document and one question each)' }],
  presets: {
    // About 1,500 tokens of training text, so the whole set fits in a small model's context for ICL.
    small: { items: 60 },
    paper: { items: 69 },
  },
  splits: {
    syllogism: {
      description: 'the statement relating the two end terms of a trained premise pair ("All troff are yomp.")',
      generalization: true,
    },
  },
  generate,
};
