import { describe, expect, it } from 'vitest';
import { PROBE_ALPHA, describeProbe, probeDataset, probeVerdict } from '../../src/eval/context-probe.ts';

/** Items as [right without the facts, right with them]. */
function items(pairs: Record<'both' | 'gained' | 'lost' | 'neither', number>): [boolean[], boolean[]] {
  const base: boolean[] = [];
  const icl: boolean[] = [];
  const add = (count: number, b: boolean, i: boolean) => {
    for (let k = 0; k < count; k++) base.push(b), icl.push(i);
  };
  add(pairs.both, true, true);
  add(pairs.gained, false, true);
  add(pairs.lost, true, false);
  add(pairs.neither, false, false);
  return [base, icl];
}

describe('the context probe rule (one-sided exact McNemar, alpha 0.05)', () => {
  it('says "uses" when the facts turn enough wrong answers right and none the other way', () => {
    // 5 gained, 0 lost: p = 1/32.
    const v = probeVerdict(...items({ both: 8, gained: 5, lost: 0, neither: 3 }));
    expect(v).toMatchObject({ n: 16, base: 8, icl: 13, gained: 5, lost: 0, uses: true, points: 31 });
    expect(v.p).toBeCloseTo(1 / 32, 12);
    expect(describeProbe(v)).toBe('uses facts in context: +31 points (13/16 right with the facts in context, 8/16 without; one-sided exact McNemar p = 0.031)');
  });

  it('says "does not" one discordant item short of the threshold', () => {
    // 4 gained, 0 lost: p = 1/16 > 0.05, though ICL is 25 points ahead.
    const v = probeVerdict(...items({ both: 4, gained: 4, lost: 0, neither: 8 }));
    expect(v.p).toBeCloseTo(1 / 16, 12);
    expect(v).toMatchObject({ uses: false, points: 25 });
    expect(describeProbe(v)).toBe(
      'does not use facts in context: expect ICL = base (+25 points, within chance: 8/16 right with the facts in context, 4/16 without; one-sided exact McNemar p = 0.063, not below 0.05)',
    );
  });

  it('weighs the items lost against those gained', () => {
    // 9 vs 1: p = 11/1024; 8 vs 2: p = 56/1024.
    const clear = probeVerdict(...items({ both: 2, gained: 9, lost: 1, neither: 4 }));
    expect(clear.p).toBeCloseTo(11 / 1024, 12);
    expect(clear.uses).toBe(true);
    const close = probeVerdict(...items({ both: 2, gained: 8, lost: 2, neither: 4 }));
    expect(close.p).toBeCloseTo(56 / 1024, 12);
    expect(close.uses).toBe(false);
  });

  it('says "does not" when the facts change nothing, or make it worse', () => {
    const same = probeVerdict(...items({ both: 8, gained: 0, lost: 0, neither: 8 }));
    expect(same).toMatchObject({ p: 1, uses: false, points: 0 });
    const worse = probeVerdict(...items({ both: 2, gained: 0, lost: 10, neither: 4 }));
    expect(worse).toMatchObject({ p: 1, uses: false, points: -62 });
    expect(PROBE_ALPHA).toBe(0.05);
  });

  it('refuses unpaired lists', () => {
    expect(() => probeVerdict([true, false], [true])).toThrow('the probe needs the same items in both conditions, got 2 and 1');
    expect(() => probeVerdict([], [])).toThrow();
  });
});

describe('the probe items', () => {
  it('are the 16 memorization questions of a fixed tiny reversal set, with one training line per fact', () => {
    const dataset = probeDataset();
    expect(dataset.train).toHaveLength(16);
    expect(dataset.test).toHaveLength(16);
    expect(new Set(dataset.test.map((item) => item.split))).toEqual(new Set(['memorization']));
    expect(probeDataset()).toEqual(dataset);
  });
});
