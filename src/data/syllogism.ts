/**
 * Simple syllogisms (Lampinen et al. 2025): each training document gives two premises linking three
 * nonsense nouns ("The relationships between glon, troff and yomp are: All glon are yomp. All troff are
 * glon."), and the test asks which statement relates the two end terms ("The relationships between troff
 * and yomp are:" → "All troff are yomp.").
 *
 * Logic: Aristotelian, WITH existential import — every noun names a non-empty class, as in everyday
 * speech, so "All S are P" also makes "Some S are P" true. The candidates are the six statements all/some/no
 * in both directions ("some ... are not" is left out, as in the paper). Of the candidates the premises
 * entail, the item keeps one as the answer and drops the others (under an "All" answer the two "Some"
 * forms; under a "Some" or "No" answer its converse), so exactly one option is true: 4 options when the
 * answer is "All", 5 otherwise.
 */
import { balancedChoices, placeAnswer } from './balance.ts';
import type { TestItem, TrainDoc } from './format.ts';
import type { KindDefinition, Params } from './kinds.ts';
import { Lexicon } from './lexicon.ts';
import type { Rng } from './rng.ts';

type Quantifier = 'All' | 'Some' | 'No';
const QUANTIFIERS: readonly Quantifier[] = ['All', 'Some', 'No'];

/** The three terms: subject (S) and predicate (P) of the conclusion, and the middle term (M). */
type Role = 'S' | 'M' | 'P';
type Premise = readonly [Quantifier, Role, Role];

interface Mood {
  name: string;
  premises: readonly [Premise, Premise];
  /** The strongest conclusion between the end terms, read "<quantifier> S are P". */
  conclusion: Quantifier;
}

/**
 * Every premise pair, up to naming the end terms, whose conclusion is one of the candidates. The other
 * traditional moods (Camestres, Calemes, Disamis, Dimaris, Bramantip) are these with S and P renamed; the
 * moods that only conclude "Some S are not P" (Ferio, Baroco, Felapton, ...) have no answer here.
 */
const MOODS: readonly Mood[] = [
  { name: 'Barbara', premises: [['All', 'M', 'P'], ['All', 'S', 'M']], conclusion: 'All' },
  { name: 'Celarent', premises: [['No', 'M', 'P'], ['All', 'S', 'M']], conclusion: 'No' },
  { name: 'Cesare', premises: [['No', 'P', 'M'], ['All', 'S', 'M']], conclusion: 'No' },
  { name: 'Darii', premises: [['All', 'M', 'P'], ['Some', 'S', 'M']], conclusion: 'Some' },
  { name: 'Datisi', premises: [['All', 'M', 'P'], ['Some', 'M', 'S']], conclusion: 'Some' },
  { name: 'Darapti', premises: [['All', 'M', 'P'], ['All', 'M', 'S']], conclusion: 'Some' },
];

interface Statement {
  quantifier: Quantifier;
  subject: string;
  object: string;
}

const say = (s: Statement) => `${s.quantifier} ${s.subject} are ${s.object}.`;

/** The other candidates that the answer entails, which would make a second true option. */
function alsoEntailed(answer: Statement): Statement[] {
  const { subject, object } = answer;
  switch (answer.quantifier) {
    case 'All':
      return [{ quantifier: 'Some', subject, object }, { quantifier: 'Some', subject: object, object: subject }];
    case 'Some':
    case 'No':
      return [{ quantifier: answer.quantifier, subject: object, object: subject }];
  }
}

function candidates(a: string, b: string): Statement[] {
  return QUANTIFIERS.flatMap((quantifier) => [
    { quantifier, subject: a, object: b },
    { quantifier, subject: b, object: a },
  ]);
}

interface Plan {
  mood: Mood;
  /** Whether the prompt names the answer's subject first. */
  subjectFirst: boolean;
  /** Where the answer goes among this item's options. */
  at: number;
}

/**
 * Balance within the split: each quantifier is the answer equally often, the moods of a quantifier come
 * equally often, the answer's subject is named first in the prompt half the time, and the answer sits at
 * each position equally often among items with the same number of options.
 */
