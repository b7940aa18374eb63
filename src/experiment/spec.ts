/**
 * The `glon.experiment/1` format: one reproducible study — a dataset spec, a model, the conditions, the
 * seeds and every setting that shapes a result. Optional fields get their defaults here, so the spec that
 * is stored (and whose content key names the experiment) always says everything that was used.
 */
import { z } from 'zod';
import { FormatError, summarizeIssues, type Dataset, type ParamValue, parseJsonText } from '../data/format.ts';
import { generateDataset, kindDefinition, resolveParams } from '../data/generate.ts';
import { PRESETS, type Preset } from '../data/kinds.ts';
import type { Dtype } from '../model/language-model.ts';
import { DTYPES } from '../model/dtypes.ts';
import {
  GLOBAL_DEFAULTS,
  LOCAL_DEFAULTS,
  globalSettingsSchema,
  localSettingsSchema,
  AUGMENT_MODES,
  type AugmentMode,
  type GlobalSettings,
  type LocalSettings,
} from '../augment/augmentation.ts';
import { CONDITIONS, type Condition } from '../eval/conditions.ts';
import { TEMPLATES } from '../eval/templates.ts';
import type { Splitting } from '../train/examples.ts';
import { resolveTrainSettings, trainSettingsSchema, type TrainSettings } from '../train/settings.ts';

export const EXPERIMENT_FORMAT = 'glon.experiment/1';

export const EXPERIMENT_LIMITS = { maxBytes: 1024 * 1024, maxSeeds: 100 } as const;

/** How `ft-split` may split documents (whole documents are what plain `ft` trains on). */
export const SENTENCE_SPLITTINGS = ['independent', 'cumulative'] as const satisfies readonly Splitting[];

export interface ExperimentSpec {
  format: typeof EXPERIMENT_FORMAT;
  name: string;
  /**
   * The dataset of each run seed s is generated with seed s; with `hash`, it is the dataset of that
   * content hash in the store instead (one not made by a generator, such as an imported file), and the
   * experiment has one seed.
   */
  dataset: { kind: string; preset: Preset; params: Record<string, ParamValue>; hash?: string };
  model: { id: string; dtype: Dtype };
  conditions: Condition[];
  /** Each seed s: dataset seed s, training seed s, augmentation seed s, evaluation seed s. */
  seeds: number[];
  template: string;
  train: TrainSettings;
  /** How `ft-split` splits the training documents into sentences. */
  splitting: (typeof SENTENCE_SPLITTINGS)[number];
  augment: { local: LocalSettings; global: GlobalSettings };
  /**
   * Sentences a student removed from an augmentation before fine-tuning, by index into its sentences
   * (the Learn step's review). Absent when none was: a spec without pruning keeps the key it always had.
   */
  prune?: Partial<Record<AugmentMode, number[]>>;
}

const specSchema = z.strictObject({
  format: z.literal(EXPERIMENT_FORMAT),
  name: z.string().min(1).max(200).optional(),
  dataset: z.strictObject({
    kind: z.string().min(1).max(50),
    preset: z.enum(PRESETS).default('small'),
    params: z.record(z.string().max(100), z.union([z.string().max(200), z.number(), z.boolean()])).default({}),
    hash: z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 content hash: 64 lowercase hex digits').optional(),
  }),
  model: z.strictObject({ id: z.string().min(1).max(500), dtype: z.enum(DTYPES).default('fp32') }),
  conditions: z.array(z.string().min(1).max(50)).min(1),
  seeds: z.array(z.number().int()).min(1).max(EXPERIMENT_LIMITS.maxSeeds).default([1]),
  template: z.string().min(1).max(50).default('plain'),
  train: trainSettingsSchema.partial().default({}),
  splitting: z.enum(SENTENCE_SPLITTINGS).default('independent'),
  augment: z
    .strictObject({ local: localSettingsSchema.partial().default({}), global: globalSettingsSchema.partial().default({}) })
    .default({ local: {}, global: {} }),
  prune: z.partialRecord(z.enum(AUGMENT_MODES), z.array(z.number().int().min(0)).max(100_000)).optional(),
});

