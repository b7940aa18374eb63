import { expect, it } from 'vitest';
import { figureCaption } from '../../src/experiment/figure-caption.ts';

it('names the dataset, seeds, model and conditions a figure shows, and how to read it', () => {
  expect(
    figureCaption({
      kind: 'reversal',
      preset: 'small',
      params: { facts: 12 },
      model: 'models/stories260K',
      dtype: 'fp32',
      seeds: [1, 2],
      conditions: ['base', 'icl', 'ft+oracle (ceiling)'],
      rule: 'acc',
    }),
  ).toBe(
    'reversal dataset (small, facts 12), seeds 1, 2 · stories260K (fp32) · conditions: base, icl, ft+oracle (ceiling) · ' +
      'bars: accuracy (acc, mean over seeds); whiskers: 95% interval; dashed line: chance · glon',
  );
  expect(figureCaption({ kind: 'family', model: 'm', dtype: 'q8', seeds: [3], conditions: ['base'], rule: 'acc_norm' })).toBe(
    'family dataset, seed 3 · m (q8) · conditions: base · bars: accuracy (acc_norm); whiskers: 95% interval; dashed line: chance · glon',
  );
});
