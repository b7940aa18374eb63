/**
 * Serves a models folder (GLON_MODELS_DIR, default `<repo>/models`) at `/models/` under `vite` and
 * `vite preview`, so the page loads models from its own origin exactly as the built app does (the build
 * embeds stories260K). A missing file is a plain 404, never the SPA's index.html, which a model loader
 * would otherwise try to parse as JSON. `/models/index.json` lists the model folders being served; the
 * build writes the same list for the models it embeds.
 */
import { createReadStream, readdirSync, statSync, writeFileSync } from 'node:fs';
import { extname, join, relative, resolve, sep } from 'node:path';
import type { Connect, Plugin, ResolvedConfig } from 'vite';
import { MODELS_INDEX_FILE, MODELS_INDEX_FORMAT, type LocalModelFiles, type ModelsIndex } from '../src/worker/models-index.ts';

const CONTENT_TYPES: Record<string, string> = {
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'));
}

/** Model folders are the ones holding a config.json: `<name>/` or, for hub ids, `<owner>/<name>/`. */
export function modelsIndex(root: string): ModelsIndex {
  const models: LocalModelFiles[] = [];
  const visit = (dir: string, depth: number) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const folder = join(dir, entry.name);
      if (statSync(join(folder, 'config.json'), { throwIfNoEntry: false })?.isFile()) {
        const files = Object.fromEntries(filesUnder(folder).map((file) => [file, statSync(join(folder, file)).size]));
        models.push({ id: relative(root, folder).split(sep).join('/'), files });
      } else if (depth === 0) visit(folder, 1);
    }
  };
  if (statSync(root, { throwIfNoEntry: false })?.isDirectory()) visit(root, 0);
  models.sort((a, b) => a.id.localeCompare(b.id));
  return { format: MODELS_INDEX_FORMAT, models };
}

function modelsMiddleware(root: string): Connect.NextHandleFunction {
  return (req, res, next) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith('/models/') || (req.method !== 'GET' && req.method !== 'HEAD')) return next();
    if (url.pathname === `/models/${MODELS_INDEX_FILE}`) {
      // Read afresh on every request: a model copied into the folder shows up on the next page load.
      res.setHeader('Content-Type', CONTENT_TYPES['.json']);
      res.setHeader('Cache-Control', 'no-cache');
      return res.end(JSON.stringify(modelsIndex(root)));
    }
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
  let config: ResolvedConfig;
  return {
    name: 'glon:serve-models',
    configResolved(resolved) {
      config = resolved;
    },
    // After every writeBundle hook, so the models copied into the build (vite.config.ts) are all there.
    closeBundle() {
      if (config.command !== 'build') return;
      const built = join(resolve(config.root, config.build.outDir), 'models');
      if (statSync(built, { throwIfNoEntry: false })?.isDirectory())
        writeFileSync(join(built, MODELS_INDEX_FILE), JSON.stringify(modelsIndex(built)));
    },
    // Registered directly (not in a returned hook) so it runs before Vite's own static and SPA handlers.
    configureServer(server) {
      server.middlewares.use(modelsMiddleware(root));
    },
    configurePreviewServer(server) {
      server.middlewares.use(modelsMiddleware(root));
    },
  };
}
