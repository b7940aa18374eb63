/**
 * The lab's setup in the page's query string, so a link reproduces it: the dataset spec (kind, preset,
 * seed, the parameters that differ from the preset), the model (id, dtype) and the experiment settings.
 * Readable on purpose (`?v=1&kind=reversal&seed=7&facts=4&model=stories260K&dtype=q8`): a student can
 * read and edit it. Reading keeps every field that is valid and lists the ones it ignored, so a mistyped
 * link still opens as much of the setup as it can.
 */
import { z } from 'zod';
import type { ParamValue } from '../data/format.ts';
import { KINDS, coerceParam, resolveParams } from '../data/generate.ts';
import { PRESETS, type KindDefinition, type Params, type Preset } from '../data/kinds.ts';
import type { Dataset } from '../data/format.ts';
import type { Dtype } from '../model/language-model.ts';
import { DTYPES } from '../model/dtypes.ts';
import { EXPERIMENT_FORMAT, parseExperimentSpec, type ExperimentSpec } from '../experiment/spec.ts';

export const URL_STATE_VERSION = 1;

export interface DatasetChoice {
  kind: string;
  preset: Preset;
  seed: number;
  /** Only the parameters that differ from the preset. */
  params: Params;
}

export interface ModelChoice {
  id: string;
  dtype: Dtype;
}

/** The experiment settings a link carries: any subset of an experiment's, checked by its own validator. */
export type ExperimentSettings = Partial<Pick<ExperimentSpec, 'conditions' | 'seeds' | 'template' | 'splitting'>> & {
  train?: Partial<ExperimentSpec['train']>;
  augment?: { local?: Partial<ExperimentSpec['augment']['local']>; global?: Partial<ExperimentSpec['augment']['global']> };
};

export interface UrlState {
  dataset?: DatasetChoice;
  model?: ModelChoice;
  experiment?: ExperimentSettings;
  /** Presentation mode (large type, no settings): a talk's link opens in it. */
  present?: boolean;
}

export interface ReadUrlState {
  state: UrlState;
  /** One phrase per ignored field, e.g. `seed "abc" (not a whole number)`. */
  ignored: string[];
}

const FIXED_KEYS = ['v', 'kind', 'preset', 'seed', 'model', 'dtype', 'experiment', 'present'] as const;
/** Kind parameters share the query string with the fixed keys (tests/ui/url-state.test.ts checks no name clashes). */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(FIXED_KEYS);

const MAX_EXPERIMENT_CHARS = 8000;

const fields = {
  v: z.literal(String(URL_STATE_VERSION), { error: `made by another version of glon (this one reads v=${URL_STATE_VERSION})` }),
  kind: z.enum(
    KINDS.map((k) => k.kind),
    { error: `not a dataset kind (${KINDS.map((k) => k.kind).join(', ')})` },
  ),
  preset: z.enum(PRESETS, { error: `not a preset (${PRESETS.join(', ')})` }),
  seed: z
    .string()
    .regex(/^-?\d{1,15}$/, { error: 'not a whole number' })
    .transform(Number),
  // A folder name or a hub id (owner/name): no other characters, so the id is safe in any path.
  model: z.string().max(200, { error: 'too long' }).regex(/^[\w.-]+(\/[\w.-]+)?$/, { error: 'not a model id' }),
  dtype: z.enum(DTYPES, { error: `not a dtype (${DTYPES.join(', ')})` }),
  present: z.literal('1', { error: 'not 1' }).transform(() => true),
  experiment: z
    .string()
    .max(MAX_EXPERIMENT_CHARS, { error: 'too long' })
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not JSON' });
        return z.NEVER;
      }
    })
    .pipe(z.record(z.string(), z.unknown(), { error: 'not a JSON object' })),
};

/** `key "value" (why)`, the value cut short so a long one cannot flood the notice. */
function describe(key: string, value: string, why: string): string {
  const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
  return `${key} "${shown}" (${why})`;
}

function firstMessage(error: z.ZodError): string {
  return error.issues[0]?.message ?? 'not valid';
}

/**
 * Each experiment setting is checked alone by the experiment format's own validator, with a placeholder
 * dataset, model and condition list standing in for the parts the link does not decide here.
 */
