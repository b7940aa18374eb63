import { describe, expect, it } from 'vitest';
import { DEMO_EXPERIMENT } from '../../src/experiment/canonical.ts';
import { panelExperiment, parseSeedList, type PanelChoices } from '../../src/ui/experiment/panel-spec.ts';

describe('parseSeedList', () => {
  it('reads whole numbers separated by commas or spaces, once each, in order', () => {
    expect(parseSeedList('1, 2')).toEqual([1, 2]);
    expect(parseSeedList(' 3 1,,3  -2 ')).toEqual([3, 1, -2]);
  });

  it('refuses an empty field and anything but whole numbers', () => {
    for (const text of ['', ' , ', '1, 2.5', '1, two', '1e400']) expect(parseSeedList(text)).toBeUndefined();
  });
});

describe('panelExperiment', () => {
  const choices: PanelChoices = {
    dataset: { kind: 'reversal', preset: 'small', seed: 9, params: { facts: 6 } },
    model: { id: 'stories260K', dtype: 'fp32' },
    conditions: ['base', 'ft'],
    seeds: [1, 2],
    template: 'plain',
    train: DEMO_EXPERIMENT.train,
    splitting: 'independent',
    augment: DEMO_EXPERIMENT.augment,
  };

  it("makes a checked spec named after the dataset's kind and preset, each seed its own dataset of that kind", () => {
    const { spec, problem } = panelExperiment(choices);
    expect(problem).toBeUndefined();
    expect(spec).toMatchObject({
      format: 'glon.experiment/1',
      name: 'Simple reversals (small)',
      dataset: { kind: 'reversal', preset: 'small', params: { facts: 6 } },
      model: { id: 'stories260K', dtype: 'fp32' },
      conditions: ['base', 'ft'],
      seeds: [1, 2],
    });
  });

  it('says in one line what keeps the settings from making an experiment', () => {
    expect(panelExperiment({ ...choices, seeds: undefined })).toEqual({ problem: 'Seeds: whole numbers separated by commas, such as "1, 2".' });
    expect(panelExperiment({ ...choices, conditions: [] })).toEqual({ problem: 'Choose at least one condition.' });
    expect(panelExperiment({ ...choices, train: { ...choices.train, epochs: 0 } }).problem).toMatch(/epochs/);
  });
});
