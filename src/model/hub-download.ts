/**
 * The page's way to get a model from the hub: every file a dtype needs is downloaded (with progress, and
 * resumed with a Range request when the connection drops) into the browser's Cache API, under the very URL
 * transformers.js looks up there first. A downloaded model then loads, scores and trains with the network
 * off, for good: nothing but the student's "delete site data" removes it.
 */
import type { PretrainedConfig } from '@huggingface/transformers';
import { CONFIG_FILES, DTYPES, DTYPE_FILES } from './dtypes.ts';
import { HubError, explainRefusal, hubFileUrl, optionalAbsent, type HubModel } from './hub.ts';
import type { Dtype } from './language-model.ts';
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

const MB = (bytes: number) => (bytes / 1e6).toFixed(1);

function wait(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((done, fail) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), fail(signal.reason)), { once: true });
  });
}

/** The size the server gives for the whole file: content-range's total, else what is left plus what we have. */
function totalSize(response: Response, have: number): number {
  const range = response.headers.get('content-range')?.match(/\/(\d+)$/);
  if (range) return Number(range[1]);
  const length = response.headers.get('content-length');
  return length === null ? Number.NaN : have + Number(length);
}

/** One file, whole, as a Response to cache; null for an optional file the model does not have. */
async function fetchWhole(model: HubModel, file: string, options: DownloadOptions): Promise<Response | null> {
  const { signal, onProgress } = options;
  const url = hubFileUrl(model, file);
  const chunks: Uint8Array[] = [];
  let got = 0;
  let total = Number.NaN;
  let first: Response | undefined;
  let failure = '';
  for (let attempt = 0; attempt <= RETRIES; attempt++) {
    if (attempt > 0) await wait(RETRY_WAIT_MS * attempt, signal);
    let response: Response;
    try {
      response = await fetch(url, { signal, cache: 'no-store', headers: got > 0 ? { Range: `bytes=${got}-` } : {} });
    } catch (err) {
      signal?.throwIfAborted();
      failure = `cannot reach ${model.endpoint} (${(err as Error).message})`;
      continue;
    }
    if (response.status === 200 && got > 0) {
      // The server ignored the Range: the whole file follows.
      chunks.length = 0;
      got = 0;
    } else if (response.status !== 200 && response.status !== 206) {
      if (optionalAbsent(file, response)) return null;
      throw explainRefusal(model, file, response);
    }
    first ??= response;
    total = totalSize(response, got);
    onProgress?.({ file, loaded: got, total: total || got });
    const reader = response.body!.getReader();
    try {
      for (let read = await reader.read(); !read.done; read = await reader.read()) {
        chunks.push(read.value);
        got += read.value.length;
        onProgress?.({ file, loaded: got, total: Number.isNaN(total) ? got : total });
      }
    } catch (err) {
      signal?.throwIfAborted();
      failure = `the download broke off after ${MB(got)} MB (${(err as Error).message})`;
      continue;
    }
    if (!Number.isNaN(total) && got !== total) {
      failure = `the download stopped at ${MB(got)} of ${MB(total)} MB`;
      continue;
    }
    const headers = new Headers({ 'content-length': String(got), 'content-type': first.headers.get('content-type') ?? 'application/octet-stream' });
    const etag = first.headers.get('etag');
    if (etag) headers.set('etag', etag);
    return new Response(new Blob(chunks as BlobPart[]), { status: 200, headers });
  }
  throw new HubError(`${file}: ${failure} ${RETRIES + 1} times; press Load again to resume`);
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
