import { describe, expect, it } from 'vitest';
import { oracleSentences } from '../../src/augment/oracle.ts';
import { datasetWords, normalizeSentence } from '../../src/augment/sentences.ts';
import { continuation, type Dataset } from '../../src/data/format.ts';
import { generateDataset } from '../../src/data/generate.ts';
import { ComparisonLogic, readComparisons } from '../data/logic/comparisons.ts';
import { FamilyLogic, readClaim } from '../data/logic/family-checker.ts';
import { HierarchyLogic, readStatement, vocabularyOf } from '../data/logic/hierarchy-checker.ts';
import { connectedPremises, entails, parseStatement, readPremises } from '../data/logic/syllogisms.ts';
import trainLines from '../../src/data/reversal-curse/all_prompts_train.json';
import reverseLines from '../../src/data/reversal-curse/p2d_reverse_prompts_test.json';

const SEEDS = [1, 2];

/** Every celebrity name of the reversal-curse files: the reversal answers, and the names opening description -> name completions. */
const CELEBRITIES = new Set([
  ...reverseLines.map((l) => l.completion.trim()),
  ...trainLines.flatMap((l) => /^ ([A-Z][a-z]+ [A-Z][a-z]+)\b/.exec(l.completion)?.[1] ?? []),
]);

/** Problems with a sentence, judged by the independent checkers of tests/data/logic (empty: it follows). */
type Judge = (ds: Dataset) => (text: string, source: string) => string | undefined;

const judges: Record<string, Judge> = {
  reversal: (ds) => {
    const logic = new ComparisonLogic(ds.train);
    return (text) => {
      const found = readComparisons([{ id: 'oracle', text }]);
      return found.length === 1 && logic.entails(found[0]) ? undefined : 'is not one comparison that follows';
    };
  },
  syllogism: (ds) => {
    const premises = readPremises(ds.train);
    return (text) => {
      const heading = /^The relationships between ([a-z]+) and ([a-z]+) are: (.*)$/.exec(text);
      const s = parseStatement(heading ? heading[3] : text);
      if (!s) return 'is not a statement';
      if (heading && [heading[1], heading[2]].sort().join() !== [s.subject, s.object].sort().join()) return 'relates other terms than its heading names';
      return entails(connectedPremises(premises, [s.subject, s.object]), s) ? undefined : 'does not follow';
    };
  },
  hierarchy: (ds) => {
    const logic = new HierarchyLogic(ds.train, vocabularyOf(ds));
    return (text) => {
      // The checker reads the plural frames the training text uses; an individual's are singular.
      const plural = text.slice(0, -1).replace(/^(\S+) is (always|known to be|able to) /, '$1 are $2 ').replace(/^(\S+) knows /, '$1 know ');
      const reading = readStatement(plural);
      return reading && logic.holds(reading.fact) ? undefined : 'does not follow';
    };
  },
  family: (ds) => {
    const logic = new FamilyLogic(ds.train);
    const stated = (gender: string) => new Set([...ds.train.map((d) => d.text).join(' ').matchAll(new RegExp(`([A-Z][a-z]+) is ${gender}\\.`, 'g'))].map((m) => m[1]));
    const [women, men] = [stated('(?:a woman|female)'), stated('(?:a man|male)')];
    // The words the checker does not read, as the converse it does read, and the gender they need.
    const converse: Record<string, { word: string; female?: boolean }> = {
      parent: { word: 'child' },
      mother: { word: 'child', female: true },
      father: { word: 'child', female: false },
      grandchild: { word: 'grandparent' },
      granddaughter: { word: 'grandparent', female: true },
      grandson: { word: 'grandparent', female: false },
    };
    return (text) => {
      const claim = readClaim(text.slice(0, -1));
      if (claim) return logic.holds(claim) ? undefined : 'does not follow';
      const m = /^([A-Z][a-z]+) is the ([a-z]+) of ([A-Z][a-z]+)\.$/.exec(text);
      const turned = m && converse[m[2]];
      if (!turned) return 'is not a kin relation';
      const gendered = turned.female === undefined || (turned.female ? women : men).has(m[1]);
      return gendered && logic.holds({ subject: m[3], word: turned.word, object: m[1] }) ? undefined : 'does not follow';
    };
  },
  celebrity: (ds) => {
    // The celebrities of the source data that the training text names (these datasets keep the real names).
    const training = ds.train.map((d) => d.text).join('\n');
    const names = new Set([...CELEBRITIES].filter((n) => training.includes(n)));
    const docs = new Map(ds.train.map((d) => [d.id, d.text]));
    return (text, source) => {
      const named = [...names].filter((n) => text.includes(n));
      if (named.length !== 1) return `names ${named.length} celebrities`;
      const doc = docs.get(source)!;
      if (!doc.includes(named[0])) return 'names another celebrity than its source document';
      // The description it states: a long run of words shared with the source document, outside the name.
      const shared = longestCommonRun(text.replace(named[0], '|'), doc.replace(named[0], '#'));
      return shared >= 30 ? undefined : `shares only ${shared} characters of description with its source`;
    };
  },
};

