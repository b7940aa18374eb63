import { describe, expect, it } from 'vitest';
import { generateDataset, kindDefinition, KINDS } from '../../src/data/generate.ts';
import { binomialRegion, chanceRequired, runBattery, type BatteryRow } from './logic/shortcuts.ts';

const SEEDS = Array.from({ length: 100 }, (_, i) => i);
/** Two-sided level of the exact binomial acceptance region around chance. */
const ALPHA = 0.01;

const label = (r: BatteryRow) => `${r.split}: "${r.strategy}"`;
const beyondChance = (r: BatteryRow) => {
  const { lo, hi } = binomialRegion(r.n, r.chance, ALPHA);
  return r.correct < lo || r.correct > hi;
};

describe('trivial strategies score chance on every kind and split (100 seeds, small preset)', () => {
  for (const def of KINDS)
    it(def.kind, () => {
      const datasets = SEEDS.map((seed) => generateDataset({ kind: def.kind, seed }));
      const rows = runBattery(datasets, chanceRequired(def));
      expect(new Set(rows.map((r) => r.split))).toEqual(new Set(Object.keys(def.splits)));
      const outside = rows.filter((r) => r.required && beyondChance(r));
      const accuracies = outside.map((r) => `${r.split} "${r.strategy}" ${(r.correct / r.n).toFixed(3)} (chance ${r.chance.toFixed(3)}, ${r.n} items)`);
      expect(outside.map(label), accuracies.join('; ')).toEqual([]);
    });
});

describe('the battery', () => {
  it('catches association where there is some: celebrity reversal, whose answer shares its documents with the description', () => {
    const datasets = SEEDS.slice(0, 10).map((seed) => generateDataset({ kind: 'celebrity', seed }));
    const row = runBattery(datasets, chanceRequired(kindDefinition('celebrity'))).find((r) => r.split === 'reversal' && r.strategy === 'most documents with prompt and option words')!;
    expect(row.required).toBe(false);
    expect(beyondChance(row)).toBe(true);
    expect(row.correct / row.n).toBeGreaterThan(0.6);
  });

  it('catches options that are never the answer', () => {
    const ds = generateDataset({ kind: 'celebrity', seed: 1 });
    // One name that is only ever a distractor, in every reversal item: a liking for frequent options avoids it.
    const never = ' Zed Quill';
    const test = ds.test.map((t) => (t.split !== 'reversal' ? t : { ...t, options: t.options.map((o, i) => (i === (t.answer + 1) % 4 ? never : o)) }));
    const rows = runBattery([{ ...ds, test }], () => true).filter((r) => r.split === 'reversal');
    const frequent = rows.find((r) => r.strategy === 'most frequent option in split')!;
    expect(frequent.correct).toBe(0);
    expect(beyondChance(frequent)).toBe(true);
    expect(beyondChance(runBattery([ds], () => true).find((r) => r.split === 'reversal' && r.strategy === frequent.strategy)!)).toBe(false);
  });

  it('uses the exact binomial region: 24 items at 1/2 accept 6..18, 2,400 at 1/3 accept 741..860', () => {
    expect(binomialRegion(24, 0.5, 0.01)).toEqual({ lo: 6, hi: 18 });
    expect(binomialRegion(2400, 1 / 3, 0.01)).toEqual({ lo: 741, hi: 860 });
  });
});
