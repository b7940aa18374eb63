import { describe, expect, it } from 'vitest';
import { DEMO_EXPERIMENT } from '../../src/experiment/canonical.ts';
import { demoExperiment } from '../../src/ui/experiment/demo.ts';

describe("the Demo's experiment", () => {
  it("runs on the link's dataset of its kind, that dataset's seed included", () => {
    const spec = demoExperiment({}, { kind: 'reversal', preset: 'small', seed: 7, params: { facts: 4 } });
    expect(spec.seeds).toEqual([7]);
    expect(spec.dataset).toEqual({ kind: 'reversal', preset: 'small', params: { facts: 4 } });
    expect(demoExperiment({ seeds: [7, 8] }, { kind: 'reversal', preset: 'small', seed: 7, params: {} }).seeds).toEqual([7, 8]);
  });

  it('keeps its own dataset and seed when the link names another kind', () => {
    expect(demoExperiment({}, { kind: 'syllogism', preset: 'small', seed: 7, params: {} })).toEqual(DEMO_EXPERIMENT);
  });
});
