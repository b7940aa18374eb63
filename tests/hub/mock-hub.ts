/**
 * A local HTTP server that answers like the Hugging Face hub, for tests of the download paths (the page's
 * and `npm run models:fetch`) with no network: model folders served at /{owner}/{name}/resolve/{revision}/{file},
 * ONNX files redirected to a CDN path as the hub redirects LFS files, with the headers transformers.js and
 * the browser read (content-length, etag, accept-ranges, Range requests answered 206, CORS for a page of
 * another origin), 401 + x-error-code for an unknown repository and 404 for a missing file or revision.
 * A test can cut one response off mid-file, as a dropped connection would, and slow responses down.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface HubRequest {
  method: string;
  /** Decoded path, e.g. /glon-test/stories260K/resolve/main/config.json. */
  url: string;
  range?: string;
}

export interface MockHub {
  /** http://127.0.0.1:PORT, as HF_ENDPOINT or the page's hub address. */
  endpoint: string;
  /** Every request so far, in order; a test may empty it. */
  log: HubRequest[];
  /** The next GET of `file` of model `id` sends half of what it would, then drops the connection. */
  breakNext(id: string, file: string): void;
  /** Milliseconds to wait between 64 KiB chunks of every body (0: send at once). */
  delayMs: number;
  close(): Promise<void>;
}

const CHUNK = 64 * 1024;
const CORS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'content-length, content-range, accept-ranges, etag, x-error-code, x-repo-commit',
  'cross-origin-resource-policy': 'cross-origin',
};

/** `models` maps a hub id ("owner/name") to the folder whose files it serves. */
export async function startMockHub(models: Record<string, string>): Promise<MockHub> {
  const broken = new Set<string>();
  const hub: MockHub = {
    endpoint: '',
    log: [],
    delayMs: 0,
    breakNext: (id, file) => broken.add(`${id}/${file}`),
    close: () => new Promise<void>((done) => server.close(() => done())),
  };

  async function send(res: ServerResponse, body: Buffer, cut: boolean): Promise<void> {
    const end = cut ? Math.floor(body.length / 2) : body.length;
    for (let at = 0; at < end; at += CHUNK) {
      if (hub.delayMs > 0) await new Promise((wait) => setTimeout(wait, hub.delayMs));
      if (res.destroyed) return;
      await new Promise<void>((written) => res.write(body.subarray(at, Math.min(end, at + CHUNK)), () => written()));
    }
    if (cut) res.destroy();
    else res.end();
  }

  function serveFile(req: IncomingMessage, res: ServerResponse, id: string, file: string): void {
    const path = join(models[id], file);
    const whole = readFileSync(path);
    const etag = `"${createHash('sha256').update(whole).digest('hex')}"`;
    const range = req.headers.range?.match(/^bytes=(\d+)-(\d*)$/);
    const from = range ? Number(range[1]) : 0;
    const to = range && range[2] ? Math.min(Number(range[2]), whole.length - 1) : whole.length - 1;
    if (range && from >= whole.length) {
      res.writeHead(416, { ...CORS, 'content-range': `bytes */${whole.length}` }).end();
      return;
    }
    const headers = {
      ...CORS,
      'content-length': String(to - from + 1),
      'content-type': file.endsWith('.json') ? 'application/json' : 'application/octet-stream',
      'accept-ranges': 'bytes',
      etag,
    };
    if (range) res.writeHead(206, { ...headers, 'content-range': `bytes ${from}-${to}/${whole.length}` });
    else res.writeHead(200, headers);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    void send(res, whole.subarray(from, to + 1), req.method === 'GET' && broken.delete(`${id}/${file}`));
  }

  function answer(req: IncomingMessage, res: ServerResponse): void {
    const url = decodeURIComponent((req.url ?? '').split('?')[0]);
    hub.log.push({ method: req.method ?? 'GET', url, range: req.headers.range });
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { ...CORS, 'access-control-allow-methods': 'GET, HEAD', 'access-control-allow-headers': 'range, authorization, content-type' }).end();
      return;
    }
    const cdn = url.match(/^\/cdn\/([^/]+\/[^/]+)\/(.+)$/);
    if (cdn && models[cdn[1]] && existsSync(join(models[cdn[1]], cdn[2]))) return serveFile(req, res, cdn[1], cdn[2]);
    const match = url.match(/^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/);
    if (!match || !models[match[1]]) {
      res.writeHead(401, { ...CORS, 'x-error-code': 'RepoNotFound' }).end('Repository not found');
      return;
    }
    const [, id, revision, file] = match;
    if (revision !== 'main') {
      res.writeHead(404, { ...CORS, 'x-error-code': 'RevisionNotFound' }).end();
      return;
    }
    const path = join(models[id], file);
    if (file.split('/').includes('..') || !existsSync(path) || !statSync(path).isFile()) {
      res.writeHead(404, { ...CORS, 'x-error-code': 'EntryNotFound' }).end('Entry not found');
      return;
    }
    // The hub serves large (LFS) files from its CDN through a redirect.
    if (file.startsWith('onnx/')) {
      res.writeHead(302, { ...CORS, location: `/cdn/${id}/${file}` }).end();
      return;
    }
    serveFile(req, res, id, file);
  }

  const server = createServer(answer);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  hub.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return hub;
}
