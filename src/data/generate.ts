/** The registry of dataset kinds and the one entry point that turns (kind, seed, preset, params) into a dataset. */
import { DATASET_FORMAT, validateDataset, type Dataset, type ParamValue } from './format.ts';
import type { KindDefinition, ParamSpec, Params, Preset } from './kinds.ts';
import { Rng } from '../util/rng.ts';
import { reversal } from './reversal.ts';
import { syllogism } from './syllogism.ts';
import { hierarchy } from './hierarchy.ts';
import { family } from './family.ts';
import { celebrity } from './celebrity.ts';

export const KINDS: readonly KindDefinition[] = [reversal, syllogism, hierarchy, family, celebrity];

export class ParamError extends Error {
  override name = 'ParamError';
}

export function kindDefinition(kind: string): KindDefinition {
  const def = KINDS.find((k) => k.kind === kind);
  if (!def) throw new ParamError(`unknown dataset kind "${kind}" (one of: ${KINDS.map((k) => k.kind).join(', ')})`);
  return def;
}

/** The kind's title as the page shows it ("Simple reversals"), or its name for a kind not registered here. */
export const kindTitle = (kind: string): string => KINDS.find((k) => k.kind === kind)?.title ?? kind;

/** Parses a flag or form value (always a string there) into the spec's type. */
export function coerceParam(spec: ParamSpec, raw: string): ParamValue {
  switch (spec.type) {
    case 'int':
    case 'float': {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) throw new ParamError(`${spec.name}: "${raw}" is not a number`);
      return n;
    }
    case 'bool':
      if (raw === 'true' || raw === '1') return true;
      if (raw === 'false' || raw === '0') return false;
      throw new ParamError(`${spec.name}: "${raw}" is not true or false`);
    case 'enum':
      return raw;
  }
}

function checkParam(spec: ParamSpec, value: ParamValue): void {
  const fail = (why: string) => {
    throw new ParamError(`${spec.name}: ${JSON.stringify(value)} ${why}`);
  };
  if (spec.type === 'int' || spec.type === 'float') {
    if (typeof value !== 'number' || !Number.isFinite(value)) fail('is not a number');
    if (spec.type === 'int' && !Number.isInteger(value)) fail('is not an integer');
    if (spec.min !== undefined && (value as number) < spec.min) fail(`is below the minimum ${spec.min}`);
    if (spec.max !== undefined && (value as number) > spec.max) fail(`is above the maximum ${spec.max}`);
  } else if (spec.type === 'bool') {
    if (typeof value !== 'boolean') fail('is not true or false');
  } else if (!spec.choices?.includes(value as string)) {
    fail(`is not one of ${spec.choices?.join(', ')}`);
  }
}

/** Defaults, then the preset, then overrides; every value checked against its spec. */
export function resolveParams(def: KindDefinition, preset: Preset, overrides: Params = {}): Params {
  const params: Params = { preset };
  for (const spec of def.params) params[spec.name] = spec.default;
  Object.assign(params, def.presets[preset]);
  for (const [name, value] of Object.entries(overrides)) {
    if (!def.params.some((s) => s.name === name)) throw new ParamError(`${def.kind} has no parameter "${name}"`);
    params[name] = value;
  }
  for (const spec of def.params) checkParam(spec, params[spec.name]);
  return params;
}

export interface DatasetSpec {
  kind: string;
  seed: number;
  preset?: Preset;
  params?: Params;
}

export function generateDataset(spec: DatasetSpec): Dataset {
  const def = kindDefinition(spec.kind);
  if (!Number.isInteger(spec.seed)) throw new ParamError(`seed must be an integer, got ${spec.seed}`);
  const params = resolveParams(def, spec.preset ?? 'small', spec.params);
  const body = def.generate(params, new Rng(`${def.kind}/${spec.seed}`));
  // Validation here catches a generator bug (duplicate id, answer out of range) before anyone sees it.
  return validateDataset({ format: DATASET_FORMAT, kind: def.kind, seed: spec.seed, params, ...body });
}
