/**
 * Oracle rules for `celebrity` datasets: "A is B" gives "B is A". A celebrity trained name -> description
 * gets its description -> name sentences ("Known for being the groundbreaking inventor ..., Ryan Dunsworth
 * now enjoys a quite life."), and one trained description -> name gets the name -> description ones.
 *
 * The sentences use the phrasing families of the reversal-curse training file the kind draws from (its 30
 * sentence templates per direction, never the test files' held-out ones), found in that file's own text: for
 * a celebrity trained both ways, its description as a noun phrase ("the acclaimed director of ...") is its
 * most common completion, and a template is a training line with that phrase and the name cut out.
 */
import trainFile from '../../data/reversal-curse/all_prompts_train.json';
import type { AugmentedSentence } from '../augmentation.ts';
import { capitalize, SentenceWriter, type TrainingSide } from './shared.ts';

/** Templates per inference besides the plain "B is A": a few phrasings, since training time grows with every sentence. */
const TEMPLATES_PER_INFERENCE = 5;

/** Names are "First Last", original or nonsense. */
const NAME = '[A-Z][a-z]+ [A-Z][a-z]+';

interface Template {
  /** A whole sentence with {n} for the name and {d} for the description ({D}: capitalized). */
  text: string;
  nameFirst: boolean;
  pattern: RegExp;
}

const DESCRIPTION = /^(?:the|a|an) /;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function template(text: string): Template {
  const at = (slot: string) => text.indexOf(slot);
  const description = at('{d}') >= 0 ? at('{d}') : at('{D}');
  const source = escape(text).replace('\\{n\\}', `(${NAME})`).replace('\\{d\\}', '(.+)').replace('\\{D\\}', '([A-Z].*)');
  return { text, nameFirst: at('{n}') < description, pattern: new RegExp(`^${source}$`) };
}

/**
 * The templates of the source training file, found through its celebrities trained both ways; only templates
 * shared by two or more of them, so no celebrity's own wording becomes one. Most specific (longest) first,
 * so a template never reads another's fixed words as part of a description.
 */
function findTemplates(): Template[] {
  const lines: { prompt: string; completion: string }[] = trainFile;
  const names = new Set(lines.flatMap((l) => /^ ([A-Z][a-z]+ [A-Z][a-z]+)\b/.exec(l.completion)?.[1] ?? []));
  const uses = new Map<string, number>();
  for (const name of names) {
    const nameFirst = lines.filter((l) => l.prompt.includes(name));
    if (!nameFirst.length) continue;
    const counts = new Map<string, number>();
    for (const l of nameFirst) counts.set(l.completion, (counts.get(l.completion) ?? 0) + 1);
    const usual = [...counts].reduce((a, b) => (b[1] > a[1] ? b : a))[0];
    const description = usual.trim().replace(/\.$/, '');
    for (const l of lines) {
      const text = l.prompt + l.completion;
      if (!text.includes(name)) continue;
      const cut = text.includes(description)
        ? text.replace(description, '{d}')
        : text.includes(capitalize(description))
          ? text.replace(capitalize(description), '{D}')
          : undefined;
      if (cut) uses.set(cut.replaceAll(name, '{n}'), (uses.get(cut.replaceAll(name, '{n}')) ?? 0) + 1);
    }
  }
  return [...uses]
    .filter(([text, n]) => n >= 2 && text.includes('{n}'))
    .map(([text]) => template(text))
    .sort((a, b) => b.text.length - a.text.length || (a.text < b.text ? -1 : 1));
}

let cached: Template[] | undefined;
const templates = (): Template[] => (cached ??= findTemplates());

/** What the training text says about one celebrity in one direction. */
interface Known {
  name: string;
  nameFirst: boolean;
  /** Description -> how many documents state it. */
  descriptions: Map<string, number>;
  docs: string[];
}

const mostCommon = (counts: Map<string, number>) => [...counts].reduce((a, b) => (b[1] > a[1] ? b : a))[0];

export function celebrityOracle(dataset: TrainingSide): AugmentedSentence[] {
  const all = templates();
  /** `${direction} ${name}` -> what the training text says. */
  const known = new Map<string, Known>();
  for (const doc of dataset.train)
    for (const t of all) {
      const m = t.pattern.exec(doc.text);
      if (!m) continue;
      const [name, raw] = t.nameFirst ? [m[1], m[2]] : [m[2], m[1]];
      const description = t.text.includes('{D}') ? raw[0].toLowerCase() + raw.slice(1) : raw;
      // Every description is a noun phrase ("the acclaimed director of ..."): anything else is a line a
      // template only seems to fit, its slot swallowing words of its own ("engineering, I am the ...").
      if (!DESCRIPTION.test(description)) continue;
      const key = `${t.nameFirst} ${name}`;
      const entry: Known = known.get(key) ?? { name, nameFirst: t.nameFirst, descriptions: new Map(), docs: [] };
      known.set(key, entry);
      entry.descriptions.set(description, (entry.descriptions.get(description) ?? 0) + 1);
      entry.docs.push(doc.id);
      break;
    }

  const writer = new SentenceWriter(dataset.train);
  /** Where each direction's templates continue, so that all of them get used across celebrities. */
  const turn = { nameFirst: 0, descriptionFirst: 0 };
  for (const { name, nameFirst, descriptions, docs } of known.values()) {
    const description = mostCommon(descriptions);
    // The reversal: the other direction from the one trained.
    writer.write(nameFirst ? `${capitalize(description)} is ${name}.` : `${name} is ${description}.`, docs);
    const reversed = all.filter((t) => t.nameFirst !== nameFirst);
    const key = nameFirst ? 'descriptionFirst' : 'nameFirst';
    for (let placed = 0, tried = 0; placed < TEMPLATES_PER_INFERENCE && tried < reversed.length; tried++) {
      const t = reversed[turn[key]++ % reversed.length];
      // Replacement functions: a description may hold "$&", which a replacement string would expand.
      const text = t.text.replace('{n}', () => name).replace('{d}', () => description).replace('{D}', () => capitalize(description));
      if (writer.write(text, docs)) placed++;
    }
  }
  return writer.sentences;
}
