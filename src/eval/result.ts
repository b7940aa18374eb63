/**
 * The `glon.result/1` format: one evaluation of a dataset under a condition. Types, validation at the
 * boundary (files, IndexedDB, the worker) and canonical serialization, like src/data/format.ts for datasets.
 */
import { z } from 'zod';
import { FormatError, summarizeIssues, parseJsonText } from '../data/format.ts';
import { SCORING_RUNTIMES } from '../model/engines.ts';

/** Version 2: `ci` is the exact Clopper-Pearson interval (was a bootstrap), acc_norm divides by the option's own characters. */
export const RESULT_FORMAT = 'glon.result/2';

export const RESULT_LIMITS = { maxBytes: 256 * 1024 * 1024 } as const;

const probability = z.number().min(0).max(1);
const count = z.number().int().nonnegative();
const interval = z.tuple([probability, probability]).refine(([lo, hi]) => lo <= hi, { message: 'ci is not [lo, hi] with lo <= hi' });

/**
 * Correct answers under one decision rule (highest summed log-prob, or highest log-prob per character),
 * with the 95% Clopper-Pearson interval of the accuracy.
 */
const tally = z.strictObject({ correct: count, accuracy: probability, ci: interval });

const splitResult = z.strictObject({
  n: count,
  /**
   * Items whose score was not a finite number (absent when none): counted as wrong under both rules, so
   * accuracy stays over all n items and never credits a NaN.
   */
  unscored: count.optional(),
  /** Expected accuracy of uniform guessing: the mean of 1 / options. */
  chance: probability,
  ...tally.shape,
  /** acc_norm: the option with the highest log-prob per character. */
  normalized: tally,
});

const itemResult = z
  .strictObject({
    id: z.string().min(1),
    split: z.string().min(1),
    /** Summed log-prob (nats) of each option given the context and prompt; null where it was not finite. */
    logprobs: z.array(z.number().nullable()).min(2),
    /** Log-prob per character of each option; null where it was not finite. */
    normalized: z.array(z.number().nullable()).min(2),
    /** Number of scored tokens of each option. */
    tokens: z.array(count).min(2),
    /** The option picked by each rule; null when the item could not be scored. */
    chosen: count.nullable(),
    chosenNormalized: count.nullable(),
    answer: count,
    /** Set when a score was not finite (NaN or infinite): no option is picked, and the item counts as wrong. */
    unscored: z.literal(true).optional(),
  })
  .refine((item) => item.normalized.length === item.logprobs.length && item.tokens.length === item.logprobs.length, {
    message: 'logprobs, normalized and tokens differ in length',
  })
  .refine((item) => Math.max(item.chosen ?? 0, item.chosenNormalized ?? 0, item.answer) < item.logprobs.length, {
    message: 'chosen or answer is not an index into the options',
  })
  .refine(
    (item) =>
      item.unscored
        ? item.chosen === null && item.chosenNormalized === null && [...item.logprobs, ...item.normalized].includes(null)
        : item.chosen !== null && item.chosenNormalized !== null && ![...item.logprobs, ...item.normalized].includes(null),
    { message: 'an item is unscored (with chosen null) exactly when one of its scores is null' },
  );

const resultSchema = z
  .strictObject({
    format: z.literal(RESULT_FORMAT),
    dataset: z.strictObject({ kind: z.string().min(1), seed: z.number().int(), hash: z.string().regex(/^[0-9a-f]{64}$/) }),
    model: z.string().min(1),
    condition: z.string().min(1),
    device: z.enum(['webgpu', 'wasm', 'cpu']),
    dtype: z.enum(['fp32', 'fp16', 'q8', 'q4']),
    /** What scored it and the scorer's version (ENGINE_VERSIONS); absent in results made before it was recorded. */
    engine: z.strictObject({ runtime: z.enum(SCORING_RUNTIMES), scorer: count.min(1) }).optional(),
    template: z.string().min(1),
    /** Seed of the ICL subsample. */
    seed: z.number().int(),
    context: z.strictObject({
      /** Tokens of the shared context (training text and template), start token included. */
      tokens: count,
      /** Training documents in the context, when the condition puts them there. */
      documents: z.strictObject({ kept: count, total: count }).nullable(),
      /** Set when the training text was subsampled to fit the model's context. */
      subsampled: z.boolean(),
    }),
    /** Plain-language remarks on how the evaluation was run (subsampling, ...). */
    notes: z.array(z.string()),
    splits: z.record(z.string().min(1), splitResult),
    items: z.array(itemResult).min(1),
    timing: z.strictObject({ started: z.string(), seconds: z.number().nonnegative() }),
  })
  .superRefine((result, ctx) => {
    const perSplit = new Map<string, { n: number; unscored: number }>();
    for (const item of result.items) {
      const counts = perSplit.get(item.split) ?? { n: 0, unscored: 0 };
      counts.n++;
      if (item.unscored) counts.unscored++;
      perSplit.set(item.split, counts);
    }
    for (const [split, { n, unscored }] of perSplit) {
      if (result.splits[split]?.n !== n)
        ctx.addIssue({ code: 'custom', message: `split "${split}" has ${n} items but reports n = ${result.splits[split]?.n}`, path: ['splits', split] });
      else if ((result.splits[split].unscored ?? 0) !== unscored)
        ctx.addIssue({ code: 'custom', message: `split "${split}" has ${unscored} unscored items but reports ${result.splits[split].unscored ?? 0}`, path: ['splits', split] });
    }
  });

export type SplitResult = z.infer<typeof splitResult>;
export type ItemResult = z.infer<typeof itemResult>;
export type EvalResult = z.infer<typeof resultSchema>;

/** Items of a result that could not be scored (a non-finite log-prob). */
export function unscoredItems(result: EvalResult): number {
  return Object.values(result.splits).reduce((sum, split) => sum + (split.unscored ?? 0), 0);
}

export function validateResult(value: unknown): EvalResult {
  const format = (value as { format?: unknown } | null)?.format;
  if (typeof value !== 'object' || value === null || format !== RESULT_FORMAT)
    throw new FormatError(`not a glon result: expected "format": "${RESULT_FORMAT}"`);
  const parsed = resultSchema.safeParse(value);
  if (!parsed.success) throw new FormatError(`invalid result: ${summarizeIssues(parsed.error.issues)}`);
  return parsed.data;
}

export function parseResult(source: string): EvalResult {
  return validateResult(parseJsonText(source, RESULT_LIMITS.maxBytes));
}

export function serializeResult(result: EvalResult): string {
  return JSON.stringify(result, null, 2) + '\n';
}
