/**
 * A make-model folder shared by the test files that need one: built once into os.tmpdir() under a key
 * that covers the options and every source file that writes the folder, so a change to the writer
 * (or to the options) builds a fresh one instead of testing a stale copy.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ARCHITECTURES, SPECIAL_TOKENS, type LikeName } from '../src/model/architectures.ts';
import { loadGpt2Merges } from '../src/onnx/gpt2-merges-node.ts';
import { makeModel } from '../src/onnx/make-model.ts';
import type { WeightFormat } from '../src/onnx/llama-graph.ts';

// make-model and its writer (onnx/), the architectures (model/) and the seeded generator (util/).
const SOURCES = ['../src/onnx/', '../src/model/', '../src/util/'].map((dir) => fileURLToPath(new URL(dir, import.meta.url)));

function sourceHash(): string {
  const hash = createHash('sha256');
  for (const dir of SOURCES)
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.ts')).sort()) hash.update(name).update(readFileSync(join(dir, name)));
  return hash.digest('hex');
}

/** The folder of `makeModel` for `like` cut to `layers` layers; built on first use. */
export async function madeModel(like: LikeName, layers: number, seed: number, dtypes: readonly WeightFormat[]): Promise<string> {
  const options = { like, layers, seed, dtypes };
  const key = createHash('sha256').update(JSON.stringify(options)).update(sourceHash()).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), `glon-made-model-${like}-${layers}l-${key}`);
  if (existsSync(dir)) return dir;
  // Folders from older sources are ~150 MB each and will never be read again.
  const prefix = `glon-made-model-${like}-${layers}l-`;
  for (const name of readdirSync(tmpdir()))
    if (name.startsWith(prefix) && !name.includes('.tmp-')) rmSync(join(tmpdir(), name), { recursive: true, force: true });
  // Written aside and renamed into place, so a test file running in parallel never sees half a folder.
  const staging = mkdtempSync(`${dir}.tmp-`);
  for (const f of makeModel({ config: { ...ARCHITECTURES[like], numLayers: layers }, specialTokens: SPECIAL_TOKENS[like], seed, dtypes, merges: await loadGpt2Merges(), like })) {
    mkdirSync(dirname(join(staging, f.path)), { recursive: true });
    writeFileSync(join(staging, f.path), f.contents);
  }
  try {
    renameSync(staging, dir);
  } catch (error) {
    // Another test file finished the same folder first.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(dir)) throw error;
  }
  return dir;
}
