/**
 * The `glon.bundle/1` file: one experiment with everything it made — its record (spec included), datasets,
 * augmentations, adapters (safetensors as base64 beside their config and training), results, and their
 * summary — so it can move to another browser or machine. Import checks every part before it writes
 * anything (its format, and its key recomputed from its inputs: verify-keys.ts), then writes all of it in
 * one `putMany`: a bad file changes nothing and says what and where.
 * Training checkpoints and logs stay behind: they are scaffolding, not results.
 */
import { formatBytes } from '../util/bytes.ts';
import { z } from 'zod';
import { validateAugmentation } from '../augment/augmentation.ts';
import { FormatError, serializeDataset, summarizeIssues, validateDataset } from '../data/format.ts';
import { sha256Hex } from '../util/hash.ts';
import { conditionInfo } from '../eval/conditions.ts';
import { validateResult } from '../eval/result.ts';
import { MAX_KEY_LENGTH, type ExperimentRecord, type GlonStore, type StoreEntry, type StoreRecords } from './store.ts';
import { readAdapterTensors } from '../train/adapter-files.ts';
import { adapterTrainingSchema } from './adapter-record.ts';
import { parseExperimentSpec } from './spec.ts';
import { summarize, validateSummary, type Summary } from './summary.ts';
import { KeyMismatch, verifyPieceKeys } from './verify-keys.ts';

export const BUNDLE_FORMAT = 'glon.bundle/1';

/** A bundle is parsed whole in memory: past this a tab risks running out of it. */
export const BUNDLE_LIMITS = { maxBytes: 256 * 1024 * 1024 } as const;

type Piece = 'datasets' | 'augmentations' | 'adapters' | 'results';
const PIECES: readonly Piece[] = ['datasets', 'augmentations', 'adapters', 'results'];

export interface Bundle {
  format: typeof BUNDLE_FORMAT;
  exportedAt: string;
  experiment: ExperimentRecord;
  datasets: StoreRecords['datasets'][];
  augmentations: StoreRecords['augmentations'][];
  adapters: (Omit<StoreRecords['adapters'], 'weights'> & { /** adapter_model.safetensors, base64. */ weights: string })[];
  results: StoreRecords['results'][];
  /** Derived from the results, for a person reading the file; null before the first result. */
  summary: Summary | null;
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}


export async function exportBundle(store: GlonStore, experimentKey: string): Promise<string> {
  const experiment = await store.get('experiments', experimentKey);
  if (!experiment) throw new Error(`no experiment ${experimentKey.slice(0, 12)} in the store`);
  async function all<S extends Piece>(piece: S): Promise<StoreRecords[S][]> {
    return Promise.all(
      experiment![piece].map(async (key) => {
        const record = await store.get(piece, key);
        if (!record) throw new Error(`the experiment's ${piece} record ${key.slice(0, 12)} is missing from the store`);
        return record;
      }),
    );
  }
  const [datasets, augmentations, adapters, results] = await Promise.all([all('datasets'), all('augmentations'), all('adapters'), all('results')]);
  const bundle: Bundle = {
    format: BUNDLE_FORMAT,
    exportedAt: new Date().toISOString(),
    experiment,
    datasets,
    augmentations,
    adapters: adapters.map((a) => ({ ...a, weights: toBase64(a.weights) })),
    results,
    summary: results.length > 0 ? summarize(results.map((r) => r.result), { ceiling: (c) => conditionInfo(c).ceiling }) : null,
  };
  const text = JSON.stringify(bundle, null, 2) + '\n';
  if (text.length > BUNDLE_LIMITS.maxBytes)
    throw new Error(`the bundle would be ${formatBytes(text.length)}, more than the ${formatBytes(BUNDLE_LIMITS.maxBytes)} an import accepts`);
  return text;
}

const key = z.string().min(1).max(MAX_KEY_LENGTH);
const time = z.string().max(100);
const keys = z.array(key).max(100_000);

