/**
 * An independent checker for `family` datasets. It reads parent and gender facts back from the training TEXT
 * with regexes (never from the generator's bookkeeping) and derives child, grandparent and sibling relations
 * itself; gendered words (son, grandmother, brother) also need the subject's stated gender.
 */
import type { Dataset, TestItem, TrainDoc } from '../../../src/data/format.ts';

type Kin = 'child' | 'grandparent' | 'sibling';

/** Relation words of the test prompts: the kin relation, and the gender they imply (undefined: none). */
const WORDS: Record<string, { kin: Kin; female?: boolean }> = {
  child: { kin: 'child' },
  son: { kin: 'child', female: false },
  daughter: { kin: 'child', female: true },
  grandparent: { kin: 'grandparent' },
  grandmother: { kin: 'grandparent', female: true },
  grandfather: { kin: 'grandparent', female: false },
  sibling: { kin: 'sibling' },
  sister: { kin: 'sibling', female: true },
  brother: { kin: 'sibling', female: false },
};
const SPLIT_OF: Record<Kin, string> = { child: 'reversal', grandparent: 'composition', sibling: 'composition' };

export interface Claim {
  subject: string;
  word: string;
  object: string;
}

export function readClaim(text: string): Claim | undefined {
  const m = /^([A-Z][a-z]+) is the ([a-z]+) of ([A-Z][a-z]+)$/.exec(text);
  return m && m[2] in WORDS ? { subject: m[1], word: m[2], object: m[3] } : undefined;
}

export class FamilyLogic {
  readonly unreadable: string[] = [];
  /** The same person stated female and male. */
  readonly contradictions: string[] = [];
  private readonly parents = new Map<string, Set<string>>();
  private readonly children = new Map<string, Set<string>>();
  private readonly female = new Map<string, boolean>();
  private readonly genderDocs = new Map<string, Set<string>>();
  private readonly parentDocs = new Map<string, Set<string>>();

  constructor(train: readonly TrainDoc[]) {
    for (const doc of train)
      for (const raw of doc.text.split(/(?<=\.)\s+/)) {
        const sentence = raw.trim();
        const gender = /^([A-Z][a-z]+) is (?:a (woman|man)|(female|male))\.$/.exec(sentence);
        const parent = /^([A-Z][a-z]+) is the parent of ([A-Z][a-z]+)\.$/.exec(sentence);
        if (gender) {
          const [name, isFemale] = [gender[1], (gender[2] ?? gender[3]) === 'woman' || gender[3] === 'female'];
          if (this.female.has(name) && this.female.get(name) !== isFemale) this.contradictions.push(name);
          this.female.set(name, isFemale);
          this.link(this.genderDocs, name, doc.id);
        } else if (parent) {
          this.link(this.parents, parent[2], parent[1]);
          this.link(this.children, parent[1], parent[2]);
          this.link(this.parentDocs, `${parent[1]} ${parent[2]}`, doc.id);
        } else {
          this.unreadable.push(`${doc.id}: "${sentence}"`);
        }
      }
  }

  private link(map: Map<string, Set<string>>, from: string, to: string): void {
    map.set(from, (map.get(from) ?? new Set()).add(to));
  }

  people(): Set<string> {
    return new Set([...this.female.keys(), ...this.parents.keys(), ...this.children.keys()]);
  }

  parentsOf = (x: string): Set<string> => this.parents.get(x) ?? new Set();
  childrenOf = (x: string): Set<string> => this.children.get(x) ?? new Set();

  /** x stands in relation `kin` to y: x is a child of y, a grandparent of y, a sibling of y. */
  related(kin: Kin, x: string, y: string): boolean {
    if (kin === 'child') return this.parentsOf(x).has(y);
    if (kin === 'grandparent') return [...this.childrenOf(x)].some((c) => this.childrenOf(c).has(y));
    return x !== y && [...this.parentsOf(x)].some((p) => this.parentsOf(y).has(p));
  }

  holds(claim: Claim): boolean {
    const { kin, female } = WORDS[claim.word];
    return this.related(kin, claim.subject, claim.object) && (female === undefined || this.female.get(claim.subject) === female);
  }

