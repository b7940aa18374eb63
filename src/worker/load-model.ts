/**
 * Loading a model into the worker: from the app's models/ folder, or from a hub into this browser's cache
 * first and then from there. The caller holds the model; `release` frees the one it held before.
 */
import { DTYPE_FILES } from '../model/dtypes.ts';
import { pickDevice } from '../model/device.ts';
import { hubFileUrl, type HubModel } from '../hub/hub.ts';
import { cacheSizer, downloadHubModel, openModelCache } from '../hub/hub-download.ts';
import type { LanguageModel } from '../model/language-model.ts';
import { loadModel } from '../runtime/load.ts';
import { ORT_WASM_PATHS } from '../runtime/ort-wasm-paths.ts';
import { indexSizer } from './models-index.ts';
import type { LoadSpec, LoadedModel } from './protocol.ts';
import { MODELS_PATH, localModels } from './served-models.ts';

/** A failure inside the model runtime, after which this worker cannot load models any more. */
export class RuntimeSpent extends Error {}

export interface HeldModel {
  model: LanguageModel;
  loaded: LoadedModel;
  /** Where the model's files are read from again for training: the cache of a hub download; absent for the app's models/ folder. */
  hub: HubModel | undefined;
}

export interface LoadOptions {
  signal: AbortSignal;
  onProgress: (progress: { file: string; loaded: number; total: number }) => void;
  /** Frees the model held so far, once the new one is known to be loadable: one model at a time. */
  release: () => Promise<void>;
}

export async function loadLabModel(spec: LoadSpec, { signal, onProgress, release }: LoadOptions): Promise<HeldModel> {
  const local = (await localModels()).find((m) => m.id === spec.id);
  const fromHub: HubModel | undefined = local ? undefined : { endpoint: spec.hub, id: spec.id, revision: 'main' };
  const cache = fromHub && (await openModelCache());
  if (cache && !spec.allowRemote && !(await cache.match(hubFileUrl(fromHub, DTYPE_FILES[spec.dtype]))))
    throw new Error(`${spec.id} (${spec.dtype}) is not in this app's models/ folder nor downloaded from ${spec.hub} into this browser: loading it from the hub needs "Allow network"`);
  // One model at a time: free the old one before the new one takes its memory.
  await release();
  // Anything the app does not serve comes from the hub into this browser's cache first, then loads from there.
  if (cache && spec.allowRemote) await downloadHubModel(fromHub, spec.dtype, cache, { signal, onProgress });
  const lm = await loadModel({
    id: spec.id,
    dtype: spec.dtype,
    allowRemote: false,
    device: await pickDevice(spec.preference),
    // transformers.js looks in its cache (where the download went, under the hub's URLs) before any folder.
    localModelPath: MODELS_PATH,
    ...(cache ? { remoteHost: `${fromHub.endpoint}/`, sizer: cacheSizer(cache, fromHub) } : { sizer: indexSizer(local!) }),
    wasmPaths: ORT_WASM_PATHS,
    signal,
    onProgress,
  }).catch((err: unknown) => {
    throw signal.aborted ? err : new RuntimeSpent((err as Error).message);
  });
  const loaded: LoadedModel = {
    id: lm.id,
    device: lm.device,
    dtype: lm.dtype,
    contextLength: lm.contextLength,
    chat: lm.applyChatTemplate([{ role: 'user', content: '' }]) !== undefined,
    local: local !== undefined,
  };
  return { model: lm, loaded, hub: fromHub };
}
