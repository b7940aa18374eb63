import { describe, expect, it } from 'vitest';
import type { Augmentation } from '../../src/augment/augmentation.ts';
import type { Dataset } from '../../src/data/format.ts';
import { tokenizeExamples } from '../../src/train/batches.ts';
import { trainingExamples } from '../../src/train/examples.ts';

const dataset = {
  train: [
    { id: 'a', text: 'Wugs are big. Daxes are small.' },
    { id: 'b', text: 'Blicks can fly.' },
  ],
} as Dataset;
const augmentation = { sentences: [{ text: 'Small are the daxes.', source: 'a' }] } as Augmentation;

describe('trainingExamples', () => {
  it('keeps whole documents and adds each augmented sentence as its own example', () => {
    expect(trainingExamples(dataset, { splitting: 'none', augmentations: [augmentation] })).toEqual([
      { text: 'Wugs are big. Daxes are small.' },
      { text: 'Blicks can fly.' },
      { text: 'Small are the daxes.' },
    ]);
  });

  it('splits documents into independent sentences', () => {
    expect(trainingExamples(dataset, { splitting: 'independent', augmentations: [] })).toEqual([
      { text: 'Wugs are big.' },
      { text: 'Daxes are small.' },
      { text: 'Blicks can fly.' },
    ]);
  });

  it('gives each cumulative sentence the preceding ones as loss-free context', () => {
    const examples = trainingExamples(dataset, { splitting: 'cumulative', augmentations: [] });
    expect(examples).toEqual([{ text: 'Wugs are big.' }, { prefix: 'Wugs are big.', text: ' Daxes are small.' }, { text: 'Blicks can fly.' }]);
    // The loss starts right after the prefix: with one token per character, at the joining space.
    const chars = { encode: (text: string) => [0, ...[...text].map((c) => c.charCodeAt(0))] };
    const [, second] = tokenizeExamples(examples, chars, 100);
    expect(second.lossFrom).toBe(1 + 'Wugs are big.'.length);
  });
});
