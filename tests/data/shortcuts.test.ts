import { describe, expect, it } from 'vitest';
import { generateDataset, KINDS } from '../../src/data/generate.ts';
import { binomialRegion, runBattery, type BatteryRow } from './logic/shortcuts.ts';

const SEEDS = Array.from({ length: 100 }, (_, i) => i);
/** Each of ~20 strategies on ~10 splits is allowed a 1% chance of a false alarm under chance. */
const ALPHA = 0.01;

const describeRow = (r: BatteryRow) => `${r.kind} ${r.split}: "${r.strategy}" ${(r.correct / r.n).toFixed(3)} (chance ${r.chance.toFixed(3)}, ${r.n} items)`;

describe('trivial strategies score chance on every kind and split (100 seeds, small preset)', () => {
  for (const def of KINDS.filter((k) => ['reversal', 'syllogism', 'celebrity'].includes(k.kind)))
    it(def.kind, () => {
      const datasets = SEEDS.map((seed) => generateDataset({ kind: def.kind, seed }));
      const rows = runBattery(datasets, (split) => def.splits[split].generalization);
      expect(rows.filter((r) => r.required).length).toBeGreaterThan(10);
      const outside = rows.filter((r) => {
        const { lo, hi } = binomialRegion(r.n, r.chance, ALPHA);
        return r.required && (r.correct < lo || r.correct > hi);
      });
      expect(outside.map(describeRow)).toEqual([]);
    });
});

describe('the battery', () => {
  it('uses the exact binomial region: 24 items at 1/2 accept 6..18, 2,400 at 1/3 accept 741..860', () => {
    expect(binomialRegion(24, 0.5, 0.01)).toEqual({ lo: 6, hi: 18 });
    expect(binomialRegion(2400, 1 / 3, 0.01)).toEqual({ lo: 741, hi: 860 });
  });
});
