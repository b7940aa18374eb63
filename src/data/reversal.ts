/**
 * Simple reversals (Lampinen et al. 2025): comparisons between nonsense nouns ("femp are more dangerous
 * than glon"), each fact stated in several training lines behind a random preamble. The test asks a fact
 * back in its trained direction (memorization) and reversed ("glon are less dangerous than femp"), with
 * two options that differ only in more/less.
 */
import { balancedChoices, placeAnswer } from './balance.ts';
import type { TestItem, TrainDoc } from './format.ts';
import type { KindDefinition, Params } from './kinds.ts';
import { Lexicon } from './lexicon.ts';
import type { Rng } from '../util/rng.ts';

/** The 28 comparison dimensions; each reads naturally as "more X than" and "less X than". */
const ADJECTIVES = [
  'dangerous', 'valuable', 'expensive', 'colorful', 'intelligent', 'aggressive', 'fragile',
  'flexible', 'poisonous', 'nutritious', 'popular', 'powerful', 'playful', 'mysterious',
  'durable', 'fragrant', 'graceful', 'loyal', 'stubborn', 'curious', 'patient',
  'reliable', 'transparent', 'flammable', 'magnetic', 'elegant', 'peaceful', 'ancient',
] as const;

/** Preambles that make each training line a little "article"; `%s` is the fact. */
const PREAMBLES = [
  'Did you know that %s?',
  'It is known that %s.',
  'It is a fact that %s.',
  'Scientists have found that %s.',
  'Everyone agrees that %s.',
  'It turns out that %s.',
  'Experts say that %s.',
  'As most people know, %s.',
  'It has been shown that %s.',
  'Researchers report that %s.',
] as const;

type Relation = 'more' | 'less';
const RELATIONS: readonly Relation[] = ['more', 'less'];
const opposite = (r: Relation): Relation => (r === 'more' ? 'less' : 'more');

interface Fact {
  subject: string;
  relation: Relation;
  adjective: string;
  object: string;
}

/** "femp are more dangerous than glon" */
const sentence = (f: Fact) => `${f.subject} are ${f.relation} ${f.adjective} than ${f.object}`;

/**
 * The prompt stops before the relation word ("femp are"), so the two options ("more dangerous than glon",
 * "less dangerous than glon") differ in that word alone and nothing of them is in the prompt.
 */
function question(id: string, split: string, asked: Fact, at: number, derivation: string[], rng: Rng): TestItem {
  const option = (r: Relation) => `${r} ${asked.adjective} than ${asked.object}`;
  const { options, answer } = placeAnswer(option(asked.relation), [option(opposite(asked.relation))], at, rng);
  return { id, split, prompt: `${asked.subject} are`, options, answer, derivation };
}

const reverse = (f: Fact): Fact => ({ subject: f.object, relation: opposite(f.relation), adjective: f.adjective, object: f.subject });

function generate(params: Params, rng: Rng) {
  const factCount = params.facts as number;
  const linesPerFact = params.linesPerFact as number;
  const lexicon = new Lexicon(rng.fork('lexicon'));
  const adjectives = rng.fork('dimensions').sample(ADJECTIVES, params.dimensions as number);
  const dimensionOf = balancedChoices(factCount, adjectives.length, rng.fork('dimension-of-fact'));
  // Half the facts are stated with "more", half with "less", so neither word is the usual answer.
  const relationOf = balancedChoices(factCount, RELATIONS.length, rng.fork('relation-of-fact'));
  // Every noun belongs to one fact only: no chains, no contradictions, one reading per question.
  const facts: Fact[] = relationOf.map((r, i) => ({
    subject: lexicon.take('noun'),
    relation: RELATIONS[r],
    adjective: adjectives[dimensionOf[i]],
    object: lexicon.take('noun'),
  }));

  const preambleRng = rng.fork('preambles');
  const docs: TrainDoc[] = [];
  const linesOf = facts.map((fact, f) =>
    preambleRng.sample(PREAMBLES, linesPerFact).map((preamble, l) => {
      const id = `f${f + 1}-l${l + 1}`;
      docs.push({ id, text: preamble.replace('%s', sentence(fact)) });
      return id;
    }),
  );

  const memorizationAt = balancedChoices(factCount, 2, rng.fork('positions/memorization'));
  const reversalAt = balancedChoices(factCount, 2, rng.fork('positions/reversal'));
  const optionRng = rng.fork('options');
  const test = [
    ...facts.map((fact, f) => question(`t-mem-${f + 1}`, 'memorization', fact, memorizationAt[f], linesOf[f], optionRng)),
    ...facts.map((fact, f) => question(`t-rev-${f + 1}`, 'reversal', reverse(fact), reversalAt[f], linesOf[f], optionRng)),
  ];
  // Lines of one fact are spread through the text rather than sitting together.
  return { lexicon: lexicon.used(), train: rng.fork('order').shuffle(docs), test };
}

export const reversal: KindDefinition = {
  kind: 'reversal',
  title: 'Simple reversals',
  summary:
    'Facts comparing two made-up animals ("femp are more dangerous than glon"); the test asks the same fact the other way round ("glon are less dangerous than femp").',
  description:
    'Comparisons between nonsense nouns ("femp are more dangerous than glon") along one of 28 dimensions, ' +
    'each fact repeated in several training lines with a random preamble ("Did you know that ..."). ' +
    'Each noun appears in one fact only. Questions give the start of a sentence ("glon are") and ask which ' +
    'of two continuations is true; the two differ only in "more" versus "less" (chance 50%).',
  params: [
    { name: 'facts', type: 'int', default: 24, min: 2, max: 1000, help: 'number of comparison facts' },
    { name: 'linesPerFact', type: 'int', default: 4, min: 1, max: PREAMBLES.length, help: 'training lines per fact, each with a different preamble' },
    { name: 'dimensions', type: 'int', default: ADJECTIVES.length, min: 1, max: ADJECTIVES.length, help: 'comparison adjectives used (dangerous, valuable, ...)' },
  ],
  presets: {
    // About 1,500 tokens of training text, so the whole set fits in a small model's context for ICL.
    small: { facts: 24, linesPerFact: 4, dimensions: ADJECTIVES.length },
    paper: { facts: 100, linesPerFact: 10, dimensions: ADJECTIVES.length },
  },
  splits: {
    memorization: {
      description: 'a trained fact in its trained direction: "femp are" → "more dangerous than glon" or "less dangerous than glon"',
      generalization: false,
    },
    reversal: {
      description: 'a trained fact reversed: after "femp are more dangerous than glon", "glon are" → "less dangerous than femp" or "more dangerous than femp"',
      generalization: true,
    },
  },
  generate,
};
