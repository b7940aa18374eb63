/**
 * From generated text to kept sentences: split into sentences, then keep only those that can teach the
 * model something about the dataset without giving away a test answer. Pure, so the page, the worker
 * and the tests filter recorded outputs exactly as a live run does.
 */
import { continuation, type Dataset } from '../data/format.ts';
import { isEnglishWord } from '../data/lexicon.ts';
import type { AugmentedSentence } from './augmentation.ts';

/** A line's list marker: "- ", "* ", "• ", "1. ", "2) ". */
const BULLET = /^\s*(?:[-*•]|\d{1,3}[.)])\s+/;
/** A sentence ends at . ! or ? followed by space, unless the next thing is the answer of a "Q: ... A: ..." pair. */
const SENTENCE_END = /(?<=[.!?])\s+(?!A:)/;

/**
 * Sentences of a text: one or more per line, list markers removed. A question line ("Q: ...") and the
 * answer line that follows ("A: ...") become one sentence, so the pair keeps its meaning; so do a heading
 * line ("Facts about zosk:") and the line after it.
 */
export function splitSentences(text: string): string[] {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.replace(BULLET, '').trim())
    .filter((line) => line.length > 0);
  const joined: string[] = [];
  for (const line of lines) {
    const last = joined.at(-1);
    const answers = (q: string) => line.startsWith('A:') && q.startsWith('Q:') && !/\sA:/.test(q);
    if (last !== undefined && (answers(last) || last.endsWith(':'))) joined[joined.length - 1] = `${last} ${line}`;
    else joined.push(line);
  }
  return joined.flatMap((line) => line.split(SENTENCE_END)).map((s) => s.replace(/\s+/g, ' ').trim()).filter((s) => s.length > 0);
}

/** The form sentences are compared in: lower case, words only, single spaces ("Glon's  are big." -> "glon s are big"). */
export function normalizeSentence(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

const words = (normalized: string) => (normalized ? normalized.split(' ') : []);

export const SENTENCE_LIMITS = { minWords: 3, maxChars: 300 } as const;

export type DropReason = 'too-short' | 'too-long' | 'unfinished' | 'duplicate' | 'copy' | 'no-dataset-word' | 'test-text';

export interface Filtered {
  kept: AugmentedSentence[];
  /** Reason (a DropReason) -> how many candidates it dropped. */
  dropped: Record<string, number>;
}

/**
 * Words that mark a sentence as being about this dataset: its lexicon, or, for kinds without one (the
 * celebrity data), the training text's words that are not English.
 */
export function datasetWords(dataset: Pick<Dataset, 'lexicon' | 'train'>): Set<string> {
  const lexicon = Object.values(dataset.lexicon).flat();
  if (lexicon.length) return new Set(lexicon.flatMap((w) => words(normalizeSentence(w))));
  const found = new Set<string>();
  for (const doc of dataset.train)
    for (const word of words(normalizeSentence(doc.text))) if (/\p{L}/u.test(word) && word.length > 2 && !isEnglishWord(word)) found.add(word);
  return found;
}

/**
 * Normalized text of every held-out test statement: a test prompt followed by any of its options, as it is
 * scored. A statement the training text already contains (a memorization item's) is not held out.
 */
export function heldOutStatements(dataset: Pick<Dataset, 'train' | 'test'>): string[] {
  // Normalized text has no line breaks, so joining on one keeps a match inside a single document.
  const training = ` ${dataset.train.map((doc) => normalizeSentence(doc.text)).join(' \n ')} `;
  const statements = new Set<string>();
  for (const item of dataset.test)
    for (const option of item.options) {
      const statement = normalizeSentence(item.prompt + continuation(item.prompt, option));
      if (statement && !training.includes(` ${statement} `)) statements.add(statement);
    }
  return [...statements];
}

/** Finds whole-word occurrences of any statement in a text, looking up statements by their first word. */
function statementFinder(statements: readonly string[]): (normalized: string) => boolean {
  const byFirstWord = new Map<string, string[]>();
  for (const s of statements) {
    const first = s.split(' ', 1)[0];
    byFirstWord.set(first, [...(byFirstWord.get(first) ?? []), s]);
  }
  return (normalized) => {
    const padded = `${normalized} `;
    let at = 0;
    for (const word of words(normalized)) {
      for (const s of byFirstWord.get(word) ?? []) if (padded.startsWith(`${s} `, at)) return true;
      at += word.length + 1;
    }
    return false;
  };
}

/**
 * Keeps each candidate that is a finished sentence of sensible length, new (not a repeat of a kept one,
 * not a copy of a training sentence), about the dataset (uses one of its words) and free of any held-out
 * test statement. Every dropped candidate is counted under its first failing reason.
 */
export function filterSentences(candidates: readonly AugmentedSentence[], dataset: Pick<Dataset, 'lexicon' | 'train' | 'test'>): Filtered {
  const vocabulary = datasetWords(dataset);
  const containsTestText = statementFinder(heldOutStatements(dataset));
  const training = new Set(dataset.train.flatMap((doc) => splitSentences(doc.text).map(normalizeSentence)));
  const seen = new Set<string>();
  const kept: AugmentedSentence[] = [];
  const dropped: Record<string, number> = {};
  const reasonFor = (text: string, normalized: string): DropReason | undefined => {
    if (words(normalized).length < SENTENCE_LIMITS.minWords) return 'too-short';
    if (text.length > SENTENCE_LIMITS.maxChars) return 'too-long';
    if (!/[.!?]["')\]]*$/.test(text)) return 'unfinished';
    if (seen.has(normalized)) return 'duplicate';
    if (training.has(normalized)) return 'copy';
    if (!words(normalized).some((w) => vocabulary.has(w))) return 'no-dataset-word';
    if (containsTestText(normalized)) return 'test-text';
    return undefined;
  };
  for (const candidate of candidates) {
    const text = candidate.text.replace(/\s+/g, ' ').trim();
    const normalized = normalizeSentence(text);
    const reason = reasonFor(text, normalized);
    if (reason) dropped[reason] = (dropped[reason] ?? 0) + 1;
    else {
      seen.add(normalized);
      kept.push({ text, source: candidate.source });
    }
  }
  return { kept, dropped };
}
