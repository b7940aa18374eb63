import { describe, expect, it } from 'vitest';
import { FormatError } from '../../src/data/format.ts';
import { LOCAL_DEFAULTS, GLOBAL_DEFAULTS } from '../../src/augment/augmentation.ts';
import { TRAIN_DEFAULTS } from '../../src/train/settings.ts';
import { CANONICAL_STUDY, DEMO_EXPERIMENT, withModel } from '../../src/experiment/canonical.ts';
import { EXPERIMENT_FORMAT, parseExperimentSpec, readExperimentSpec, serializeExperimentSpec } from '../../src/experiment/spec.ts';

const minimal = { format: EXPERIMENT_FORMAT, dataset: { kind: 'reversal' }, model: { id: 'stories260K' }, conditions: ['base', 'ft'] };

function problem(value: unknown): string {
  try {
    parseExperimentSpec(value);
  } catch (err) {
    expect(err).toBeInstanceOf(FormatError);
    return (err as Error).message;
  }
  throw new Error('accepted a bad experiment');
}

describe('glon.experiment/1', () => {
  it('fills every default, so the stored spec says everything that was used', () => {
    const { seed: _, ...train } = TRAIN_DEFAULTS;
    expect(parseExperimentSpec(minimal)).toEqual({
      format: EXPERIMENT_FORMAT,
      name: 'reversal (small)',
      dataset: { kind: 'reversal', preset: 'small', params: {} },
      model: { id: 'stories260K', dtype: 'fp32' },
      conditions: ['base', 'ft'],
      seeds: [1],
      template: 'plain',
      train,
      splitting: 'independent',
      augment: { local: LOCAL_DEFAULTS, global: GLOBAL_DEFAULTS },
    });
  });

  it('keeps what is given and merges partial settings over the defaults', () => {
    const spec = parseExperimentSpec({
      ...minimal,
      dataset: { kind: 'syllogism', preset: 'paper', params: { items: 20 } },
      seeds: [3, 1],
      train: { epochs: 2, targets: ['q', 'v'] },
      augment: { local: { samples: 5 } },
    });
    expect(spec.dataset).toEqual({ kind: 'syllogism', preset: 'paper', params: { items: 20 } });
    expect(spec.seeds).toEqual([3, 1]);
    expect(spec.train).toMatchObject({ epochs: 2, targets: ['q', 'v'], learningRate: TRAIN_DEFAULTS.learningRate });
    expect(spec.augment.local).toEqual({ ...LOCAL_DEFAULTS, samples: 5 });
    // A filled spec reads back unchanged: its content key is stable.
    expect(readExperimentSpec(serializeExperimentSpec(spec))).toEqual(spec);
  });

  it('gives LoRA alpha as 2 x rank unless the file sets it', () => {
    expect(parseExperimentSpec({ ...minimal, train: { rank: 16 } }).train).toMatchObject({ rank: 16, alpha: 32 });
    expect(parseExperimentSpec({ ...minimal, train: { rank: 16, alpha: 16 } }).train).toMatchObject({ rank: 16, alpha: 16 });
  });

  it('keeps the sentences a student pruned, and leaves a spec without any as it was', () => {
    expect(parseExperimentSpec({ ...minimal, prune: { local: [3, 0] } }).prune).toEqual({ local: [3, 0] });
    // Empty lists are no pruning: the spec (and its content key) is the one without the field.
    expect(parseExperimentSpec({ ...minimal, prune: { local: [], oracle: [] } })).toEqual(parseExperimentSpec(minimal));
    expect(problem({ ...minimal, prune: { local: [1, 1] } })).toMatch(/prune\.local: sentence 1 is listed twice/);
    expect(problem({ ...minimal, prune: { local: [-1] } })).toMatch(/prune\.local\[0\]: /);
    expect(problem({ ...minimal, prune: { magic: [1] } })).toMatch(/prune/);
  });

  it('names a dataset no generator makes by its content hash, with one seed', () => {
    const hash = 'ab'.repeat(32);
    expect(parseExperimentSpec({ ...minimal, dataset: { kind: 'reversal', hash }, seeds: [4] }).dataset).toEqual({ kind: 'reversal', preset: 'small', params: {}, hash });
    expect(problem({ ...minimal, dataset: { kind: 'reversal', hash }, seeds: [1, 2] })).toMatch(/seeds: a dataset given by its hash is one dataset/);
    expect(problem({ ...minimal, dataset: { kind: 'reversal', hash: 'abc' } })).toMatch(/dataset\.hash: a SHA-256 content hash/);
  });

  it('names what is wrong and where', () => {
    expect(problem({ ...minimal, conditions: ['base', 'ft+magic'] })).toMatch(/conditions\[1\]: unknown condition "ft\+magic" \(one of: base, icl, ft/);
    expect(problem({ ...minimal, dataset: { kind: 'riddles' } })).toMatch(/dataset: unknown dataset kind "riddles" \(one of: reversal/);
    expect(problem({ ...minimal, dataset: { kind: 'reversal', params: { facts: 1 } } })).toMatch(/dataset: facts: 1 is below the minimum 2/);
    expect(problem({ ...minimal, template: 'fancy' })).toMatch(/template: unknown template "fancy" \(one of: plain, chat\)/);
    expect(problem({ ...minimal, train: { rank: 0 } })).toMatch(/train.rank: must be at least 1, got 0/);
    expect(problem({ ...minimal, train: { epoch: 3 } })).toMatch(/train: Unrecognized key: "epoch"/);
    expect(problem({ ...minimal, seeds: [1, 1] })).toMatch(/seeds: 1 is listed twice/);
    expect(problem({ ...minimal, conditions: [] })).toMatch(/conditions: /);
    expect(problem({ ...minimal, model: { id: 'm', dtype: 'int3' } })).toMatch(/model\.dtype: /);
    expect(problem({ ...minimal, format: 'glon.dataset/1' })).toMatch(/unknown format "glon.dataset\/1"/);
    expect(problem([])).toBe('not a glon experiment: expected a JSON object');
    expect(() => readExperimentSpec('{"format":')).toThrow(/^not JSON: /);
  });

  it('ships the canonical study and the demo as valid experiments', () => {
    expect(CANONICAL_STUDY.map((s) => s.dataset.kind)).toEqual(['reversal', 'syllogism', 'hierarchy', 'celebrity']);
    for (const spec of CANONICAL_STUDY) {
      expect(spec.conditions).toEqual(['base', 'icl', 'ft', 'ft+local', 'ft+global', 'ft+oracle']);
      // Five seeds: the fewest that give an interval for this kind of dataset (a t interval over seeds).
      expect(spec.seeds).toEqual([1, 2, 3, 4, 5]);
      expect(spec.model).toEqual({ id: 'stories260K', dtype: 'fp32' });
      expect(parseExperimentSpec(spec)).toEqual(spec);
    }
    expect(DEMO_EXPERIMENT).toMatchObject({ dataset: { kind: 'reversal', preset: 'small' }, seeds: [1], conditions: ['base', 'icl', 'ft', 'ft+local', 'ft+oracle'] });
    expect(withModel(DEMO_EXPERIMENT, 'SmolLM2-135M-Instruct', 'q8').model).toEqual({ id: 'SmolLM2-135M-Instruct', dtype: 'q8' });
  });
});
