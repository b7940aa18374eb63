/** What every kind's rules share: the training text they read, and how a derived sentence names its source. */
import type { Dataset } from '../../data/format.ts';
import type { AugmentedSentence } from '../augmentation.ts';
import { normalizeSentence, splitSentences } from '../sentences.ts';

/** All the oracle may read: never the test items, so nothing it writes can come from them. */
export type TrainingSide = Pick<Dataset, 'kind' | 'params' | 'lexicon' | 'train'>;

export const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * Collects derived sentences, each credited to the earliest training document (in training order) among
 * the documents stating its premises. A sentence is written once, and never when the training text already
 * has it: a copy would only repeat a trained fact, not teach an inference.
 */
export class SentenceWriter {
  readonly sentences: AugmentedSentence[] = [];
  private readonly order: Map<string, number>;
  private readonly seen: Set<string>;

  constructor(train: Dataset['train']) {
    this.order = new Map(train.map((doc, i) => [doc.id, i]));
    this.seen = new Set(train.flatMap((doc) => splitSentences(doc.text).map(normalizeSentence)));
  }

  /** Whether `text` would be new: neither written already nor in the training text. */
  isNew(text: string): boolean {
    return !this.seen.has(normalizeSentence(text));
  }

  /** Writes `text` if it is new; returns whether it did. */
  write(text: string, premiseDocs: Iterable<string>): boolean {
    if (!this.isNew(text)) return false;
    let source: string | undefined;
    for (const id of premiseDocs) if (source === undefined || this.order.get(id)! < this.order.get(source)!) source = id;
    if (source === undefined) throw new Error(`oracle: "${text}" has no source document`);
    this.seen.add(normalizeSentence(text));
    this.sentences.push({ text, source });
    return true;
  }
}
