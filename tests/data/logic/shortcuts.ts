/**
 * A fixed battery of trivial strategies that answer a multiple-choice item without the reasoning it tests:
 * by position, length, how often an option occurs in the split or in the training text, its first word (the
 * relation word: more/less, All/Some/No), its words shared with the prompt, and how many training documents,
 * or sentences, hold a prompt word and an option word together (direction-free association). Ties count fractionally: a
 * strategy torn between m options, the answer among them, scores 1/m for the item.
 */
import type { Dataset, TestItem } from '../../../src/data/format.ts';
import type { KindDefinition } from '../../../src/data/kinds.ts';

/** Per option, a preference (higher is preferred). */
type Strategy = (item: TestItem, context: SplitContext) => number[];

interface SplitContext {
  /** How often each option string occurs among the split's options. */
  optionCount: Map<string, number>;
  /** Lowercased training documents, and their sentences, as sets of words; and the whole text. */
  docWords: Set<string>[];
  sentenceWords: Set<string>[];
  text: string;
  /** Words that say something (the dataset's lexicon, or words in at most a quarter of the documents). */
  contentWord: (word: string) => boolean;
  /** Option strings recur across a split's items: their counts in the training text are computed once. */
  textCounts: Map<string, number>;
}

const wordsOf = (text: string): string[] => text.toLowerCase().match(/[a-z]+/g) ?? [];
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Occurrences of `phrase` in the training text as whole words. */
function occurrences(text: string, phrase: string): number {
  const trimmed = phrase.trim().toLowerCase();
  return trimmed ? (text.match(new RegExp(`(?<![a-z])${escape(trimmed)}(?![a-z])`, 'g')) ?? []).length : 0;
}

/** Training documents (or sentences) that hold a content word of the prompt and a content word of the option (not in the prompt). */
function cooccurrence(item: TestItem, option: string, context: SplitContext, units: readonly Set<string>[]): number {
  const prompt = new Set(wordsOf(item.prompt).filter(context.contentWord));
  const own = new Set(wordsOf(option).filter((w) => context.contentWord(w) && !prompt.has(w)));
  return units.filter((doc) => [...prompt].some((w) => doc.has(w)) && [...own].some((w) => doc.has(w))).length;
}

const negate = (f: Strategy): Strategy => (item, context) => f(item, context).map((x) => -x);
const byOption = (score: (option: string, item: TestItem, context: SplitContext) => number): Strategy => (item, context) =>
  item.options.map((o) => score(o, item, context));

const length = byOption((o) => o.length);
const splitFrequency = byOption((o, _, c) => c.optionCount.get(o)!);
const textFrequency = byOption((o, _, c) => c.textCounts.get(o) ?? c.textCounts.set(o, occurrences(c.text, o)).get(o)!);
const sharedWords = byOption((o, item) => {
  const prompt = new Set(wordsOf(item.prompt));
  return wordsOf(o).filter((w) => prompt.has(w)).length;
});
const documentAssociation = byOption((o, item, c) => cooccurrence(item, o, c, c.docWords));
const sentenceAssociation = byOption((o, item, c) => cooccurrence(item, o, c, c.sentenceWords));

/** Whether a strategy reads the training text: on memorization splits that is how the answer is known, so it is not a shortcut there. */
export interface NamedStrategy {
  name: string;
  strategy: Strategy;
  readsTraining: boolean;
  /** Direction-free association, and over what: whole documents or single sentences. */
  association: 'none' | 'document' | 'sentence';
}

/** The words that say which relation an option states (reversal: more/less; syllogism: the quantifier). */
const RELATION_WORDS = ['more', 'less', 'All', 'Some', 'No'];
const firstWord = (option: string) => option.trim().split(/\s+/)[0];

/** The fixed battery for a split whose items have k options. */
export function strategiesFor(k: number): NamedStrategy[] {
  const plain = (name: string, strategy: Strategy, readsTraining = false, association: NamedStrategy['association'] = 'none'): NamedStrategy => ({
    name,
    strategy,
    readsTraining,
    association,
  });
  return [
    ...Array.from({ length: k }, (_, i) => plain(`position ${i}`, (item) => item.options.map((_, j) => (j === i ? 1 : 0)))),
    plain('shortest', negate(length)),
    plain('longest', length),
    plain('most frequent option in split', splitFrequency),
    plain('least frequent option in split', negate(splitFrequency)),
    plain('most often in training text', textFrequency, true),
    plain('least often in training text', negate(textFrequency), true),
    ...RELATION_WORDS.map((w) => plain(`relation word "${w}"`, byOption((o) => (firstWord(o) === w ? 1 : 0)))),
    plain('most words shared with prompt', sharedWords),
    plain('most documents with prompt and option words', documentAssociation, true, 'document'),
    plain('fewest documents with prompt and option words', negate(documentAssociation), true, 'document'),
    plain('most sentences with prompt and option words', sentenceAssociation, true, 'sentence'),
    plain('fewest sentences with prompt and option words', negate(sentenceAssociation), true, 'sentence'),
  ];
}