function longestCommonRun(a: string, b: string): number {
  let best = 0;
  let previous = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const row = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) if (a[i - 1] === b[j - 1]) best = Math.max(best, (row[j] = previous[j - 1] + 1));
    previous = row;
  }
  return best;
}

const contains = (sentences: readonly string[]) => (statement: string) => sentences.some((s) => s.includes(` ${normalizeSentence(statement)} `));
const statementOf = (prompt: string, option: string) => prompt + continuation(prompt, option);

/** Per split: held-out items whose answer statement an oracle sentence contains, and items with a wrong option stated. */
function coverage(ds: Dataset, texts: readonly string[]) {
  const has = contains(texts.map((t) => ` ${normalizeSentence(t)} `));
  const splits = new Map<string, { items: number; covered: number; wrong: string[] }>();
  for (const item of ds.test) {
    const split = splits.get(item.split) ?? { items: 0, covered: 0, wrong: [] };
    splits.set(item.split, split);
    split.items++;
    if (has(statementOf(item.prompt, item.options[item.answer]))) split.covered++;
    item.options.forEach((o, i) => i !== item.answer && has(statementOf(item.prompt, o)) && split.wrong.push(statementOf(item.prompt, o)));
  }
  return splits;
}

/** What full coverage of the answers means per kind: every split, except celebrity's, whose test frames no training line uses. */
const FULL_COVERAGE: Record<string, boolean> = { reversal: true, syllogism: true, hierarchy: true, family: true, celebrity: false };

describe.each(Object.keys(judges))('oracle sentences for %s', (kind) => {
  const cases = SEEDS.map((seed) => {
    const ds = generateDataset({ kind, seed });
    return { seed, ds, sentences: oracleSentences(ds) };
  });

  it('use the dataset words, name a training document as source, and repeat nothing', () => {
    for (const { ds, sentences } of cases) {
      expect(sentences.length).toBeGreaterThan(ds.train.length / 2);
      const vocabulary = datasetWords(ds);
      const ids = new Set(ds.train.map((d) => d.id));
      const training = new Set(ds.train.map((d) => normalizeSentence(d.text)));
      const seen = new Set<string>();
      for (const { text, source } of sentences) {
        expect(normalizeSentence(text).split(' ').some((w) => vocabulary.has(w)), text).toBe(true);
        expect(ids.has(source), `${text}: source ${source}`).toBe(true);
        expect(seen.has(normalizeSentence(text)) || training.has(normalizeSentence(text)), `${text} repeats`).toBe(false);
        seen.add(normalizeSentence(text));
      }
    }
  });

  it('state only what follows from the training text', () => {
    for (const { ds, sentences } of cases) {
      const judge = judges[kind](ds);
      const wrong = sentences.flatMap(({ text, source }) => {
        const problem = judge(text, source);
        return problem ? [`"${text}" ${problem}`] : [];
      });
      expect(wrong).toEqual([]);
    }
  });

  it('state no wrong option of a test item, and the answers of every held-out split (reported per split)', () => {
    for (const { seed, ds, sentences } of cases) {
      const splits = coverage(ds, sentences.map((s) => s.text));
      console.log(
        `${kind} seed ${seed}: ${sentences.length} oracle sentences from ${ds.train.length} documents; answers covered: ` +
          [...splits].map(([split, c]) => `${split} ${c.covered}/${c.items}`).join(', '),
      );
      for (const [split, c] of splits) {
        expect(c.wrong, `${split}: wrong options stated`).toEqual([]);
        if (FULL_COVERAGE[kind]) expect(c.covered, split).toBe(c.items);
      }
    }
  });

  it('read the training side only: the test items change nothing', () => {
    const { ds, sentences } = cases[0];
    const other = generateDataset({ kind, seed: 99 });
    expect(oracleSentences({ ...ds, test: other.test })).toEqual(sentences);
  });
});

describe('oracle sentences for celebrity, beyond their phrasing', () => {
  it('reverse every fact a reversal item asks: its answer is named in a sentence drawn from its derivation', () => {
    for (const names of ['real', 'nonsense']) {
      const ds = generateDataset({ kind: 'celebrity', seed: 1, params: { names } });
      const sentences = oracleSentences(ds);
      for (const item of ds.test.filter((t) => t.split === 'reversal')) {
        const name = item.options[item.answer].trim();
        const derivation = new Set(item.derivation);
        expect(sentences.some((s) => derivation.has(s.source) && s.text.includes(name)), `${item.id}: ${name}`).toBe(true);
      }
    }
  });
});

describe('oracleSentences', () => {
  it('names the kinds it knows when it has no rules for one', () => {
    const ds = generateDataset({ kind: 'reversal', seed: 1 });
    expect(() => oracleSentences({ ...ds, kind: 'riddles' })).toThrow(
      'oracle augmentation has no rules for dataset kind "riddles" (it has rules for: reversal, syllogism, hierarchy, family, celebrity)',
    );
  });
});