  /** The longest chain of parent facts, counted in generations. */
  generations(): number {
    const depth = (x: string): number => 1 + Math.max(0, ...[...this.parentsOf(x)].map(depth));
    return Math.max(...[...this.people()].map(depth));
  }

  docsStatingParent(parent: string, child: string): string[] {
    return [...(this.parentDocs.get(`${parent} ${child}`) ?? [])];
  }

  docsStatingGender(x: string): string[] {
    return [...(this.genderDocs.get(x) ?? [])];
  }

  /** The documents stating every fact the claim follows from (for a sibling: through every shared parent). */
  premiseDocs(claim: Claim): string[] {
    const { kin, female } = WORDS[claim.word];
    const { subject: x, object: y } = claim;
    const links: [string, string][] =
      kin === 'child'
        ? [[y, x]]
        : kin === 'grandparent'
          ? [...this.childrenOf(x)].filter((c) => this.childrenOf(c).has(y)).flatMap((c): [string, string][] => [[x, c], [c, y]])
          : [...this.parentsOf(x)].filter((p) => this.parentsOf(y).has(p)).flatMap((p): [string, string][] => [[p, x], [p, y]]);
    const docs = links.flatMap(([p, c]) => this.docsStatingParent(p, c));
    return [...new Set(female === undefined ? docs : [...docs, ...this.docsStatingGender(x)])];
  }
}

const statementOf = (item: TestItem, option: number) => `${item.prompt} ${item.options[option]}`;

/**
 * Problems with one item, empty when it is right: every option reads as the same relation about the same
 * subject; the answer holds and no distractor does; each distractor stands in that relation to someone else
 * (a hard distractor); the answer is not verbatim in the training text; `derivation` is exactly the
 * documents stating its premises, and they suffice on their own; the relation belongs to the item's split (child: reversal; grandparent and sibling:
 * composition).
 */
export function checkFamilyItem(logic: FamilyLogic, train: readonly TrainDoc[], item: TestItem): string[] {
  const problems: string[] = [];
  const say = (what: string) => problems.push(`${item.id}: ${what}`);
  const claims = item.options.map((_, i) => readClaim(statementOf(item, i)));
  if (claims.some((c) => !c)) return [`${item.id}: an option does not read as a kin relation: "${item.prompt}" + [${item.options.join(', ')}]`];
  const cs = claims as Claim[];
  const answer = cs[item.answer];
  if (cs.some((c) => c.subject !== answer.subject || c.word !== answer.word)) say('options differ in more than the name');
  const { kin } = WORDS[answer.word];
  if (SPLIT_OF[kin] !== item.split) say(`a ${kin} relation in split "${item.split}"`);

  if (!logic.holds(answer)) say(`the answer "${statementOf(item, item.answer)}" does not follow`);
  cs.forEach((c, i) => {
    if (i === item.answer) return;
    if (logic.holds(c)) say(`the distractor "${statementOf(item, i)}" is true too`);
    if (![...logic.people()].some((x) => x !== c.subject && logic.related(kin, x, c.object)))
      say(`the distractor "${c.object}" is in this relation to nobody (not a hard distractor)`);
  });

  const sentence = new RegExp(`(^|[^a-z])${statementOf(item, item.answer).toLowerCase()}([^a-z]|$)`);
  if (train.some((d) => sentence.test(d.text.toLowerCase()))) say('the answer appears verbatim in the training text');

  const cited = new Set(item.derivation);
  if (!new FamilyLogic(train.filter((d) => cited.has(d.id))).holds(answer)) say('the answer does not follow from the documents in its derivation alone');
  const expected = logic.premiseDocs(answer).sort().join(',');
  if ([...item.derivation].sort().join(',') !== expected) say(`derivation [${item.derivation.join(', ')}] is not the documents stating its premises [${expected}]`);
  return problems;
}

export function checkFamily(ds: Dataset): string[] {
  const logic = new FamilyLogic(ds.train);
  return [
    ...logic.unreadable.map((s) => `unreadable sentence ${s}`),
    ...logic.contradictions.map((name) => `${name} is stated both female and male`),
    ...ds.test.flatMap((item) => checkFamilyItem(logic, ds.train, item)),
  ];
}