function plan(items: number, rng: Rng): Plan[] {
  const quantifierOf = balancedChoices(items, QUANTIFIERS.length, rng.fork('quantifier'));
  const subjectFirst = balancedChoices(items, 2, rng.fork('subject-first'));
  const moods: Mood[] = new Array(items);
  for (const quantifier of QUANTIFIERS) {
    const indices = quantifierOf.flatMap((q, i) => (QUANTIFIERS[q] === quantifier ? [i] : []));
    const choices = MOODS.filter((m) => m.conclusion === quantifier);
    balancedChoices(indices.length, choices.length, rng.fork(`moods/${quantifier}`)).forEach((c, j) => (moods[indices[j]] = choices[c]));
  }
  const at: number[] = new Array(items);
  const optionCount = (m: Mood) => candidates('S', 'P').length - alsoEntailed({ quantifier: m.conclusion, subject: 'S', object: 'P' }).length;
  for (const count of new Set(moods.map(optionCount))) {
    const indices = moods.flatMap((m, i) => (optionCount(m) === count ? [i] : []));
    balancedChoices(indices.length, count, rng.fork(`positions/${count}`)).forEach((p, j) => (at[indices[j]] = p));
  }
  return moods.map((mood, i) => ({ mood, subjectFirst: subjectFirst[i] === 1, at: at[i] }));
}

function generate(params: Params, rng: Rng) {
  const lexicon = new Lexicon(rng.fork('lexicon'));
  const plans = plan(params.items as number, rng.fork('plan'));
  const itemRng = rng.fork('items');
  const train: TrainDoc[] = [];
  const test: TestItem[] = [];
  for (const [i, { mood, subjectFirst, at }] of plans.entries()) {
    // Separate nouns per item: no premise of one item bears on another.
    const [S, M, P] = lexicon.takeMany('noun', 3);
    const word: Record<Role, string> = { S, M, P };
    const premises = mood.premises.map(([quantifier, subject, object]) => say({ quantifier, subject: word[subject], object: word[object] }));
    const [a, b, c] = itemRng.shuffle([S, M, P]);
    const id = `s${i + 1}`;
    train.push({ id, text: `The relationships between ${a}, ${b} and ${c} are: ${itemRng.shuffle(premises).join(' ')}` });

    // "Some" and "No" read the same both ways, so which way the answer is worded is free.
    const [subject, object] = mood.conclusion === 'All' ? [S, P] : itemRng.shuffle([S, P]);
    const answer: Statement = { quantifier: mood.conclusion, subject, object };
    const [first, second] = subjectFirst ? [subject, object] : [object, subject];
    const dropped = new Set([answer, ...alsoEntailed(answer)].map(say));
    const distractors = candidates(first, second).map(say).filter((s) => !dropped.has(s));
    const { options, answer: index } = placeAnswer(say(answer), distractors, at, itemRng);
    test.push({ id: `t-syl-${i + 1}`, split: 'syllogism', prompt: `The relationships between ${first} and ${second} are:`, options, answer: index, derivation: [id] });
  }
  return { lexicon: lexicon.used(), train, test };
}

export const syllogism: KindDefinition = {
  kind: 'syllogism',
  title: 'Simple syllogisms',
  description:
    'Each training document relates three nonsense nouns by two premises ("The relationships between glon, ' +
    'troff and yomp are: All glon are yomp. All troff are glon."); each question names the two end terms ' +
    '("The relationships between troff and yomp are:") and asks which statement follows ("All troff are yomp."). ' +
    'Logic: Aristotelian with existential import (every noun names something, so "All troff are yomp" makes ' +
    '"Some troff are yomp" true too). Candidates: all/some/no in both directions; the other statements that ' +
    'follow are dropped (the "Some" forms under an "All" answer, the converse of a "Some" or "No" answer), ' +
    'so exactly one option is true: 4 options (chance 25%) when the answer is "All", 5 (chance 20%) otherwise. ' +
    'Premise pairs: Barbara (All), Celarent and Cesare (No), Darii, Datisi and Darapti (Some), with the nouns, ' +
    'their order and the premise order shuffled; moods that only conclude "some ... are not" are left out.',
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
