/**
 * The `glon.adapter/1` file `glon train` writes beside an adapter's PEFT files: the adapter's content key
 * (the key `glon run` and the page give the same training), the base model and dataset it was trained
 * from, and how the training went, so `glon eval` keys the results it scores with that adapter exactly as
 * an experiment keys them.
 */
import { z } from 'zod';
import { FormatError, parseJsonText, summarizeIssues } from '../data/format.ts';

export const ADAPTER_RECORD_FORMAT = 'glon.adapter/1';
export const ADAPTER_RECORD_FILE = 'glon-adapter.json';
export const ADAPTER_RECORD_MAX_BYTES = 1024 * 1024;

const hash = z.string().regex(/^[0-9a-f]{64}$/, { message: 'not a SHA-256 hex digest' });

/** How an adapter's training went, as the store and bundles keep it. */
export const adapterTrainingSchema = z.strictObject({
  status: z.enum(['done', 'cancelled']),
  steps: z.number().int().nonnegative(),
  totalSteps: z.number().int().nonnegative(),
  losses: z.array(z.number()),
  seconds: z.number().nonnegative(),
  device: z.string().max(100),
  examples: z.number().int().nonnegative(),
});

const recordSchema = z.strictObject({
  format: z.literal(ADAPTER_RECORD_FORMAT),
  key: hash,
  /** modelKey of the base model. */
  model: z.string().min(1).max(600),
  dataset: hash,
  training: adapterTrainingSchema,
});

export type AdapterRecord = z.infer<typeof recordSchema>;

export function parseAdapterRecord(source: string): AdapterRecord {
  const value = parseJsonText(source, ADAPTER_RECORD_MAX_BYTES);
  if ((value as { format?: unknown } | null)?.format !== ADAPTER_RECORD_FORMAT)
    throw new FormatError(`not a glon adapter record: expected "format": "${ADAPTER_RECORD_FORMAT}"`);
  const parsed = recordSchema.safeParse(value);
  if (!parsed.success) throw new FormatError(`invalid adapter record: ${summarizeIssues(parsed.error.issues)}`);
  return parsed.data;
}

export function serializeAdapterRecord(record: AdapterRecord): string {
  return JSON.stringify(record, null, 2) + '\n';
}