function duplicate<T>(values: readonly T[]): T | undefined {
  return values.find((v, i) => values.indexOf(v) !== i);
}

/** Validates a parsed JSON value as an experiment and fills in every default. */
export function parseExperimentSpec(value: unknown): ExperimentSpec {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new FormatError('not a glon experiment: expected a JSON object');
  const format = (value as { format?: unknown }).format;
  if (format !== EXPERIMENT_FORMAT)
    throw new FormatError(
      format === undefined
        ? `not a glon experiment: no "format" field (expected "${EXPERIMENT_FORMAT}")`
        : `unknown format ${JSON.stringify(format).slice(0, 80)} (expected "${EXPERIMENT_FORMAT}")`,
    );
  const parsed = specSchema.safeParse(value);
  if (!parsed.success) throw new FormatError(`invalid experiment: ${summarizeIssues(parsed.error.issues)}`);
  const spec = parsed.data;
  const fail = (message: string): never => {
    throw new FormatError(`invalid experiment: ${message}`);
  };

  let def;
  try {
    def = kindDefinition(spec.dataset.kind);
    resolveParams(def, spec.dataset.preset, spec.dataset.params);
  } catch (err) {
    fail(`dataset: ${(err as Error).message}`);
  }
  spec.conditions.forEach((name, i) => {
    if (!Object.hasOwn(CONDITIONS, name)) fail(`conditions[${i}]: unknown condition "${name}" (one of: ${Object.keys(CONDITIONS).join(', ')})`);
  });
  const repeatedCondition = duplicate(spec.conditions);
  if (repeatedCondition !== undefined) fail(`conditions: "${repeatedCondition}" is listed twice`);
  if (spec.dataset.hash !== undefined && spec.seeds.length !== 1)
    fail(`seeds: a dataset given by its hash is one dataset, so the experiment has one seed (got ${spec.seeds.length})`);
  const repeatedSeed = duplicate(spec.seeds);
  if (repeatedSeed !== undefined) fail(`seeds: ${repeatedSeed} is listed twice`);
  if (!TEMPLATES.some((t) => t.name === spec.template))
    fail(`template: unknown template "${spec.template}" (one of: ${TEMPLATES.map((t) => t.name).join(', ')})`);

  const train = resolveTrainSettings(spec.train);
  const prune = Object.fromEntries(Object.entries(spec.prune ?? {}).filter(([, removed]) => removed.length > 0));
  for (const [mode, removed] of Object.entries(prune)) {
    const repeated = duplicate(removed);
    if (repeated !== undefined) fail(`prune.${mode}: sentence ${repeated} is listed twice`);
  }

  return {
    format: EXPERIMENT_FORMAT,
    name: spec.name ?? `${spec.dataset.kind} (${spec.dataset.preset})`,
    dataset: spec.dataset,
    model: spec.model,
    conditions: spec.conditions as Condition[],
    seeds: spec.seeds,
    template: spec.template,
    train,
    splitting: spec.splitting,
    augment: { local: { ...LOCAL_DEFAULTS, ...spec.augment.local }, global: { ...GLOBAL_DEFAULTS, ...spec.augment.global } },
    ...(Object.keys(prune).length > 0 ? { prune } : {}),
  };
}

/** Parses experiment text (a file's contents), checking size before anything else. */
export function readExperimentSpec(source: string): ExperimentSpec {
  return parseExperimentSpec(parseJsonText(source, EXPERIMENT_LIMITS.maxBytes));
}

/** The dataset of run seed `seed`: the spec's generator and parameters with that seed. */
export function seedDataset(spec: ExperimentSpec, seed: number): Dataset {
  return generateDataset({ kind: spec.dataset.kind, seed, preset: spec.dataset.preset, params: spec.dataset.params });
}

export function serializeExperimentSpec(spec: ExperimentSpec): string {
  return JSON.stringify(spec, null, 2) + '\n';
}