/** The envelope: what a record says about itself. Payloads (dataset, result, ...) go through their own validators. */
const bundleSchema = z.strictObject({
  format: z.literal(BUNDLE_FORMAT),
  exportedAt: time,
  experiment: z.strictObject({
    key,
    spec: z.unknown(),
    status: z.enum(['running', 'done', 'failed', 'cancelled']),
    stage: z.string().max(1000),
    results: keys,
    datasets: keys,
    augmentations: keys,
    adapters: keys,
    error: z.string().max(10_000).optional(),
    stopAfter: z.literal('augment').optional(),
    startedAt: time,
    updatedAt: time,
  }),
  datasets: z.array(z.strictObject({ key, dataset: z.unknown(), savedAt: time })),
  augmentations: z.array(z.strictObject({ key, augmentation: z.unknown(), savedAt: time })),
  adapters: z.array(
    z.strictObject({
      key,
      weights: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, { message: 'not base64' }),
      config: z.string().max(100_000),
      training: adapterTrainingSchema,
      savedAt: time,
    }),
  ),
  results: z.array(z.strictObject({ key, result: z.unknown(), savedAt: time })),
  summary: z.unknown(),
});

/** PEFT's LoRA tensor names: layer, module, factor. */
const LORA_TENSOR = /^base_model\.model\.model\.layers\.(\d+)\.(?:self_attn|mlp)\.(\w+)\.lora_([AB])\.weight$/;

/**
 * Checks an adapter's two files without the model they belong to (a bundle does not carry it): a LoRA
 * config, and a safetensors file of lora_A [r, in] / lora_B [out, r] pairs for the configured modules.
 * decodeAdapter checks the sizes against the model when the adapter is used.
 */
function checkAdapterFiles(weights: Uint8Array, configText: string): void {
  let config: { peft_type?: unknown; r?: unknown; target_modules?: unknown };
  try {
    config = JSON.parse(configText);
  } catch {
    throw new Error('config: adapter_config.json is not JSON');
  }
  const rank = config?.r;
  if (config?.peft_type !== 'LORA' || !Number.isInteger(rank) || (rank as number) < 1)
    throw new Error('config: adapter_config.json is not a LoRA config with a rank "r"');
  const targets = [config.target_modules].flat();
  const tensors = readAdapterTensors(weights);
  if (tensors.size === 0) throw new Error('weights: no tensors');
  const factors = new Set<string>();
  for (const [name, { shape }] of tensors) {
    const match = LORA_TENSOR.exec(name);
    if (!match) throw new Error(`weights: "${name.slice(0, 100)}" is not a PEFT LoRA tensor`);
    const [, layer, module, factor] = match;
    if (!targets.includes(module)) throw new Error(`weights: ${name} adapts ${module}, which adapter_config.json does not target`);
    if (shape.length !== 2 || shape[factor === 'A' ? 0 : 1] !== rank)
      throw new Error(`weights: ${name} has shape [${shape}], which does not fit rank ${rank}`);
    factors.add(`${layer}.${module}.${factor}`);
  }
  for (const factor of factors) {
    const [layer, module, ab] = factor.split('.');
    if (!factors.has(`${layer}.${module}.${ab === 'A' ? 'B' : 'A'}`)) throw new Error(`weights: layer ${layer} ${module} has lora_${ab} without its pair`);
  }
}

/** Runs a check, naming where in the bundle it failed. */
function at<T>(where: string, check: () => T): T {
  try {
    return check();
  } catch (err) {
    throw new FormatError(`invalid bundle: ${where}: ${(err as Error).message}`);
  }
}

export interface ImportedBundle {
  experiment: string;
  counts: Record<Piece, number>;
}