/** The credit of one item: 1/m when the answer is among the m most preferred options, else 0. */
function credit(preferences: readonly number[], answer: number): number {
  const best = Math.max(...preferences);
  const top = preferences.filter((p) => p === best).length;
  return preferences[answer] === best ? 1 / top : 0;
}

export function splitContext(ds: Dataset, items: readonly TestItem[]): SplitContext {
  const optionCount = new Map<string, number>();
  for (const o of items.flatMap((t) => t.options)) optionCount.set(o, (optionCount.get(o) ?? 0) + 1);
  const docWords = ds.train.map((d) => new Set(wordsOf(d.text)));
  const lexicon = new Set(Object.values(ds.lexicon).flat().flatMap(wordsOf));
  const docFrequency = new Map<string, number>();
  for (const doc of docWords) for (const w of doc) docFrequency.set(w, (docFrequency.get(w) ?? 0) + 1);
  const contentWord = lexicon.size ? (w: string) => lexicon.has(w) : (w: string) => (docFrequency.get(w) ?? 0) <= docWords.length / 4;
  const sentenceWords = ds.train.flatMap((d) => d.text.split(/(?<=[.?!])\s+|\n/)).map((s) => new Set(wordsOf(s)));
  return { optionCount, docWords, sentenceWords, text: ds.train.map((d) => d.text.toLowerCase()).join('\n'), contentWord, textCounts: new Map() };
}

/** Summed credit of a strategy over a split's items. */
export function scoreStrategy(strategy: Strategy, items: readonly TestItem[], context: SplitContext): number {
  return items.reduce((sum, item) => sum + credit(strategy(item, context), item.answer), 0);
}

/** log of n choose x. */
function logChoose(n: number, x: number): number {
  let s = 0;
  for (let i = 1; i <= x; i++) s += Math.log((n - x + i) / i);
  return s;
}

/**
 * The exact two-sided binomial acceptance region at level 1 - alpha: the counts [lo, hi] such that fewer than
 * lo, or more than hi, correct items of n each right with probability p happen with probability at most
 * alpha/2 each. A strategy's summed credit outside it is not chance.
 */
export function binomialRegion(n: number, p: number, alpha: number): { lo: number; hi: number } {
  const pmf = Array.from({ length: n + 1 }, (_, x) => Math.exp(logChoose(n, x) + x * Math.log(p) + (n - x) * Math.log1p(-p)));
  let lo = 0;
  for (let below = 0; below + pmf[lo] <= alpha / 2; lo++) below += pmf[lo];
  let hi = n;
  for (let above = 0; above + pmf[hi] <= alpha / 2; hi--) above += pmf[hi];
  return { lo, hi };
}

/**
 * Splits that ask a trained one-sentence fact in a new frame (rephrase) or its converse (the reversals): the
 * answer shares that sentence with the prompt's word by design, and the split asks whether a model can use
 * the pair in the asked direction (the reversal curse is that fine-tuned models often cannot).
 */
const ONE_SENTENCE_FACT: Record<string, string[]> = { hierarchy: ['rephrase', 'reversal'], family: ['reversal'], celebrity: ['reversal', 'memorization'] };

/**
 * Chance is required of every strategy except what a split is meant to be solved by: the training text on
 * memorization splits; on celebrity, whose name shares every document with its description, association; and
 * association within a sentence where the asked fact is that sentence.
 */
export const chanceRequired = (def: KindDefinition) => (split: string, s: NamedStrategy) =>
  !(s.readsTraining && !def.splits[split].generalization) &&
  !(def.kind === 'celebrity' && s.association !== 'none') &&
  !(s.association === 'sentence' && ONE_SENTENCE_FACT[def.kind]?.includes(split));

export interface BatteryRow {
  kind: string;
  split: string;
  strategy: string;
  /** Items scored, summed credit, and the chance level 1/k. */
  n: number;
  correct: number;
  chance: number;
  /** Whether chance is required of it here (not for what a split is meant to be solved by). */
  required: boolean;
}

/** Every strategy on every split of `datasets` (one kind), credits summed over the datasets; `required` says where chance is required. */
export function runBattery(datasets: readonly Dataset[], required: (split: string, strategy: NamedStrategy) => boolean): BatteryRow[] {
  const rows = new Map<string, BatteryRow>();
  for (const ds of datasets) {
    const splits = [...new Set(ds.test.map((t) => t.split))];
    for (const split of splits) {
      const items = ds.test.filter((t) => t.split === split);
      const context = splitContext(ds, items);
      for (const named of strategiesFor(items[0].options.length)) {
        const { name, strategy } = named;
        const key = `${split}/${name}`;
        const row = rows.get(key) ?? {
          kind: ds.kind,
          split,
          strategy: name,
          n: 0,
          correct: 0,
          chance: 1 / items[0].options.length,
          required: required(split, named),
        };
        row.n += items.length;
        row.correct += scoreStrategy(strategy, items, context);
        rows.set(key, row);
      }
    }
  }
  return [...rows.values()];
}
