import { describe, expect, it } from 'vitest';
import { serializeDataset } from '../../../src/data/format.ts';
import { generateDataset } from '../../../src/data/generate.ts';
import { sha256Hex } from '../../../src/util/hash.ts';
import { experimentKey } from '../../../src/experiment/piece-keys.ts';
import { learnSpec } from '../../../src/ui/learn/learn-spec.ts';

const model = { id: 'stories260K', dtype: 'fp32' } as const;
const dataset = generateDataset({ kind: 'reversal', seed: 7, params: { facts: 4 } });

describe("a Learn-step press's experiment", () => {
  it("keeps the dataset's seed: the runner regenerates exactly the page's dataset", async () => {
    const { spec, dataset: sent } = await learnSpec(dataset, model, { conditions: ['ft'], template: 'plain' });
    expect(spec.seeds).toEqual([7]);
    expect(spec.dataset).toEqual({ kind: 'reversal', preset: 'small', params: { facts: 4 } });
    expect(sent).toBeUndefined();
    const again = generateDataset({ kind: spec.dataset.kind, seed: spec.seeds[0], preset: spec.dataset.preset, params: spec.dataset.params });
    expect(serializeDataset(again)).toBe(serializeDataset(dataset));
    expect(spec.name).toBe('Simple reversals, seed 7: ft');
  });

  it('counts further seeds up from the dataset’s', async () => {
    expect((await learnSpec(dataset, model, { conditions: ['base'], template: 'plain', seeds: 3 })).spec.seeds).toEqual([7, 8, 9]);
  });

  it('names a dataset its generator does not make again by its content hash, and sends it along', async () => {
    const edited = { ...dataset, train: dataset.train.map((d, i) => (i === 0 ? { ...d, text: `${d.text} Really.` } : d)) };
    const { spec, dataset: sent } = await learnSpec(edited, model, { conditions: ['base', 'icl'], template: 'plain' });
    expect(spec.dataset.hash).toBe(await sha256Hex(serializeDataset(edited)));
    expect(spec.seeds).toEqual([7]);
    expect(sent).toBe(edited);
    await expect(learnSpec(edited, model, { conditions: ['base'], template: 'plain', seeds: 2 })).rejects.toThrow(/has one seed/);
  });

  it('gives the same press the same experiment, and a pruned review another', async () => {
    const a = await learnSpec(dataset, model, { conditions: ['ft+oracle'], template: 'plain' });
    const b = await learnSpec(dataset, model, { conditions: ['ft+oracle'], template: 'plain', prune: { oracle: [] } });
    const c = await learnSpec(dataset, model, { conditions: ['ft+oracle'], template: 'plain', prune: { oracle: [2] } });
    expect(await experimentKey(a.spec)).toBe(await experimentKey(b.spec));
    expect(await experimentKey(c.spec)).not.toBe(await experimentKey(a.spec));
  });
});
