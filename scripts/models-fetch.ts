/**
 * `npm run models:fetch -- ID [--dtype q8,fp32] [--dir DIR]`: downloads a model's transformers.js files from the
 * Hugging Face hub (or the mirror in HF_ENDPOINT) into DIR/ID, for offline use. Each file arrives as FILE.part
 * and is renamed only when complete; a .part left by an interrupted run is continued with an HTTP Range request.
 * Which ONNX files a dtype needs (including external data chunks) is asked of transformers.js itself.
 */
import { Command } from 'commander';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StageBar } from '../src/cli/progress-bar.ts';
import { formatBytes } from '../src/util/bytes.ts';
import type { Dtype } from '../src/model/language-model.ts';
import { DTYPES } from '../src/model/dtypes.ts';
import { HUB_ENDPOINT, HubError, checkHubId, type HubModel } from '../src/hub/hub.ts';
import { fetchFile, type ByteSink } from '../src/hub/hub-fetch.ts';
import { hubFilesFor } from '../src/hub/model-files.ts';

interface Target extends HubModel {
  folder: string;
  token?: string;
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch {
    return undefined;
  }
}

/** Retries within one run after a dropped connection; a later run continues the .part as well. */
const RETRIES = 3;

/** Downloads `file` unless it is already there; false when an optional file does not exist. */
async function download(t: Target, file: string, bar: StageBar): Promise<boolean> {
  const dest = join(t.folder, file);
  if ((await sizeOf(dest)) !== undefined) return true;
  const part = `${dest}.part`;
  await mkdir(dirname(dest), { recursive: true });
  const handle = await open(part, 'a');
  const sink: ByteSink = {
    held: async () => (await handle.stat()).size,
    restart: () => handle.truncate(0),
    write: async (chunk) => void (await handle.write(chunk)),
  };
  let found: Headers | null;
  try {
    found = await fetchFile(t, file, sink, {
      headers: t.token ? { Authorization: `Bearer ${t.token}` } : {},
      retries: RETRIES,
      retryWaitMs: 500,
      again: 'run the same command again to resume',
      gated: 'set HF_TOKEN to a token allowed to read it',
      onProgress: (got, total) => bar.update(file, got, total, `${formatBytes(got)}/${formatBytes(total)}`),
    });
  } finally {
    const empty = (await handle.stat()).size === 0;
    await handle.close();
    // A refused or absent file leaves nothing behind; a partial one stays for the next run.
    if (empty) await rm(part, { force: true });
  }
  if (!found) return false;
  await rename(part, dest);
  return true;
}

async function fetchModel(t: Target, dtypes: readonly Dtype[], bar: StageBar): Promise<string[]> {
  await download(t, 'config.json', bar);
  const config = JSON.parse(await readFile(join(t.folder, 'config.json'), 'utf8'));
  const fetched: string[] = [];
  for (const file of await hubFilesFor(t.id, config, dtypes)) if (await download(t, file, bar)) fetched.push(file);
  return fetched;
}

function parseDtypes(values: string[]): Dtype[] {
  const dtypes = values.flatMap((v) => v.split(',')).map((d) => d.trim());
  for (const d of dtypes) {
    if (!(DTYPES as readonly string[]).includes(d)) throw new HubError(`--dtype must be one of ${DTYPES.join(', ')}, got "${d}"`);
  }
  return [...new Set(dtypes)] as Dtype[];
}

const repo = fileURLToPath(new URL('..', import.meta.url));

const program = new Command('models:fetch')
  .description('download a model (transformers.js layout) from the Hugging Face hub for offline use')
  .argument('<id>', 'hub model id, e.g. HuggingFaceTB/SmolLM2-135M-Instruct')
  .option('--dtype <dtypes...>', `weights to fetch: ${DTYPES.join(', ')} (several allowed)`, ['q8'])
  .option('--dir <dir>', 'models folder; the model goes to DIR/ID', process.env.GLON_MODELS_DIR ?? join(repo, 'models'))
  .option('--revision <rev>', 'branch, tag or commit', 'main')
  .addHelpText('after', '\nEnvironment: HF_ENDPOINT (default https://huggingface.co), HF_TOKEN for gated or private models.')
  .action(async (id: string, opts: { dtype: string[]; dir: string; revision: string }) => {
    const bar = new StageBar();
    try {
      checkHubId(id);
      const target: Target = {
        id,
        endpoint: (process.env.HF_ENDPOINT ?? HUB_ENDPOINT).replace(/\/+$/, ''),
        revision: opts.revision,
        folder: resolve(opts.dir, id),
        token: process.env.HF_TOKEN,
      };
      const files = await fetchModel(target, parseDtypes(opts.dtype), bar);
      bar.stop();
      console.log(`${target.folder}: ${files.join(', ')}`);
    } catch (err) {
      bar.stop();
      if (process.env.GLON_DEBUG) console.error(err);
      else console.error(`models:fetch: error: ${(err as Error)?.message ?? String(err)}`);
      process.exitCode = 1;
    }
  });

await program.parseAsync(process.argv);
