/**
 * tests/ mirrors src/: a test of a source file sits in the folder of the layer that holds it, so a file that
 * moves to another layer takes its test along. Folders that test across layers are named here.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** tests/ folders with no src/ counterpart: the page in chromium and its screenshots, exporters' files, these checks, jax-js patches. */
const SHARED = ['browser', 'fixtures', 'layout', 'patches', 'screenshots'];

const REPO = fileURLToPath(new URL('../../', import.meta.url));

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [relative(REPO, full).split('\\').join('/')];
  });
}

const topFolder = (path: string) => path.split('/')[1];
const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1).replace(/(\.test)?(\.svelte)?\.ts$/, '');

/** "tests/x/n.test.ts tests src/y/n.ts": a test whose one same-named source file lives in another layer. */
function misplacedTests(tests: readonly string[], sources: readonly string[]): string[] {
  const byName = new Map<string, string[]>();
  for (const source of sources) byName.set(baseName(source), [...(byName.get(baseName(source)) ?? []), source]);
  return tests.flatMap((test) => {
    const matches = byName.get(baseName(test)) ?? [];
    // A name two source files share (load.ts in runtime/ and engine/) says nothing on its own.
    if (matches.length !== 1 || topFolder(matches[0]) === topFolder(test)) return [];
    return [`${test} tests ${matches[0]}`];
  });
}

describe('tests/ mirrors src/', () => {
  it('finds a test left in the folder its source file moved out of', () => {
    expect(misplacedTests(['tests/model/onnx-writer.test.ts', 'tests/ui/run-title.test.ts', 'tests/cli/load.test.ts'], [
      'src/onnx/onnx-writer.ts',
      'src/ui/experiment/run-title.ts',
      'src/runtime/load.ts',
      'src/engine/load.ts',
    ])).toEqual(['tests/model/onnx-writer.test.ts tests src/onnx/onnx-writer.ts']);
  });

  it('has a folder in tests/ only for a folder of src/ or a shared one', () => {
    const src = new Set(readdirSync(join(REPO, 'src')));
    const folders = readdirSync(join(REPO, 'tests')).filter((name) => statSync(join(REPO, 'tests', name)).isDirectory());
    expect(folders.filter((folder) => !src.has(folder) && !SHARED.includes(folder))).toEqual([]);
  });

  it('keeps each test in the folder of the source file it is named after', () => {
    const tests = filesUnder(join(REPO, 'tests')).filter((f) => /\.test\.ts$/.test(f) && !SHARED.includes(topFolder(f)));
    const sources = filesUnder(join(REPO, 'src')).filter((f) => /\.(ts|svelte)$/.test(f));
    expect(tests.length).toBeGreaterThan(50);
    expect(misplacedTests(tests, sources)).toEqual([]);
  });
});
