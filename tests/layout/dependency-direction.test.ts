/**
 * The folders of src/ are the pipeline's layers, and every import points down it: a folder imports only
 * folders of lower layers (and itself). Folders that share a layer are peers that never import each other.
 * The order is the one README's code map states.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const LAYERS: readonly (readonly string[])[] = [
  ['util'],
  ['data'],
  ['model'],
  ['onnx'],
  ['hub'],
  ['runtime', 'engine'],
  ['augment'],
  ['train'],
  ['eval'],
  ['experiment'],
  ['store'],
  ['worker', 'cli'],
  ['ui'],
];
/** Files directly in src/ (main.ts) start the app: above every folder. */
const ROOT = '.';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

interface Import {
  from: string;
  to: string;
}

function layerOf(folder: string): number {
  if (folder === ROOT) return LAYERS.length;
  const layer = LAYERS.findIndex((peers) => peers.includes(folder));
  if (layer < 0) throw new Error(`src/${folder}/ has no layer in tests/layout/dependency-direction.test.ts: rank it`);
  return layer;
}

/** The top folder of a path under src/ ('.' for a file directly in src/). */
function folderOf(path: string): string {
  const parts = path.split('/');
  return parts.length === 1 ? ROOT : parts[0];
}

/** The imports that point up the pipeline or sideways to a peer, as "from -> to" lines. */
function backwardImports(imports: readonly Import[]): string[] {
  return imports
    .filter(({ from, to }) => {
      const source = folderOf(from);
      const target = folderOf(to);
      return source !== target && layerOf(target) >= layerOf(source);
    })
    .map(({ from, to }) => `src/${from} imports src/${to}`);
}

/** Module specifiers of a TypeScript or Svelte source: static and dynamic imports, re-exports, worker URLs. */
function specifiersOf(text: string, fileName: string): string[] {
  const scripts = fileName.endsWith('.svelte') ? [...text.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]) : [text];
  return scripts.flatMap((code) => [
    ...ts.preProcessFile(code, true, true).importedFiles.map((f) => f.fileName),
    ...[...code.matchAll(/new URL\(\s*(['"`])([^'"`]+)\1\s*,\s*import\.meta\.url/g)].map((m) => m[2]),
  ]);
}

function sources(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const full = join(dir, name);
      return statSync(full).isDirectory() ? sources(full) : /\.(ts|svelte)$/.test(name) ? [full] : [];
    })
    .sort();
}

function importsOfSrc(): Import[] {
  return sources(SRC).flatMap((file) => {
    const from = relative(SRC, file).split('\\').join('/');
    return specifiersOf(readFileSync(file, 'utf8'), file)
      .filter((spec) => spec.startsWith('.'))
      .map((spec) => ({ from, to: posix.normalize(posix.join(posix.dirname(from), spec.replace(/[?#].*$/, ''))) }))
      .filter(({ to }) => !to.startsWith('..')); // outside src/ (package.json): no layer
  });
}

describe('dependency direction', () => {
  it('finds every kind of import: static, type-only, re-export, dynamic, worker URL, in .ts and .svelte', () => {
    const code = [
      "import { a } from './a.ts';",
      "import type { B } from '../b/b.ts';",
      "export { c } from './c.ts';",
      "const d = await import('./d.ts');",
      "new Worker(new URL('../worker/e.ts', import.meta.url), { type: 'module' });",
    ].join('\n');
    expect(specifiersOf(code, 'x.ts')).toEqual(['./a.ts', '../b/b.ts', './c.ts', './d.ts', '../worker/e.ts']);
    const svelte = "<script lang=\"ts\">\n  import X from './X.svelte';\n</script>\n<p>import y from './not-code.ts'</p>";
    expect(specifiersOf(svelte, 'X.svelte')).toEqual(['./X.svelte']);
  });

  it('refuses an import up the pipeline and between peers, allows one down it', () => {
    expect(
      backwardImports([
        { from: 'train/trainer.ts', to: 'engine/llama.ts' },
        { from: 'main.ts', to: 'ui/App.svelte' },
        { from: 'experiment/runner.ts', to: 'experiment/spec.ts' },
        { from: 'hub/recommended.ts', to: 'train/estimate.ts' },
        { from: 'engine/load.ts', to: 'runtime/load.ts' },
        { from: 'util/rng.ts', to: 'main.ts' },
      ]),
    ).toEqual([
      'src/hub/recommended.ts imports src/train/estimate.ts',
      'src/engine/load.ts imports src/runtime/load.ts',
      'src/util/rng.ts imports src/main.ts',
    ]);
  });

  it('ranks every folder of src/', () => {
    const folders = readdirSync(SRC).filter((name) => statSync(join(SRC, name)).isDirectory());
    for (const folder of folders) expect(() => layerOf(folder), folder).not.toThrow();
  });

  it('has no import in src/ that points back up the pipeline', () => {
    const imports = importsOfSrc();
    expect(imports.length).toBeGreaterThan(500);
    expect(backwardImports(imports)).toEqual([]);
  });
});
