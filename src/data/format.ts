/**
 * The `glon.dataset/2` file format: types, validation at the boundary, canonical serialization.
 * Anything read from outside (a file, an import in the page, IndexedDB) goes through `parseDataset`,
 * which never executes anything and reports the first problem in one line.
 */
import { z } from 'zod';
import { formatBytes } from '../util/bytes.ts';

export const DATASET_FORMAT = 'glon.dataset/2';
/**
 * Version 1 has the same fields; its celebrity, hierarchy and family items let trivial strategies (the most
 * frequent option, co-occurrence in training documents) beat chance. Such files still read, as what they are.
 */
export const OLDER_DATASET_FORMAT = 'glon.dataset/1';

/** Guards against files that would freeze a tab or exhaust memory. */
export const DATASET_LIMITS = {
  maxBytes: 64 * 1024 * 1024,
  maxString: 20_000,
  maxItems: 200_000,
  maxOptions: 16,
} as const;

const text = z.string().max(DATASET_LIMITS.maxString);
/** A document, prompt or option: a string that says something. */
const statement = text.refine((s) => s.trim() !== '', { error: 'is only whitespace' });
const id = z.string().min(1).max(200);

const trainDoc = z.strictObject({ id, text: statement });

const testItem = z
  .strictObject({
    id,
    split: z.string().min(1).max(100),
    prompt: statement,
    options: z.array(statement).min(2).max(DATASET_LIMITS.maxOptions),
    answer: z.number().int().nonnegative(),
    derivation: z.array(id).max(1000),
  })
  .refine((item) => item.answer < item.options.length, {
    message: 'answer is not an index into options',
    path: ['answer'],
  })
  .refine((item) => new Set(item.options).size === item.options.length, {
    message: 'options are not distinct',
    path: ['options'],
  });

const paramValue = z.union([z.string().max(200), z.number(), z.boolean()]);

const datasetSchema = z
  .strictObject({
    format: z.enum([DATASET_FORMAT, OLDER_DATASET_FORMAT]),
    kind: z.string().min(1).max(50),
    seed: z.number().int(),
    params: z.record(z.string().max(100), paramValue),
    lexicon: z.record(z.string().max(100), z.array(z.string().max(100)).max(DATASET_LIMITS.maxItems)),
    train: z.array(trainDoc).min(1).max(DATASET_LIMITS.maxItems),
    test: z.array(testItem).min(1).max(DATASET_LIMITS.maxItems),
  })
  .superRefine((ds, ctx) => {
    const trainIds = new Set<string>();
    ds.train.forEach((doc, i) => {
      if (trainIds.has(doc.id)) ctx.addIssue({ code: 'custom', message: `duplicate id "${doc.id}"`, path: ['train', i, 'id'] });
      trainIds.add(doc.id);
    });
    const testIds = new Set<string>();
    ds.test.forEach((item, i) => {
      if (testIds.has(item.id) || trainIds.has(item.id))
        ctx.addIssue({ code: 'custom', message: `duplicate id "${item.id}"`, path: ['test', i, 'id'] });
      testIds.add(item.id);
      item.derivation.forEach((ref, j) => {
        if (!trainIds.has(ref))
          ctx.addIssue({ code: 'custom', message: `derivation names "${ref}", which is not a train id`, path: ['test', i, 'derivation', j] });
      });
    });
  });

export type TrainDoc = z.infer<typeof trainDoc>;
export type TestItem = z.infer<typeof testItem>;
export type ParamValue = z.infer<typeof paramValue>;
export type Dataset = z.infer<typeof datasetSchema>;

export class FormatError extends Error {
  override name = 'FormatError';
}

/** "test[3].answer: answer is not an index into options" */
function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
    .join('');
  return where ? `${where}: ${issue.message}` : issue.message;
}

/** The first problem in one line, and how many more there are: every versioned format reports this way. */
export function summarizeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
  return `${describeIssue(issues[0])}${more}`;
}

/**
 * The first step of reading any glon file, in the CLI and the page alike: the size limit before a byte is
 * parsed, a leading byte-order mark dropped (some editors write one; a browser's File.text() drops it
 * too), then JSON.
 */
export function parseJsonText(source: string, maxBytes: number): unknown {
  if (source.length > maxBytes) throw new FormatError(`file too large: ${formatBytes(source.length)} (limit ${formatBytes(maxBytes)})`);
  try {
    return JSON.parse(source.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new FormatError(`not JSON: ${(err as Error).message}`);
  }
}

/** Validates an already-parsed JSON value as a dataset. */
export function validateDataset(value: unknown): Dataset {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new FormatError('not a glon dataset: expected a JSON object');
  const format = (value as { format?: unknown }).format;
  if (format !== DATASET_FORMAT && format !== OLDER_DATASET_FORMAT)
    throw new FormatError(
      format === undefined
        ? `not a glon dataset: no "format" field (expected "${DATASET_FORMAT}")`
        : `unknown format ${JSON.stringify(format).slice(0, 80)} (expected "${DATASET_FORMAT}")`,
    );
  const parsed = datasetSchema.safeParse(value);
  if (!parsed.success) throw new FormatError(`invalid dataset: ${summarizeIssues(parsed.error.issues)}`);
  return parsed.data;
}

/** Parses dataset text (a file's contents), checking size before anything else. */
export function parseDataset(source: string): Dataset {
  return validateDataset(parseJsonText(source, DATASET_LIMITS.maxBytes));
}

/** Canonical text of a dataset: same dataset, same bytes (key order is fixed by construction). */
export function serializeDataset(dataset: Dataset): string {
  return JSON.stringify(dataset, null, 2) + '\n';
}

/** The option as scored after its prompt: a space joins them unless one side already has whitespace there. */
export function continuation(prompt: string, option: string): string {
  return /\s$/.test(prompt) || /^\s/.test(option) ? option : ` ${option}`;
}

/** Number of test items per split, in first-seen order. */
export function countSplits(dataset: Pick<Dataset, 'test'>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of dataset.test) counts.set(item.split, (counts.get(item.split) ?? 0) + 1);
  return counts;
}
