/**
 * Nonsense words that no model has seen in pretraining: pronounceable 4-5 letter pseudo-words built from
 * syllables ("femp", "glon", "yomp", "troff"), never a real English word, never repeated in one dataset.
 * Words are typed (noun, adjective, verb, name) so the generators can write grammatical sentences.
 */
import type { Rng } from '../util/rng.ts';
import englishWords from './english-words.json';

export type WordType = 'noun' | 'adjective' | 'verb' | 'name';
export const WORD_TYPES: readonly WordType[] = ['noun', 'adjective', 'verb', 'name'];

const ENGLISH = new Set<string>(englishWords as string[]);

/** True when `word` (any case) is in the shipped English list, or is a plural/verb form of one. */
export function isEnglishWord(word: string): boolean {
  const w = word.toLowerCase();
  if (ENGLISH.has(w)) return true;
  if (w.endsWith('s') && ENGLISH.has(w.slice(0, -1))) return true;
  if (w.endsWith('es') && ENGLISH.has(w.slice(0, -2))) return true;
  if (w.endsWith('y') && ENGLISH.has(w.slice(0, -1))) return true;
  return false;
}

const ONSETS = ['b', 'd', 'f', 'g', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'y', 'z',
  'bl', 'br', 'dr', 'fl', 'fr', 'gl', 'gr', 'kl', 'kr', 'pl', 'pr', 'sk', 'sl', 'sn', 'sp', 'st', 'tr', 'zw'];
const VOWELS = ['a', 'e', 'i', 'o', 'u'];
const CODAS = ['b', 'd', 'g', 'k', 'm', 'n', 'p', 't', 'x', 'ff', 'mp', 'nd', 'nk', 'rk', 'rn', 'rp', 'sk', 'lt', 'lk', 'ng', 'rb'];
const SIMPLE_ONSETS = ONSETS.filter((o) => o.length === 1);
const SIMPLE_CODAS = CODAS.filter((c) => c.length === 1);

function withinLength(w: string): boolean {
  return w.length >= 4 && w.length <= 5;
}

/** Every pronounceable shape once, in a fixed order: one syllable (glon, troff) or two (zolak). */
function buildCandidates(): { short: string[]; long: string[]; adjectives: string[] } {
  const short = new Set<string>();
  for (const o of ONSETS) for (const v of VOWELS) for (const c of CODAS) short.add(o + v + c);
  const long = new Set<string>();
  for (const o of SIMPLE_ONSETS) for (const v of VOWELS) for (const o2 of SIMPLE_ONSETS) for (const v2 of VOWELS) for (const c of SIMPLE_CODAS)
    long.add(o + v + o2 + v2 + c);
  // Adjectives end in -y like English ones ("rony", "glimpy"): onset + vowel + simple consonant + y.
  const adjectives = new Set<string>();
  for (const o of ONSETS) for (const v of VOWELS) for (const c of [...SIMPLE_CODAS, 'mp', 'nk', 'sk', 'ff'])
    adjectives.add(o + v + c + 'y');
  const keep = (w: string) => withinLength(w) && !isEnglishWord(w);
  return { short: [...short].filter(keep), long: [...long].filter(keep), adjectives: [...adjectives].filter(keep) };
}

let candidates: ReturnType<typeof buildCandidates> | undefined;
function allCandidates() {
  return (candidates ??= buildCandidates());
}

export interface LexiconOptions {
  /** Words never to use (e.g. the vocabulary of few-shot examples, or words taken by another part). */
  exclude?: Iterable<string>;
  /** When given with minTokens, only words whose tokenization has at least that many tokens are used. */
  tokenCount?: (word: string) => number;
  minTokens?: number;
}

/** Hands out distinct nonsense words by type; `used()` is what a dataset records as its lexicon. */
export class Lexicon {
  private readonly taken = new Set<string>();
  private readonly byType: Record<WordType, string[]> = { noun: [], adjective: [], verb: [], name: [] };
  private readonly pools: Record<'plain' | 'adjectives', string[]>;
  private readonly cursor = { plain: 0, adjectives: 0 };

  constructor(rng: Rng, private readonly options: LexiconOptions = {}) {
    for (const w of options.exclude ?? []) this.taken.add(w.toLowerCase());
    const { short, long, adjectives } = allCandidates();
    // Two one-syllable words for every two-syllable one: "glon" reads better than "zolak".
    const shortShuffled = rng.fork('short').shuffle(short);
    const longShuffled = rng.fork('long').shuffle(long);
    const plain: string[] = [];
    for (let i = 0; i < shortShuffled.length; i += 2) plain.push(...shortShuffled.slice(i, i + 2), longShuffled[i / 2]);
    this.pools = { plain, adjectives: rng.fork('adjectives').shuffle(adjectives) };
  }

  take(type: WordType): string {
    const pool = type === 'adjective' ? 'adjectives' : 'plain';
    const words = this.pools[pool];
    while (this.cursor[pool] < words.length) {
      const word = words[this.cursor[pool]++];
      if (this.taken.has(word)) continue;
      const shown = type === 'name' ? word[0].toUpperCase() + word.slice(1) : word;
      const { tokenCount, minTokens } = this.options;
      if (tokenCount && minTokens && tokenCount(shown) < minTokens) continue;
      this.taken.add(word);
      this.byType[type].push(shown);
      return shown;
    }
    throw new RangeError(`the lexicon ran out of ${type} words`);
  }

  takeMany(type: WordType, n: number): string[] {
    return Array.from({ length: n }, () => this.take(type));
  }

  /** Words handed out so far, by type (types with no words are left out). */
  used(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const type of WORD_TYPES) if (this.byType[type].length) out[`${type}s`] = this.byType[type].slice();
    return out;
  }
}
