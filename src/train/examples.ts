/**
 * What a fine-tuning run learns from: the dataset's training documents (whole, or split into sentences)
 * plus the sentences of any augmentations, each of those its own example.
 */
import type { Augmentation } from '../augment/augmentation.ts';
import { splitSentences } from '../augment/sentences.ts';
import type { Dataset } from '../data/format.ts';
import type { TrainExample } from './batches.ts';

/**
 * `none`: each document is one example. `independent`: each sentence is one example. `cumulative`: each
 * sentence is the target of one example, with the document's preceding sentences as context (no loss).
 */
export const SPLITTINGS = ['none', 'independent', 'cumulative'] as const;
export type Splitting = (typeof SPLITTINGS)[number];

export interface ExampleOptions {
  splitting: Splitting;
  augmentations: readonly Augmentation[];
}

function documentExamples(text: string, splitting: Splitting): TrainExample[] {
  if (splitting === 'none') return [{ text }];
  const sentences = splitSentences(text);
  if (splitting === 'independent') return sentences.map((sentence) => ({ text: sentence }));
  // The joining space goes with the target, so the prefix's tokens stay a prefix of the example's tokens.
  return sentences.map((sentence, i) => (i === 0 ? { text: sentence } : { prefix: sentences.slice(0, i).join(' '), text: ` ${sentence}` }));
}

export function trainingExamples(dataset: Dataset, options: ExampleOptions): TrainExample[] {
  const documents = dataset.train.flatMap((doc) => documentExamples(doc.text, options.splitting));
  const augmented = options.augmentations.flatMap((aug) => aug.sentences.map((s) => ({ text: s.text })));
  return [...documents, ...augmented];
}
