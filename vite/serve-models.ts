/**
 * Serves a models folder (GLON_MODELS_DIR, default `<repo>/models`) at `/models/` under `vite` and
 * `vite preview`, so the page loads models from its own origin exactly as the built app does (the build
 * embeds stories260K). A missing file is a plain 404, never the SPA's index.html, which a model loader
 * would otherwise try to parse as JSON.
 */
import { createReadStream, statSync } from 'node:fs';
import { extname, resolve, sep } from 'node:path';
import type { Connect, Plugin } from 'vite';

const CONTENT_TYPES: Record<string, string> = {
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
};

function modelsMiddleware(root: string): Connect.NextHandleFunction {
  return (req, res, next) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith('/models/') || (req.method !== 'GET' && req.method !== 'HEAD')) return next();
    let file: string;
    try {
      file = resolve(root, decodeURIComponent(url.pathname.slice('/models/'.length)));
    } catch {
      return next();
    }
    const size = file.startsWith(root + sep) ? statSync(file, { throwIfNoEntry: false }) : undefined;
    if (!size?.isFile()) {
      res.statusCode = 404;
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end(`no such model file: ${url.pathname}\n`);
      return;
    }
    res.setHeader('Content-Type', CONTENT_TYPES[extname(file)] ?? 'application/octet-stream');
    res.setHeader('Content-Length', size.size);
    res.setHeader('Cache-Control', 'no-cache');
    if (req.method === 'HEAD') return res.end();
    createReadStream(file).pipe(res);
  };
}

export function serveModels(dir: string): Plugin {
  const root = resolve(dir);
  return {
    name: 'glon:serve-models',
    // Registered directly (not in a returned hook) so it runs before Vite's own static and SPA handlers.
    configureServer(server) {
      server.middlewares.use(modelsMiddleware(root));
    },
    configurePreviewServer(server) {
      server.middlewares.use(modelsMiddleware(root));
    },
  };
}