function checkExperiment(raw: Record<string, unknown>, ignored: string[]): ExperimentSettings | undefined {
  const settings: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    try {
      parseExperimentSpec({
        format: EXPERIMENT_FORMAT,
        dataset: { kind: KINDS[0].kind },
        model: { id: 'placeholder' },
        conditions: ['base'],
        [key]: value,
      });
      settings[key] = value;
    } catch (err) {
      ignored.push(`experiment setting "${key}" (${(err as Error).message.replace(/^invalid experiment: /, '')})`);
    }
  }
  return Object.keys(settings).length > 0 ? (settings as ExperimentSettings) : undefined;
}

function checkParam(def: KindDefinition, preset: Preset, name: string, raw: string): ParamValue {
  const spec = def.params.find((p) => p.name === name)!;
  const value = coerceParam(spec, raw);
  resolveParams(def, preset, { [name]: value }); // throws with the registry's message when out of range
  return value;
}

export function readUrlState(search: string): ReadUrlState {
  const query = new URLSearchParams(search);
  const ignored: string[] = [];
  const state: UrlState = {};
  const read = <K extends keyof typeof fields>(key: K): z.output<(typeof fields)[K]> | undefined => {
    const raw = query.get(key);
    if (raw === null) return undefined;
    const parsed = fields[key].safeParse(raw);
    if (parsed.success) return parsed.data as z.output<(typeof fields)[K]>;
    ignored.push(describe(key, raw, firstMessage(parsed.error)));
    return undefined;
  };

  // A link from another version is not guessed at: its fields may mean something else.
  if (query.has('v') && read('v') === undefined) return { state, ignored };

  const kind = read('kind');
  const paramKeys = [...query.keys()].filter((key) => !RESERVED_KEYS.has(key));
  if (kind !== undefined) {
    const def = KINDS.find((k) => k.kind === kind)!;
    const preset = read('preset') ?? 'small';
    const seed = read('seed') ?? 0;
    const params: Params = {};
    for (const name of paramKeys) {
      const raw = query.get(name)!;
      if (!def.params.some((p) => p.name === name)) {
        ignored.push(describe(name, raw, `${kind} has no such parameter`));
        continue;
      }
      try {
        params[name] = checkParam(def, preset, name, raw);
      } catch (err) {
        ignored.push(describe(name, raw, (err as Error).message.replace(`${name}: `, '')));
      }
    }
    state.dataset = { kind, preset, seed, params };
  } else if (query.has('kind') || query.has('preset') || query.has('seed') || paramKeys.length > 0) {
    // Without its kind, a seed or a parameter does not say which dataset the link meant.
    const rest = ['preset', 'seed', ...paramKeys].filter((key) => query.has(key));
    if (rest.length > 0) ignored.push(`${rest.join(', ')} (the dataset kind is ${query.has('kind') ? 'not understood' : 'missing'})`);
  }

  const model = read('model');
  const dtype = read('dtype');
  if (model !== undefined) state.model = { id: model, dtype: dtype ?? 'q8' };
  else if (dtype !== undefined) ignored.push(`dtype "${dtype}" (no model given)`);

  const experiment = read('experiment');
  if (experiment !== undefined) state.experiment = checkExperiment(experiment, ignored);
  if (state.experiment === undefined) delete state.experiment;
  if (read('present')) state.present = true;

  return { state, ignored };
}

/** The query string for a state ("" when there is nothing to say), keys in a fixed order. */
export function urlStateSearch(state: UrlState): string {
  const query = new URLSearchParams();
  if (state.dataset) {
    const { kind, preset, seed, params } = state.dataset;
    query.set('kind', kind);
    query.set('preset', preset);
    query.set('seed', String(seed));
    for (const [name, value] of Object.entries(params)) query.set(name, String(value));
  }
  if (state.model) {
    query.set('model', state.model.id);
    query.set('dtype', state.model.dtype);
  }
  if (state.experiment) query.set('experiment', JSON.stringify(state.experiment));
  if (state.present) query.set('present', '1');
  if ([...query.keys()].length === 0) return '';
  return `?v=${URL_STATE_VERSION}&${query.toString()}`;
}

/** How a dataset was made, as a link states it: undefined for a kind this version does not know. */
export function datasetChoice(dataset: Dataset): DatasetChoice | undefined {
  const def = KINDS.find((k) => k.kind === dataset.kind);
  const preset = PRESETS.find((p) => p === dataset.params.preset);
  if (!def || !preset) return undefined;
  const fromPreset = resolveParams(def, preset);
  const params = Object.fromEntries(def.params.filter((p) => dataset.params[p.name] !== undefined && dataset.params[p.name] !== fromPreset[p.name]).map((p) => [p.name, dataset.params[p.name]]));
  return { kind: def.kind, preset, seed: dataset.seed, params };
}
