/**
 * Oracle rules for `family` datasets: from "Zima is the parent of Tomp" and "Zima is a woman" follow the
 * converse ("Tomp is the son of Zima"), the gendered parent ("Zima is the mother of Tomp"), grandparents and
 * grandchildren through two parent facts, and siblings through a shared parent. Gender words are used as
 * the dataset's `gendered` setting asks, and only for people whose gender the training text states.
 */
import type { AugmentedSentence } from '../augmentation.ts';
import { SentenceWriter, type TrainingSide } from './shared.ts';

const PARENT = /^([A-Z][a-z]+) is the parent of ([A-Z][a-z]+)\.$/;
const GENDER = /^([A-Z][a-z]+) is (?:a (woman|man)|(female|male))\.$/;

export function familyOracle(dataset: TrainingSide): AugmentedSentence[] {
  const children = new Map<string, Map<string, Set<string>>>();
  const female = new Map<string, boolean>();
  const genderDocs = new Map<string, Set<string>>();
  for (const doc of dataset.train)
    for (const sentence of doc.text.split(/(?<=\.)\s+/)) {
      const parent = PARENT.exec(sentence.trim());
      const gender = GENDER.exec(sentence.trim());
      if (parent) {
        const [, x, y] = parent;
        const of = children.get(x) ?? new Map<string, Set<string>>();
        children.set(x, of);
        of.set(y, (of.get(y) ?? new Set()).add(doc.id));
      } else if (gender) {
        female.set(gender[1], gender[2] === 'woman' || gender[3] === 'female');
        genderDocs.set(gender[1], (genderDocs.get(gender[1]) ?? new Set()).add(doc.id));
      }
    }

  const gendered = dataset.params.gendered !== false;
  /** The relation word for `p`, and the documents its gender adds to the premises. */
  const word = (p: string, neutral: string, ifFemale: string, ifMale: string): [string, string[]] =>
    gendered && female.has(p) ? [female.get(p) ? ifFemale : ifMale, [...genderDocs.get(p)!]] : [neutral, []];
  const writer = new SentenceWriter(dataset.train);
  const state = (subject: string, [relation, genderPremises]: [string, string[]], object: string, premises: Iterable<string>) =>
    writer.write(`${subject} is the ${relation} of ${object}.`, [...premises, ...genderPremises]);
  const stating = (x: string, y: string) => children.get(x)!.get(y)!;

  for (const [x, of] of children)
    for (const [y, docs] of of) {
      state(y, word(y, 'child', 'daughter', 'son'), x, docs);
      state(x, word(x, 'parent', 'mother', 'father'), y, docs);
      for (const z of children.get(y)?.keys() ?? []) {
        const premises = [...docs, ...stating(y, z)];
        state(x, word(x, 'grandparent', 'grandmother', 'grandfather'), z, premises);
        state(z, word(z, 'grandchild', 'granddaughter', 'grandson'), x, premises);
      }
      for (const w of of.keys()) if (w !== y) state(y, word(y, 'sibling', 'sister', 'brother'), w, [...docs, ...stating(x, w)]);
    }
  return writer.sentences;
}
