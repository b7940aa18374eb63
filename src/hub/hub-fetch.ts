/**
 * One hub file fetched whole, however often the connection drops: each retry asks with a Range request for
 * what is still missing. Shared by the page (bytes kept in memory, then cached) and `npm run models:fetch`
 * (bytes appended to FILE.part, which a later run continues).
 */
import { HubError, explainRefusal, hubFileUrl, optionalAbsent, type HubModel } from './hub.ts';

/** Where the bytes go. */
export interface ByteSink {
  /** Bytes already held, e.g. a .part left by an earlier run; asked for once, before the first request. */
  held(): Promise<number>;
  /** Drops what is held: the server sends the whole file again. */
  restart(): Promise<void>;
  write(chunk: Uint8Array): Promise<void>;
}

export interface FetchFileOptions {
  signal?: AbortSignal;
  headers?: Record<string, string>;
  /** Requests after the first, each after a dropped connection. */
  retries: number;
  retryWaitMs: number;
  /** What to tell the user when every retry failed ("run the same command again to resume"). */
  again: string;
  /** How to reach a gated or private model from here ("set HF_TOKEN to a token allowed to read it"). */
  gated: string;
  onProgress?: (loaded: number, total: number) => void;
}

const MB = (bytes: number) => (bytes / 1e6).toFixed(1);

function wait(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((done, fail) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), fail(signal.reason)), { once: true });
  });
}

/** The size of the whole file: content-range's total, else what is left plus what we have. */
function totalSize(response: Response, have: number): number {
  const range = response.headers.get('content-range')?.match(/\/(\d+)$/);
  if (range) return Number(range[1]);
  const length = response.headers.get('content-length');
  return length === null ? Number.NaN : have + Number(length);
}

async function request(url: string, from: number, options: FetchFileOptions, endpoint: string): Promise<Response | string> {
  try {
    return await fetch(url, { signal: options.signal, cache: 'no-store', headers: { ...options.headers, ...(from > 0 ? { Range: `bytes=${from}-` } : {}) } });
  } catch (err) {
    options.signal?.throwIfAborted();
    const cause = (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message;
    return `cannot reach ${endpoint} (${cause})`;
  }
}

/**
 * Fetches `file` of `model` into `sink`; returns the headers of the first answer, or null when an optional
 * file does not exist. Throws a HubError for a refusal, or when the file is still not whole after the retries.
 */
export async function fetchFile(model: HubModel, file: string, sink: ByteSink, options: FetchFileOptions): Promise<Headers | null> {
  const url = hubFileUrl(model, file);
  let got = await sink.held();
  let headers: Headers | undefined;
  let failure = '';
  let answered = false;
  for (let attempt = 0; attempt <= options.retries; attempt++) {
    if (attempt > 0) await wait(options.retryWaitMs * attempt, options.signal);
    let response = await request(url, got, options, model.endpoint);
    if (typeof response !== 'string' && response.status === 416) {
      // What is held is not a prefix of the file (it changed, or was already whole): start over.
      await sink.restart();
      got = 0;
      response = await request(url, 0, options, model.endpoint);
    }
    if (typeof response === 'string') {
      failure = response;
      continue;
    }
    answered = true;
    if (response.status !== 200 && response.status !== 206) {
      if (optionalAbsent(file, response)) return null;
      throw explainRefusal(model, file, response, options.gated);
    }
    if (response.status === 200 && got > 0) {
      // The server ignored the Range: the whole file follows.
      await sink.restart();
      got = 0;
    }
    headers ??= response.headers;
    const total = totalSize(response, got);
    const report = () => options.onProgress?.(got, Number.isNaN(total) ? got : total);
    report();
    try {
      const reader = response.body!.getReader();
      for (let read = await reader.read(); !read.done; read = await reader.read()) {
        await sink.write(read.value);
        got += read.value.length;
        report();
      }
    } catch (err) {
      options.signal?.throwIfAborted();
      failure = `the download broke off after ${MB(got)} MB (${(err as Error).message})`;
      continue;
    }
    if (Number.isNaN(total) || got === total) return headers;
    failure = `the download stopped at ${MB(got)} of ${MB(total)} MB`;
  }
  // A server that never answered is the problem, not this file.
  throw new HubError(answered ? `${file}: ${failure}; ${options.again}` : failure);
}
