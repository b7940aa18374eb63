import { describe, expect, it } from 'vitest';
import { parseResult, serializeResult, unscoredItems, validateResult, type EvalResult } from '../../src/eval/result.ts';
import { FormatError } from '../../src/data/format.ts';

const item = (id: string, split: string, chosen: number, answer: number) => ({
  id,
  split,
  logprobs: [-3, -4],
  normalized: [-0.3, -0.5],
  tokens: [3, 4],
  chosen,
  chosenNormalized: chosen,
  answer,
});

const RESULT: EvalResult = {
  format: 'glon.result/2',
  dataset: { kind: 'reversal', seed: 1, hash: 'ab'.repeat(32) },
  model: 'stories260K',
  condition: 'base',
  device: 'cpu',
  dtype: 'fp32',
  template: 'plain',
  seed: 0,
  context: { tokens: 1, documents: null, subsampled: false },
  notes: [],
  splits: {
    reversal: { n: 2, chance: 0.5, correct: 1, accuracy: 0.5, ci: [0, 1], normalized: { correct: 1, accuracy: 0.5, ci: [0, 1] } },
  },
  items: [item('r1', 'reversal', 0, 0), item('r2', 'reversal', 0, 1)],
  timing: { started: '2026-11-26T15:00:00.000Z', seconds: 1.5 },
};

const broken = (change: (r: any) => void) => {
  const copy = structuredClone(RESULT);
  change(copy);
  return copy;
};

describe('glon.result/2', () => {
  it('round-trips through its canonical text', () => {
    expect(parseResult(serializeResult(RESULT))).toEqual(RESULT);
  });

  it('rejects what is not a result, in one line naming the problem', () => {
    expect(() => parseResult('{')).toThrow(FormatError);
    expect(() => validateResult({ format: 'glon.dataset/1' })).toThrow('not a glon result: expected "format": "glon.result/2"');
    expect(() => validateResult(broken((r) => (r.items[1].chosen = 2)))).toThrow(
      'invalid result: items[1]: chosen or answer is not an index into the options',
    );
    expect(() => validateResult(broken((r) => (r.splits.reversal.n = 3)))).toThrow('split "reversal" has 2 items but reports n = 3');
    expect(() => validateResult(broken((r) => (r.splits.reversal.ci = [0.8, 0.2])))).toThrow('ci is not [lo, hi] with lo <= hi');
    expect(() => validateResult(broken((r) => (r.items[0].tokens = [3, 4, 5])))).toThrow('logprobs, normalized and tokens differ in length');
    expect(() => validateResult(broken((r) => (r.dataset.hash = 'xyz')))).toThrow(/dataset\.hash/);
  });

  /** r2 could not be scored: its log-probs were NaN, which JSON writes as null. */
  const withUnscored = () =>
    broken((r) => {
      Object.assign(r.items[1], { logprobs: [null, -4], normalized: [null, -0.5], chosen: null, chosenNormalized: null, unscored: true });
      Object.assign(r.splits.reversal, { unscored: 1 });
    });

  it('keeps items that could not be scored, marked, and their count per split', () => {
    const result = withUnscored();
    expect(parseResult(serializeResult(result))).toEqual(result);
    expect(unscoredItems(result)).toBe(1);
    expect(unscoredItems(RESULT)).toBe(0);
  });

  it('rejects an unscored item or count that does not add up', () => {
    const change = (edit: (r: any) => void) => () => {
      const r = withUnscored();
      edit(r);
      return validateResult(r);
    };
    const marking = 'an item is unscored (with chosen null) exactly when one of its scores is null';
    expect(change((r) => (r.items[1].chosen = 0))).toThrow(marking);
    expect(change((r) => delete r.items[1].unscored)).toThrow(marking);
    expect(change((r) => (r.items[0].logprobs[0] = null))).toThrow(marking);
    expect(change((r) => (r.splits.reversal.unscored = 0))).toThrow('split "reversal" has 1 unscored items but reports 0');
    expect(change((r) => delete r.splits.reversal.unscored)).toThrow('split "reversal" has 1 unscored items but reports 0');
  });

  it('records the engine that scored it, and still reads results made before it did', () => {
    const scored = { ...RESULT, engine: { runtime: 'jax-js' as const, scorer: 1 } };
    expect(parseResult(serializeResult(scored)).engine).toEqual({ runtime: 'jax-js', scorer: 1 });
    expect(validateResult(RESULT).engine).toBeUndefined();
    expect(() => validateResult({ ...RESULT, engine: { runtime: 'tensorflow', scorer: 1 } })).toThrow(/^invalid result: engine\.runtime: /);
    expect(() => validateResult({ ...RESULT, engine: { runtime: 'jax-js', scorer: 0 } })).toThrow(/^invalid result: engine\.scorer: /);
  });
});
