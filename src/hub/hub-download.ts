/**
 * The page's way to get a model from the hub: every file a dtype needs is downloaded (with progress, and
 * resumed with a Range request when the connection drops) into the browser's Cache API, under the very URL
 * transformers.js looks up there first. A downloaded model then loads, scores and trains with the network
 * off for as long as the browser keeps this site's storage (persistent once the lab has been granted it).
 */
import type { PretrainedConfig } from '@huggingface/transformers';
import { CONFIG_FILES, DTYPES, DTYPE_FILES } from '../model/dtypes.ts';
import { HubError, hubFileUrl, type HubModel } from './hub.ts';
import { fetchFile, type ByteSink } from './hub-fetch.ts';
import type { Dtype } from '../model/language-model.ts';
import { hubFilesFor, type FileSizer } from './model-files.ts';

/** transformers.js's browser cache (env.cacheKey); the service worker keeps the app's own models there too. */
export const MODEL_CACHE = 'transformers-cache';
/** The cache downloads go to; it does not exist outside secure contexts (https, localhost), where nothing is downloaded. */
export async function openModelCache(): Promise<Cache> {
  if (typeof caches === 'undefined') throw new HubError('this page is not a secure context (https or localhost), so it has no cache to download models into');
  return caches.open(MODEL_CACHE);
}

/** Tries per file after a dropped connection, each resuming where the last one stopped. */
const RETRIES = 3;
const RETRY_WAIT_MS = 500;

export interface FileBytes {
  file: string;
  loaded: number;
  total: number;
}

export interface DownloadOptions {
  signal?: AbortSignal;
  onProgress?: (progress: FileBytes) => void;
}

/** One file, whole, as a Response to cache; null for an optional file the model does not have. */
async function fetchWhole(model: HubModel, file: string, options: DownloadOptions): Promise<Response | null> {
  const chunks: Uint8Array[] = [];
  const sink: ByteSink = {
    held: async () => 0,
    restart: async () => void (chunks.length = 0),
    write: async (chunk) => void chunks.push(chunk),
  };
  const first = await fetchFile(model, file, sink, {
    signal: options.signal,
    retries: RETRIES,
    retryWaitMs: RETRY_WAIT_MS,
    again: 'press Load again to download it',
    // The page sends no token: a model that needs one comes through the CLI into the app's models/ folder.
    gated: `download it into this app's models/ folder with npm run models:fetch -- ${model.id} and HF_TOKEN set`,
    onProgress: (loaded, total) => options.onProgress?.({ file, loaded, total }),
  });
  if (!first) return null;
  const body = new Blob(chunks as BlobPart[]);
  const headers = new Headers({ 'content-length': String(body.size), 'content-type': first.get('content-type') ?? 'application/octet-stream' });
  const etag = first.get('etag');
  if (etag) headers.set('etag', etag);
  return new Response(body, { status: 200, headers });
}

/**
 * Downloads what `dtype` needs into the cache, skipping files already there; returns the files it holds.
 * config.json comes first: it says which ONNX files (and external data) the dtype needs.
 */
export async function downloadHubModel(model: HubModel, dtype: Dtype, cache: Cache, options: DownloadOptions = {}): Promise<string[]> {
  const have = async (file: string) => (await cache.match(hubFileUrl(model, file))) !== undefined;
  const get = async (file: string): Promise<boolean> => {
    if (await have(file)) return true;
    const response = await fetchWhole(model, file, options);
    if (!response) return false;
    options.signal?.throwIfAborted();
    await cache.put(hubFileUrl(model, file), response);
    return true;
  };
  await get('config.json');
  const config = (await (await cache.match(hubFileUrl(model, 'config.json')))!.json()) as PretrainedConfig;
  const files: string[] = [];
  for (const file of await hubFilesFor(model.id, config, [dtype])) if (await get(file)) files.push(file);
  return files;
}

/** Sizes a downloaded model's files from the cache, without the network. */
export function cacheSizer(cache: Cache, model: HubModel): FileSizer {
  return async (file) => {
    const response = await cache.match(hubFileUrl(model, file));
    if (!response) return undefined;
    return Number(response.headers.get('content-length') ?? Number.NaN);
  };
}

/** A model in the cache, by the hub it came from, with each cached file's size. */
export interface CachedHubModel extends HubModel {
  files: Record<string, number>;
  /** The dtypes whose ONNX file and config and tokenizer are all there. */
  dtypes: Dtype[];
}

/** Every hub model with files in the cache, downloaded here or loaded by transformers.js itself. */
export async function cachedHubModels(cache: Cache): Promise<CachedHubModel[]> {
  const found = new Map<string, CachedHubModel>();
  for (const request of await cache.keys()) {
    const parts = request.url.match(/^(https?:\/\/.+?)\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/);
    if (!parts) continue;
    const [, endpoint, id, revision, path] = parts;
    const key = `${endpoint} ${id} ${revision}`;
    const model = found.get(key) ?? { endpoint, id, revision: decodeURIComponent(revision), files: {}, dtypes: [] };
    found.set(key, model);
    const response = await cache.match(request);
    model.files[path.split('/').map(decodeURIComponent).join('/')] = Number(response?.headers.get('content-length') ?? 0);
  }
  const models = [...found.values()];
  for (const model of models) {
    const complete = CONFIG_FILES.every((file) => file in model.files);
    model.dtypes = complete ? DTYPES.filter((dtype) => DTYPE_FILES[dtype] in model.files) : [];
  }
  return models.filter((model) => model.dtypes.length > 0);
}
