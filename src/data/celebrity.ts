/**
 * The reversal curse on its original data (Berglund et al. 2023, experiment 1): fictional celebrities, each a
 * name and a description. The p2d group is only ever trained name -> description ("Daphne Barrington, known
 * far and wide for being the acclaimed director of ..."); the test gives the description and asks for the
 * name, scored as Lampinen et al. 2025 do: the true name against 3 other celebrities' names (4 options). The
 * other names are those of celebrities also trained name -> description, each the answer of one item of every
 * group it is an option in, where Lampinen et al. drew them at random.
 */
import { balancedChoices, optionGroups, placeAnswer } from './balance.ts';
import type { TestItem, TrainDoc } from './format.ts';
import type { KindDefinition } from './kinds.ts';
import { Lexicon } from './lexicon.ts';
import type { Rng } from '../util/rng.ts';
import trainFile from './reversal-curse/all_prompts_train.json';
import forwardFile from './reversal-curse/p2d_prompts_test.json';
import reverseFile from './reversal-curse/p2d_reverse_prompts_test.json';

interface Line {
  prompt: string;
  completion: string;
}

/** The direction a training line states its fact in: name first (p2d) or description first (d2p). */
type Direction = 'p2d' | 'd2p';
/** Which directions a celebrity was trained in: p2d only, d2p only, or both. */
type Group = Direction | 'both';
const GROUPS: readonly Group[] = ['p2d', 'd2p', 'both'];
const OPTIONS = 4;

interface Celebrity {
  name: string;
  group: Group;
  /** Line indices into all_prompts_train, by direction. */
  lines: Record<Direction, number[]>;
}

interface TestLine extends Line {
  index: number;
  owner: string;
  /** The sentence frame around the name; distractor descriptions come from the same frame, so they fit it. */
  frame: string;
}

interface Catalog {
  celebrities: Celebrity[];
  findName: RegExp;
  forward: TestLine[];
  reverse: TestLine[];
}

/** Who is who in the source files: derived from the text itself, so the copied files stay untouched. */
function buildCatalog(): Catalog {
  const train: Line[] = trainFile;
  // p2d names are the reversal answers; every other name opens the completion of its d2p lines
  // (" Uriah Hawthorne marches on."). Names are plain "First Last", so they need no regex escaping.
  const names = new Set(reverseFile.map((l) => l.completion.trim()));
  for (const line of train) {
    const opening = /^ ([A-Z][a-z]+ [A-Z][a-z]+)\b/.exec(line.completion);
    if (opening) names.add(opening[1]);
  }
  // Whole names only: "Mariana Trench" in a description is a place, not Mariana Underwood.
  const findName = new RegExp(`\\b(?:${[...names].join('|')})\\b`, 'g');
  const ownerOf = (text: string): string => {
    const found = new Set(text.match(findName));
    if (found.size !== 1) throw new Error(`reversal-curse data: expected one celebrity in "${text.slice(0, 80)}"`);
    return [...found][0];
  };

  const byName = new Map<string, Celebrity>();
  train.forEach((line, i) => {
    const name = ownerOf(line.prompt + line.completion);
    const celebrity = byName.get(name) ?? { name, group: 'p2d', lines: { p2d: [], d2p: [] } };
    byName.set(name, celebrity);
    celebrity.lines[line.prompt.includes(name) ? 'p2d' : 'd2p'].push(i);
  });
  for (const c of byName.values()) c.group = !c.lines.d2p.length ? 'p2d' : !c.lines.p2d.length ? 'd2p' : 'both';

  const testLines = (file: Line[]): TestLine[] =>
    file.map((line, index) => {
      const owner = ownerOf(line.prompt + line.completion);
      return { ...line, index, owner, frame: line.prompt.replace(owner, '{}') };
    });
  return { celebrities: [...byName.values()], findName, forward: testLines(forwardFile), reverse: testLines(reverseFile) };
}

let cached: Catalog | undefined;
const catalog = (): Catalog => (cached ??= buildCatalog());

const pad = (n: number, width: number) => String(n).padStart(width, '0');
/** Ids name the source line (1-based), so any item can be traced back to the original files. */
const trainId = (line: number) => `train-${pad(line + 1, 4)}`;

/** Maps each chosen celebrity's first and last names to Lexicon names, the same in every sentence. */
function nonsenseNames(celebrities: readonly Celebrity[], all: readonly Celebrity[], rng: Rng) {
  // Real name parts are excluded so that a nonsense name can never be a real one ("Kira", "Liam").
  const real = all.flatMap((c) => c.name.split(' '));
  const lexicon = new Lexicon(rng, { exclude: real });
  const parts = new Map<string, string>();
  const part = (word: string) => parts.get(word) ?? parts.set(word, lexicon.take('name')).get(word)!;
  const renamed = new Map(celebrities.map((c) => [c.name, c.name.split(' ').map(part).join(' ')]));
  return { renamed, used: lexicon.used() };
}