export async function importBundle(store: GlonStore, text: string): Promise<ImportedBundle> {
  if (text.length > BUNDLE_LIMITS.maxBytes)
    throw new FormatError(`file too large: ${formatBytes(text.length)} (limit ${formatBytes(BUNDLE_LIMITS.maxBytes)})`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new FormatError(`not JSON: ${(err as Error).message}`);
  }
  const format = (value as { format?: unknown } | null)?.format;
  if (typeof value !== 'object' || value === null || format !== BUNDLE_FORMAT)
    throw new FormatError(`not a glon bundle: expected "format": "${BUNDLE_FORMAT}"`);
  const parsed = bundleSchema.safeParse(value);
  if (!parsed.success) throw new FormatError(`invalid bundle: ${summarizeIssues(parsed.error.issues)}`);
  const bundle = parsed.data;

  const datasets: StoreRecords['datasets'][] = [];
  for (const [i, record] of bundle.datasets.entries()) {
    const dataset = at(`datasets[${i}].dataset`, () => validateDataset(record.dataset));
    // The key is the dataset's content hash: a dataset edited by hand no longer matches it.
    if ((await sha256Hex(serializeDataset(dataset))) !== record.key)
      throw new FormatError(`invalid bundle: datasets[${i}]: the dataset does not match its key (its content changed)`);
    datasets.push({ ...record, dataset });
  }
  const datasetKeys = new Set(datasets.map((d) => d.key));
  const knownDataset = (hash: string) => {
    if (!datasetKeys.has(hash)) throw new Error(`made from dataset ${hash.slice(0, 12)}, which the bundle does not carry`);
  };
  const augmentations = bundle.augmentations.map((record, i) => {
    const augmentation = at(`augmentations[${i}].augmentation`, () => validateAugmentation(record.augmentation));
    at(`augmentations[${i}]`, () => knownDataset(augmentation.dataset.hash));
    return { ...record, augmentation };
  });
  const results = bundle.results.map((record, i) => {
    const result = at(`results[${i}].result`, () => validateResult(record.result));
    at(`results[${i}]`, () => knownDataset(result.dataset.hash));
    return { ...record, result };
  });
  const adapters = bundle.adapters.map((record, i) => {
    const weights = at(`adapters[${i}].weights`, () => fromBase64(record.weights));
    at(`adapters[${i}]`, () => checkAdapterFiles(weights, record.config));
    return { ...record, weights };
  });
  const spec = at('experiment.spec', () => parseExperimentSpec(bundle.experiment.spec));
  const experiment: ExperimentRecord = { ...bundle.experiment, spec };
  try {
    await verifyPieceKeys(experiment, { datasets, augmentations, adapters, results });
  } catch (err) {
    if (err instanceof KeyMismatch) throw new FormatError(`invalid bundle: ${err.where}: ${err.message}`);
    throw err;
  }
  const carried: Record<Piece, { key: string }[]> = { datasets, augmentations, adapters, results };
  for (const piece of PIECES) {
    const listed = new Set(experiment[piece]);
    const present = new Set(carried[piece].map((r) => r.key));
    for (const k of listed) if (!present.has(k)) throw new FormatError(`invalid bundle: experiment.${piece} names ${k.slice(0, 12)}, which the bundle does not carry`);
    for (const k of present) if (!listed.has(k)) throw new FormatError(`invalid bundle: ${piece}: ${k.slice(0, 12)} is not part of the experiment`);
    if (present.size !== carried[piece].length) throw new FormatError(`invalid bundle: ${piece}: a key appears twice`);
  }
  if (bundle.summary !== null) at('summary', () => validateSummary(bundle.summary));

  const entries: StoreEntry[] = [
    ...datasets.map((record) => ({ store: 'datasets' as const, record })),
    ...augmentations.map((record) => ({ store: 'augmentations' as const, record })),
    ...adapters.map((record) => ({ store: 'adapters' as const, record })),
    ...results.map((record) => ({ store: 'results' as const, record })),
    { store: 'experiments', record: experiment },
  ];
  await store.putMany(entries);
  return { experiment: experiment.key, counts: { datasets: datasets.length, augmentations: augmentations.length, adapters: adapters.length, results: results.length } };
}
