import { describe, expect, it } from 'vitest';
import { serializeDataset } from '../../src/data/format.ts';
import { coerceParam, generateDataset, KINDS, kindDefinition, ParamError, resolveParams } from '../../src/data/generate.ts';
import { PRESETS, type ParamSpec } from '../../src/data/kinds.ts';

const celebrity = kindDefinition('celebrity');
const spec = (name: string): ParamSpec => celebrity.params.find((s) => s.name === name)!;

describe('params resolution', () => {
  it('starts from the defaults, then applies the preset, and records the preset', () => {
    expect(resolveParams(celebrity, 'small')).toEqual({ preset: 'small', celebrities: 4, templates: 2, names: 'real' });
    expect(resolveParams(celebrity, 'paper')).toEqual({ preset: 'paper', celebrities: 30, templates: 30, names: 'real' });
  });

  it('lets overrides win over the preset', () => {
    expect(resolveParams(celebrity, 'small', { templates: 5, names: 'nonsense' })).toEqual({
      preset: 'small',
      celebrities: 4,
      templates: 5,
      names: 'nonsense',
    });
    expect(generateDataset({ kind: 'celebrity', seed: 0, params: { celebrities: 5 } }).params.celebrities).toBe(5);
  });

  it('checks every value against its spec, naming the parameter', () => {
    const bad = (overrides: Record<string, number | string | boolean>) => () => resolveParams(celebrity, 'small', overrides);
    expect(bad({ celebrities: 3 })).toThrow(new ParamError('celebrities: 3 is below the minimum 4'));
    expect(bad({ celebrities: 31 })).toThrow(new ParamError('celebrities: 31 is above the maximum 30'));
    expect(bad({ celebrities: 4.5 })).toThrow(new ParamError('celebrities: 4.5 is not an integer'));
    expect(bad({ templates: '3' })).toThrow(new ParamError('templates: "3" is not a number'));
    expect(bad({ templates: Number.NaN })).toThrow(/^templates: .* is not a number$/);
    expect(bad({ names: 'famous' })).toThrow(new ParamError('names: "famous" is not one of real, nonsense'));
    expect(bad({ names: true })).toThrow(ParamError);
  });

  it('rejects a parameter the kind does not have, and an unknown kind', () => {
    expect(() => resolveParams(celebrity, 'small', { facts: 3 })).toThrow(new ParamError('celebrity has no parameter "facts"'));
    expect(() => resolveParams(celebrity, 'small', { preset: 'paper' })).toThrow(ParamError);
    expect(() => kindDefinition('gossip')).toThrow(/^unknown dataset kind "gossip" \(one of: .*celebrity/);
    expect(() => generateDataset({ kind: 'gossip', seed: 0 })).toThrow(ParamError);
  });

  it('rejects a seed that is not an integer', () => {
    expect(() => generateDataset({ kind: 'celebrity', seed: 1.5 })).toThrow(new ParamError('seed must be an integer, got 1.5'));
  });

  it('turns form and flag strings into typed values', () => {
    expect(coerceParam(spec('templates'), '12')).toBe(12);
    expect(coerceParam(spec('names'), 'nonsense')).toBe('nonsense');
    expect(() => coerceParam(spec('templates'), '')).toThrow(new ParamError('templates: "" is not a number'));
    expect(() => coerceParam(spec('templates'), 'ten')).toThrow(ParamError);
    const flag: ParamSpec = { name: 'strict', type: 'bool', default: false, help: '' };
    expect([coerceParam(flag, 'true'), coerceParam(flag, '1'), coerceParam(flag, 'false'), coerceParam(flag, '0')]).toEqual([true, true, false, false]);
    expect(() => coerceParam(flag, 'yes')).toThrow(new ParamError('strict: "yes" is not true or false'));
  });
});

describe('registry', () => {
  it('has the five kinds, each named once', () => {
    expect(KINDS.map((k) => k.kind).sort()).toEqual(['celebrity', 'family', 'hierarchy', 'reversal', 'syllogism']);
  });

  for (const def of KINDS)
    describe(def.kind, () => {
      it('has presets and defaults that pass its own checks', () => {
        for (const preset of PRESETS) {
          for (const name of Object.keys(def.presets[preset])) expect(def.params.map((s) => s.name)).toContain(name);
          expect(() => resolveParams(def, preset)).not.toThrow();
        }
        for (const s of def.params) {
          expect(s.help.length).toBeGreaterThan(0);
          if (s.type === 'enum') expect(s.choices).toContain(s.default);
        }
      });

      it('generates a valid small dataset, only of declared splits, the same for the same seed', () => {
        const first = generateDataset({ kind: def.kind, seed: 11 });
        expect(serializeDataset(generateDataset({ kind: def.kind, seed: 11 }))).toBe(serializeDataset(first));
        expect(serializeDataset(generateDataset({ kind: def.kind, seed: 12 }))).not.toBe(serializeDataset(first));
        expect(first.kind).toBe(def.kind);
        for (const item of first.test) expect(Object.keys(def.splits)).toContain(item.split);
      });
    });
});
