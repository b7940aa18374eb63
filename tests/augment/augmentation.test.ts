import { describe, expect, it } from 'vitest';
import { FormatError } from '../../src/data/format.ts';
import {
  GLOBAL_DEFAULTS,
  LOCAL_DEFAULTS,
  validateSettings,
  parseAugmentation,
  serializeAugmentation,
  validateAugmentation,
  type Augmentation,
} from '../../src/augment/augmentation.ts';
import { pruneAugmentation } from '../../src/augment/augment.ts';

const LOCAL: Augmentation = {
  format: 'glon.augmentation/1',
  mode: 'local',
  dataset: { kind: 'reversal', seed: 1, hash: 'ab'.repeat(32) },
  model: 'stories260K@fp32',
  seed: 1,
  settings: LOCAL_DEFAULTS,
  sentences: [
    { text: 'Flug are not as playful as drik.', source: 'f4-l1' },
    { text: 'Drik are more playful than glod.', source: 'f4-l2' },
    { text: 'Glod are less lively than drik.', source: 'f4-l2' },
  ],
  dropped: { 'no-dataset-word': 12, 'test-text': 2 },
  pruned: 0,
  notes: [],
  timing: { started: '2026-11-26T15:00:00.000Z', seconds: 6.5 },
};

const ORACLE: Augmentation = { ...LOCAL, mode: 'oracle', model: null, settings: {}, dropped: {} };

const broken = (base: Augmentation, change: (a: any) => void) => {
  const copy = structuredClone(base);
  change(copy);
  return copy;
};

describe('glon.augmentation/1', () => {
  it('round-trips through its canonical text', () => {
    expect(parseAugmentation(serializeAugmentation(LOCAL))).toEqual(LOCAL);
    expect(parseAugmentation(serializeAugmentation(ORACLE))).toEqual(ORACLE);
  });

  it('rejects what is not an augmentation, in one line naming the problem', () => {
    expect(() => parseAugmentation('{')).toThrow(FormatError);
    expect(() => validateAugmentation({ format: 'glon.dataset/1' })).toThrow('not a glon augmentation: expected "format": "glon.augmentation/1"');
    expect(() => validateAugmentation(broken(LOCAL, (a) => (a.mode = 'magic')))).toThrow(/^invalid augmentation: mode: /);
    expect(() => validateAugmentation(broken(LOCAL, (a) => (a.settings.prompt = 'no placeholder')))).toThrow(
      'invalid augmentation: settings.prompt: the prompt has no {sentence} placeholder (it needs {sentence})',
    );
    expect(() => validateAugmentation(broken(LOCAL, (a) => (a.settings = { ...a.settings, passes: 2 })))).toThrow(/settings: Unrecognized key/);
    expect(() => validateAugmentation(broken(LOCAL, (a) => (a.sentences[1].source = '')))).toThrow(/^invalid augmentation: sentences\[1\]\.source/);
    expect(() => validateAugmentation(broken(LOCAL, (a) => (a.dropped.duplicate = -1)))).toThrow(/dropped\.duplicate/);
    expect(() => validateAugmentation(broken(ORACLE, (a) => (a.model = 'stories260K@fp32')))).toThrow(
      'invalid augmentation: model: an oracle augmentation has no model',
    );
  });
});

describe('validateSettings', () => {
  it('accepts the defaults and names what is wrong with edited settings', () => {
    expect(validateSettings('local', LOCAL_DEFAULTS)).toEqual(LOCAL_DEFAULTS);
    expect(validateSettings('global', GLOBAL_DEFAULTS)).toEqual(GLOBAL_DEFAULTS);
    expect(() => validateSettings('global', { ...GLOBAL_DEFAULTS, passes: 0 })).toThrow(/^invalid global settings: passes: /);
    expect(() => validateSettings('global', { ...GLOBAL_DEFAULTS, prompt: 'Focus: {document}' })).toThrow(
      'invalid global settings: prompt: the prompt has no {documents} placeholder (it needs {documents}, {document})',
    );
    expect(() => validateSettings('oracle', LOCAL_DEFAULTS)).toThrow(/^invalid oracle settings: Unrecognized keys/);
  });
});

describe('pruneAugmentation', () => {
  it('removes the chosen sentences and counts them', () => {
    const once = pruneAugmentation(LOCAL, [0, 2]);
    expect(once.sentences).toEqual([LOCAL.sentences[1]]);
    expect(once.pruned).toBe(2);
    expect(pruneAugmentation(once, [0]).pruned).toBe(3);
    expect(LOCAL.sentences).toHaveLength(3);
    expect(validateAugmentation(once)).toEqual(once);
  });

  it('refuses an index that is not a sentence', () => {
    expect(() => pruneAugmentation(LOCAL, [3])).toThrow('cannot prune sentence 3: the augmentation has 3 sentences');
  });
});
