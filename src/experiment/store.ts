/**
 * Where everything a student makes is kept: one interface over IndexedDB in the page and worker
 * (idb-store.ts) and over a folder on disk for the CLI (folder-store.ts). Keys are content hashes of a
 * record's inputs (keys.ts), so the same inputs are never computed twice.
 */
import { formatBytes } from '../util/bytes.ts';
import type { Augmentation } from '../augment/augmentation.ts';
import type { Dataset } from '../data/format.ts';
import type { EvalResult } from '../eval/result.ts';
import type { ExperimentSpec } from './spec.ts';
import type { TrainCheckpoint } from '../train/trainer.ts';

/** Version of the stores' layout and record shapes; raise it (with a migration) whenever they change. */
export const SCHEMA_VERSION = 1;

export const STORE_NAMES = ['datasets', 'augmentations', 'adapters', 'checkpoints', 'experiments', 'results', 'logs'] as const;
export type StoreName = (typeof STORE_NAMES)[number];

/** Secondary keys the page looks records up by: store -> index name -> dotted path into the record. */
export const INDEXES = {
  augmentations: { dataset: 'augmentation.dataset.hash' },
  experiments: { status: 'status' },
  results: { dataset: 'result.dataset.hash' },
  logs: { experiment: 'experiment' },
} as const satisfies Partial<Record<StoreName, Record<string, string>>>;
export type IndexedStore = keyof typeof INDEXES;

export interface AdapterTraining {
  status: 'done' | 'cancelled';
  steps: number;
  totalSteps: number;
  losses: number[];
  seconds: number;
  device: string;
  examples: number;
}

export interface ExperimentRecord {
  key: string;
  spec: ExperimentSpec;
  status: 'running' | 'done' | 'failed' | 'cancelled';
  /** What it was doing last, for the "interrupted run" message. */
  stage: string;
  /** Keys of its results so far. */
  results: string[];
  /** Keys of the datasets, augmentations and adapters it made or reused: what its bundle carries. */
  datasets: string[];
  augmentations: string[];
  adapters: string[];
  error?: string;
  /** Set when the run makes only the datasets and augmentations (runner's stopAfter): a resume does the same. */
  stopAfter?: 'augment';
  startedAt: string;
  updatedAt: string;
}

export interface StoreRecords {
  datasets: { key: string; dataset: Dataset; savedAt: string };
  augmentations: { key: string; augmentation: Augmentation; savedAt: string };
  /** `weights` is adapter_model.safetensors, `config` adapter_config.json (src/train/adapter-files.ts). */
  adapters: { key: string; weights: Uint8Array; config: string; training: AdapterTraining; savedAt: string };
  /** Keyed by the key of the adapter being trained; deleted once that adapter is saved. */
  checkpoints: { key: string; checkpoint: TrainCheckpoint; savedAt: string };
  experiments: ExperimentRecord;
  results: { key: string; result: EvalResult; savedAt: string };
  logs: { key: string; experiment: string; at: string; level: 'info' | 'warn' | 'error'; message: string };
}

/** One record bound for one store, as `putMany` takes them. */
export type StoreEntry = { [S in StoreName]: { store: S; record: StoreRecords[S] } }[StoreName];

export interface GlonStore {
  get<S extends StoreName>(store: S, key: string): Promise<StoreRecords[S] | undefined>;
  put<S extends StoreName>(store: S, record: StoreRecords[S]): Promise<void>;
  /** All or nothing: an import writes every record or none. */
  putMany(entries: readonly StoreEntry[]): Promise<void>;
  delete(store: StoreName, key: string): Promise<void>;
  keys(store: StoreName): Promise<string[]>;
  /** Records whose indexed field (INDEXES) equals `value`, e.g. the experiments with status 'running'. */
  find<S extends IndexedStore>(store: S, index: keyof (typeof INDEXES)[S], value: string): Promise<StoreRecords[S][]>;
  /** Bytes used and available, when the platform says. */
  usage(): Promise<{ used: number; quota: number } | null>;
  close(): Promise<void>;
}

/** A write hit the storage quota; the write was abandoned whole, so what was saved before is intact. */
export class StoreFullError extends Error {
  override name = 'StoreFullError';
  constructor(readonly usage: { used: number; quota: number } | null) {
    const how = usage ? `${formatBytes(usage.used)} of ${formatBytes(usage.quota)} used` : 'no space left';
    super(`storage is full (${how}); nothing saved before was lost; delete or export old experiments to make room`);
  }
}

export const MAX_KEY_LENGTH = 128;

export function checkStoreName(store: string): void {
  if (!(STORE_NAMES as readonly string[]).includes(store)) throw new Error(`unknown store "${store}" (one of: ${STORE_NAMES.join(', ')})`);
}

/** Rejects a record both stores would otherwise mishandle: an unknown store or a key that is not a short string. */
export function checkEntry(store: string, record: unknown): void {
  checkStoreName(store);
  const key = (record as { key?: unknown } | null)?.key;
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH)
    throw new Error(`${store}: a record's key must be a string of 1 to ${MAX_KEY_LENGTH} characters, got ${JSON.stringify(key)?.slice(0, 80)}`);
}
