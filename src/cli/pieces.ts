/**
 * What `glon train`, `glon eval` and `glon augment` share to make their pieces as `glon run` makes them:
 * the --store option, a model's key, and an adapter folder's key, so the same inputs give the same keys
 * on every path.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { ADAPTER_RECORD_FILE, ADAPTER_RECORD_MAX_BYTES, parseAdapterRecord } from '../experiment/adapter-record.ts';
import { modelKey } from '../experiment/piece-keys.ts';
import type { Dtype } from '../model/language-model.ts';
import { openFolderStore } from '../store/folder-store.ts';
import { contentKey } from '../experiment/content-keys.ts';
import type { GlonStore } from '../experiment/store.ts';
import { ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE } from '../train/adapter-files.ts';
import { readFormatFile } from './io.ts';

export const STORE_OPTION = [
  '--store <dir>',
  'folder store, as glon run keeps one: a piece made before from the same inputs is read from it instead of made again, and what is made is kept there under the key glon run gives it (glon train also checkpoints there and resumes an interrupted run)',
] as const;

export function openStoreOption(dir: string | undefined): Promise<GlonStore | undefined> {
  return dir === undefined ? Promise.resolve(undefined) : openFolderStore(dir);
}

/** A model folder is named by its folder's name (as under glon run's --models), a hub model by its id. */
export function cliModelKey(model: string, dtype: Dtype): string {
  const dir = resolve(model);
  const id = existsSync(dir) && statSync(dir).isDirectory() ? basename(dir) : model;
  return modelKey({ model: { id, dtype } });
}

/**
 * The key glon train recorded for the adapter in `dir` (its training's inputs), or, for an adapter made
 * elsewhere or cancelled before its end, the content key of its two files.
 */
export async function adapterFolderKey(dir: string): Promise<string> {
  const recordPath = join(dir, ADAPTER_RECORD_FILE);
  if (existsSync(recordPath)) return (await readFormatFile(recordPath, ADAPTER_RECORD_MAX_BYTES, parseAdapterRecord)).key;
  const [weights, config] = await Promise.all([readFile(join(dir, ADAPTER_WEIGHTS_FILE)), readFile(join(dir, ADAPTER_CONFIG_FILE), 'utf8')]);
  return contentKey({ peft: { weights: new Uint8Array(weights), config } });
}
