import { describe, expect, it } from 'vitest';
import { KINDS, generateDataset } from '../../src/data/generate.ts';
import { RESERVED_KEYS, datasetChoice, readUrlState, urlStateSearch, type UrlState } from '../../src/ui/url-state.ts';

describe('the URL state', () => {
  it('writes a readable query string and reads back the same state', () => {
    const state: UrlState = {
      dataset: { kind: 'reversal', preset: 'small', seed: 7, params: { facts: 4 } },
      model: { id: 'HuggingFaceTB/SmolLM2-135M-Instruct', dtype: 'q4' },
      experiment: { conditions: ['base', 'icl'], seeds: [1, 2], train: { epochs: 3 } },
    };
    const search = urlStateSearch(state);
    expect(search).toMatch(/^\?v=1&kind=reversal&preset=small&seed=7&facts=4&model=HuggingFaceTB%2FSmolLM2-135M-Instruct&dtype=q4&experiment=/);
    expect(readUrlState(search)).toEqual({ state, ignored: [] });
    expect(urlStateSearch({})).toBe('');
  });

  it('carries presentation mode as present=1, and ignores any other value of it', () => {
    expect(urlStateSearch({ present: true })).toBe('?v=1&present=1');
    expect(readUrlState('?present=1')).toEqual({ state: { present: true }, ignored: [] });
    expect(readUrlState('?present=yes')).toEqual({ state: {}, ignored: ['present "yes" (not 1)'] });
  });

  it('keeps what is valid and names each field it ignored', () => {
    const { state, ignored } = readUrlState('?kind=reversal&seed=abc&facts=100000&colour=blue&dtype=q8&experiment={"seeds":[1,1],"template":"plain"}');
    expect(state).toEqual({ dataset: { kind: 'reversal', preset: 'small', seed: 0, params: {} }, experiment: { template: 'plain' } });
    expect(ignored).toHaveLength(5);
    expect(ignored[0]).toBe('seed "abc" (not a whole number)');
    expect(ignored[1]).toMatch(/^facts "100000" \(.*maximum/);
    expect(ignored[2]).toBe('colour "blue" (reversal has no such parameter)');
    expect(ignored[3]).toBe('dtype "q8" (no model given)');
    expect(ignored[4]).toMatch(/^experiment setting "seeds" \(seeds: 1 is listed twice\)$/);
  });

  it('ignores training settings out of the shared bounds, as experiment files and the CLI do', () => {
    const { state, ignored } = readUrlState('?experiment={"train":{"clipNorm":-5}}');
    expect(state).toEqual({});
    expect(ignored).toEqual(['experiment setting "train" (train.clipNorm: must be positive, got -5)']);
    expect(readUrlState('?experiment={"train":{"epochs":1e12}}').ignored).toEqual(['experiment setting "train" (train.epochs: must be at most 1000, got 1000000000000)']);
  });

  it('drops a dataset whose kind it does not know, and a link from another version altogether', () => {
    expect(readUrlState('?kind=nope&seed=3&model=stories260K')).toEqual({
      state: { model: { id: 'stories260K', dtype: 'q8' } },
      ignored: [expect.stringMatching(/^kind "nope" \(not a dataset kind/), 'seed (the dataset kind is not understood)'],
    });
    expect(readUrlState('?v=2&kind=reversal')).toEqual({ state: {}, ignored: [expect.stringMatching(/^v "2" \(made by another version/)] });
    expect(readUrlState('?model=../../etc&experiment=[1]').ignored).toEqual(['model "../../etc" (not a model id)', 'experiment "[1]" (not a JSON object)']);
  });

  it('states a generated dataset by the parameters that differ from its preset', () => {
    const dataset = generateDataset({ kind: 'syllogism', seed: 3, preset: 'paper' });
    expect(datasetChoice(dataset)).toEqual({ kind: 'syllogism', preset: 'paper', seed: 3, params: {} });
    const changed = generateDataset({ kind: 'reversal', seed: 1, params: { facts: 6 } });
    expect(datasetChoice(changed)).toEqual({ kind: 'reversal', preset: 'small', seed: 1, params: { facts: 6 } });
  });

  it('has no kind parameter named like one of its own keys', () => {
    for (const def of KINDS) for (const spec of def.params) expect(RESERVED_KEYS.has(spec.name), `${def.kind}.${spec.name}`).toBe(false);
  });
});
