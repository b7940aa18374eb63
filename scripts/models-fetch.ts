/**
 * `npm run models:fetch -- ID [--dtype q8,fp32] [--dir DIR]`: downloads a model's transformers.js files from the
 * Hugging Face hub (or the mirror in HF_ENDPOINT) into DIR/ID, for offline use. Each file arrives as FILE.part
 * and is renamed only when complete; a .part left by an interrupted run is continued with an HTTP Range request.
 * Which ONNX files a dtype needs (including external data chunks) is asked of transformers.js itself.
 */
import { Command } from 'commander';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { StageBar, megabytes } from '../src/cli/progress-bar.ts';
import type { Dtype } from '../src/model/language-model.ts';
import { DTYPES } from '../src/model/dtypes.ts';
import { HUB_ENDPOINT, HubError, checkHubId, explainRefusal, hubFileUrl, optionalAbsent, type HubModel } from '../src/model/hub.ts';
import { hubFilesFor } from '../src/model/model-files.ts';

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

async function get(t: Target, file: string, from: number): Promise<Response> {
  const headers: Record<string, string> = {};
  if (from > 0) headers.Range = `bytes=${from}-`;
  if (t.token) headers.Authorization = `Bearer ${t.token}`;
  try {
    return await fetch(hubFileUrl(t, file), { headers });
  } catch (err) {
    const cause = (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message;
    throw new HubError(`cannot reach ${t.endpoint} (${cause})`);
  }
}

/** Downloads `file` unless it is already there; false when an optional file does not exist. */
async function download(t: Target, file: string, bar: StageBar): Promise<boolean> {
  const dest = join(t.folder, file);
  if ((await sizeOf(dest)) !== undefined) return true;
  const part = `${dest}.part`;
  await mkdir(dirname(dest), { recursive: true });
  let have = (await sizeOf(part)) ?? 0;
  let response = await get(t, file, have);
  if (response.status === 416) {
    // The .part is not a prefix of the current file (it changed, or was already whole): start over.
    await rm(part, { force: true });
    have = 0;
    response = await get(t, file, 0);
  }
  if (optionalAbsent(file, response)) return false;
  if (response.status !== 200 && response.status !== 206) throw explainRefusal(t, file, response);
  if (response.status === 200) have = 0; // the server ignored the Range: the whole file follows
  const range = response.headers.get('content-range')?.match(/\/(\d+)$/);
  const length = response.headers.get('content-length');
  const total = range ? Number(range[1]) : length !== null ? have + Number(length) : Number.NaN;

  let got = have;
  const show = () => bar.update(file, got, Number.isNaN(total) ? got : total, `${megabytes(got)}/${Number.isNaN(total) ? '?' : megabytes(total)} MB`);
  show();
  try {
    await pipeline(
      Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>),
      async function* (chunks: AsyncIterable<Uint8Array>) {
        for await (const chunk of chunks) {
          got += chunk.length;
          show();
          yield chunk;
        }
      },
      createWriteStream(part, { flags: have > 0 ? 'a' : 'w' }),
    );
  } catch (err) {
    throw new HubError(`${file}: the download broke off after ${megabytes(got)} MB (${(err as Error).message}); run the same command again to resume`);
  }
  if (!Number.isNaN(total) && got !== total) {
    throw new HubError(`${file}: the download stopped at ${megabytes(got)} of ${megabytes(total)} MB; run the same command again to resume`);
  }
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
