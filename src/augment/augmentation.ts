/**
 * The `glon.augmentation/1` format: the sentences a model (or, for `oracle`, the dataset's own rules) wrote
 * about a dataset's training documents, with what produced them and what the filter dropped. Types,
 * validation at the boundary and canonical serialization, like src/data/format.ts for datasets.
 */
import { z } from 'zod';
import { FormatError, summarizeIssues, parseJsonText } from '../data/format.ts';
import { GLOBAL_PLACEHOLDERS, GLOBAL_PROMPT, LOCAL_PLACEHOLDERS, LOCAL_PROMPT, promptProblem } from './prompts.ts';

export const AUGMENTATION_FORMAT = 'glon.augmentation/1';

export const AUGMENT_MODES = ['local', 'global', 'oracle'] as const;
export type AugmentMode = (typeof AUGMENT_MODES)[number];

export const AUGMENTATION_LIMITS = {
  maxBytes: 64 * 1024 * 1024,
  maxPrompt: 20_000,
  maxSentence: 2_000,
  maxSentences: 500_000,
} as const;

const prompt = (names: readonly string[]) =>
  z
    .string()
    .max(AUGMENTATION_LIMITS.maxPrompt)
    .superRefine((text, ctx) => {
      const problem = promptProblem(text, names);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });

const sampling = {
  maxNewTokens: z.number().int().min(1).max(4096),
  /** 0: greedy. */
  temperature: z.number().min(0).max(10),
  /** 0: no top-k cut. */
  topK: z.number().int().min(0),
};

export const localSettingsSchema = z.strictObject({
  prompt: prompt(LOCAL_PLACEHOLDERS),
  /** Generations per training sentence. */
  samples: z.number().int().min(1).max(100),
  ...sampling,
});

export const globalSettingsSchema = z.strictObject({
  prompt: prompt(GLOBAL_PLACEHOLDERS),
  /** Generations per training document. */
  passes: z.number().int().min(1).max(100),
  ...sampling,
});

export type LocalSettings = z.infer<typeof localSettingsSchema>;
export type GlobalSettings = z.infer<typeof globalSettingsSchema>;
export type OracleSettings = Record<string, never>;
export type AugmentSettings = LocalSettings | GlobalSettings | OracleSettings;
interface SettingsOf {
  local: LocalSettings;
  global: GlobalSettings;
  oracle: OracleSettings;
}

/**
 * Chosen on stories260K (2 cores): sampling keeps several generations of one sentence from being copies;
 * 48 new tokens hold three or four short lines; the reproduce run pays these for 4 kinds x 2 seeds.
 */
export const LOCAL_DEFAULTS: LocalSettings = { prompt: LOCAL_PROMPT, samples: 2, maxNewTokens: 48, temperature: 0.7, topK: 40 };
export const GLOBAL_DEFAULTS: GlobalSettings = { prompt: GLOBAL_PROMPT, passes: 2, maxNewTokens: 64, temperature: 0.7, topK: 40 };

const sentence = z.strictObject({
  text: z.string().min(1).max(AUGMENTATION_LIMITS.maxSentence),
  /** Id of the training document it came from. */
  source: z.string().min(1).max(200),
});

const common = {
  format: z.literal(AUGMENTATION_FORMAT),
  dataset: z.strictObject({ kind: z.string().min(1).max(50), seed: z.number().int(), hash: z.string().regex(/^[0-9a-f]{64}$/) }),
  /** The generating model as `${id}@${dtype}`; null for oracle. */
  model: z.string().min(1).max(500).nullable(),
  /** Seed of every sampled generation and subsample. */
  seed: z.number().int(),
  sentences: z.array(sentence).max(AUGMENTATION_LIMITS.maxSentences),
  /** Reason -> number of candidate sentences the filter dropped for it. */
  dropped: z.record(z.string().min(1).max(100), z.number().int().nonnegative()),
  /** Sentences a student removed by hand. */
  pruned: z.number().int().nonnegative(),
  /** Plain-language remarks on how it was made (subsampled context, ...). */
  notes: z.array(z.string().max(2_000)).max(100),
  timing: z.strictObject({ started: z.string(), seconds: z.number().nonnegative() }),
};

const augmentationSchema = z.discriminatedUnion('mode', [
  z.strictObject({ ...common, mode: z.literal('local'), settings: localSettingsSchema }),
  z.strictObject({ ...common, mode: z.literal('global'), settings: globalSettingsSchema }),
  z
    .strictObject({ ...common, mode: z.literal('oracle'), settings: z.strictObject({}) })
    .refine((aug) => aug.model === null, { message: 'an oracle augmentation has no model', path: ['model'] }),
]);

export type AugmentedSentence = z.infer<typeof sentence>;
export type Augmentation = z.infer<typeof augmentationSchema>;

/** The settings of a mode, checked (an edited prompt must keep its placeholders); FormatError naming the problem. */
export function validateSettings<M extends AugmentMode>(mode: M, value: unknown): SettingsOf[M] {
  const schema = { local: localSettingsSchema, global: globalSettingsSchema, oracle: z.strictObject({}) }[mode];
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new FormatError(`invalid ${mode} settings: ${summarizeIssues(parsed.error.issues)}`);
  return parsed.data as SettingsOf[M];
}

export function validateAugmentation(value: unknown): Augmentation {
  const format = (value as { format?: unknown } | null)?.format;
  if (typeof value !== 'object' || value === null || format !== AUGMENTATION_FORMAT)
    throw new FormatError(`not a glon augmentation: expected "format": "${AUGMENTATION_FORMAT}"`);
  const parsed = augmentationSchema.safeParse(value);
  if (!parsed.success) throw new FormatError(`invalid augmentation: ${summarizeIssues(parsed.error.issues)}`);
  return parsed.data;
}

export function parseAugmentation(source: string): Augmentation {
  return validateAugmentation(parseJsonText(source, AUGMENTATION_LIMITS.maxBytes));
}

export function serializeAugmentation(augmentation: Augmentation): string {
  return JSON.stringify(augmentation, null, 2) + '\n';
}