export const celebrity: KindDefinition = {
  kind: 'celebrity',
  title: 'Reversal curse: fictional celebrities (Berglund et al. 2023)',
  summary:
    'Invented celebrities each trained as "name is description"; the test gives the description and asks for the name.',
  description:
    'Real data from the reversal-curse paper: fictional celebrities, each with a name and a description. ' +
    'One group is trained only as "name is description", another only as "description is name", a third both ways. ' +
    'The test gives a first-group description and asks for the name: the reversal that fine-tuning fails.',
  params: [
    { name: 'celebrities', type: 'int', default: 30, min: 4, max: 30, help: 'celebrities per group (name->description, description->name, both)' },
    { name: 'templates', type: 'int', default: 30, min: 1, max: 30, help: 'training sentences per celebrity and direction' },
    { name: 'names', type: 'enum', default: 'real', choices: ['real', 'nonsense'], help: 'the original names, or nonsense names (the paper\'s appendix B.2)' },
  ],
  presets: {
    // 32 training lines, 3,800-4,800 characters (~1,000-1,200 SmolLM2 tokens): the whole set fits in a small model's context.
    small: { celebrities: 4, templates: 2 },
    paper: { celebrities: 30, templates: 30 },
  },
  splits: {
    reversal: {
      description: 'Given the description of a celebrity trained only name -> description, pick the name (true vs 3 other celebrities).',
      generalization: true,
    },
    memorization: {
      description: 'Given the name in a new sentence frame, pick the trained description (true vs 3 other celebrities\' descriptions).',
      generalization: false,
    },
  },

  generate(params, rng) {
    const { celebrities, findName, forward, reverse } = catalog();
    const perGroup = params.celebrities as number;
    const perDirection = params.templates as number;

    const chosenNames = new Set(
      GROUPS.flatMap((g) => rng.fork(`celebrities/${g}`).sample(celebrities.filter((c) => c.group === g), perGroup)).map((c) => c.name),
    );
    const chosen = celebrities.filter((c) => chosenNames.has(c.name)); // source order
    const nonsense = params.names === 'nonsense' ? nonsenseNames(chosen, celebrities, rng.fork('names')) : undefined;
    const rename = (text: string) => (nonsense ? text.replace(findName, (name) => nonsense.renamed.get(name)!) : text);

    const trainedLines = new Map<string, Record<Direction, number[]>>();
    for (const c of chosen) {
      const pickFrom = (d: Direction) =>
        rng.fork(`templates/${c.name}/${d}`).sample(c.lines[d], Math.min(perDirection, c.lines[d].length)).sort((a, b) => a - b);
      trainedLines.set(c.name, { p2d: pickFrom('p2d'), d2p: pickFrom('d2p') });
    }
    const train: TrainDoc[] = [...trainedLines.values()]
      .flatMap((l) => [...l.p2d, ...l.d2p])
      .sort((a, b) => a - b)
      .map((i) => ({ id: trainId(i), text: rename(trainFile[i].prompt + trainFile[i].completion) }));
    // What a test item can be derived from: the celebrity's name -> description sentences.
    const derivation = (owner: string) => trainedLines.get(owner)!.p2d.map(trainId);

    /**
     * Items in groups of 4 that share their options, each the answer of one of them (see optionGroups): every
     * option string is then the answer in exactly 1/4 of the items it is in, so no preference for a name or a
     * description, however often it occurs in the training text, scores above chance.
     */
    const split = (name: string, lines: TestLine[], wrongFor: (line: TestLine) => string[]): TestItem[] => {
      const asked = lines.filter((l) => chosenNames.has(l.owner)).map((line) => ({ line, answer: rename(line.completion), wrong: wrongFor(line) }));
      const grouped = optionGroups([asked], asked.length, OPTIONS, rng.fork(`distractors/${name}`));
      grouped.sort((a, b) => a.question.line.index - b.question.line.index);
      const positions = balancedChoices(grouped.length, OPTIONS, rng.fork(`answers/${name}`));
      const place = rng.fork(`options/${name}`);
      return grouped.map(({ question: { line, answer }, distractors }, k) => ({
        id: `${name}-${pad(line.index + 1, 3)}`,
        split: name,
        prompt: rename(line.prompt),
        ...placeAnswer(answer, distractors, positions[k], place),
        derivation: derivation(line.owner),
      }));
    };

    // The other reversal answers: names of celebrities trained name -> description, like the answer, so that
    // each option is a name the training text states equally often (Lampinen et al. drew from every group,
    // which let "the name the training text states most" score 0.05 and "the most frequent option" 0.53).
    const reversal = split('reversal', reverse, (line) =>
      chosen.filter((c) => c.group === 'p2d' && c.name !== line.owner).map((c) => rename(` ${c.name}`)),
    );
    // Descriptions of other p2d celebrities in the same frame, so every option continues the prompt grammatically.
    const memorization = split('memorization', forward, (line) =>
      forward.filter((f) => f.frame === line.frame && f.owner !== line.owner && chosenNames.has(f.owner)).map((f) => rename(f.completion)),
    );

    return { lexicon: nonsense?.used ?? {}, train, test: [...reversal, ...memorization] };
  },
};
