import { describe, expect, it } from 'vitest';
import { CONDITION_NAMES, missingAugmentations } from '../../src/eval/conditions.ts';

describe('missingAugmentations', () => {
  it('names the augmentations a fine-tuned condition still needs, none for the others', () => {
    const none = {};
    expect(missingAugmentations('ft+local+global', none)).toEqual(['local', 'global']);
    expect(missingAugmentations('ft+local+global', { local: {} })).toEqual(['global']);
    expect(missingAugmentations('ft+oracle', { local: {}, global: {} })).toEqual(['oracle']);
    expect(missingAugmentations('ft+oracle', { oracle: {} })).toEqual([]);
    for (const c of ['base', 'icl', 'ft', 'ft-split'] as const) expect(missingAugmentations(c, none)).toEqual([]);
  });

  it('covers every condition', () => {
    expect(CONDITION_NAMES.filter((c) => missingAugmentations(c, {}).length > 0)).toEqual(['ft+local', 'ft+global', 'ft+local+global', 'ft+oracle']);
  });
});
