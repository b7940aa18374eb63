import { formatBytes } from '../util/bytes.ts';
import type { Command } from 'commander';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ARCHITECTURES, LIKE_NAMES, SPECIAL_TOKENS, isLikeName, type LikeName } from '../model/architectures.ts';
import { loadGpt2Merges } from '../onnx/gpt2-merges-node.ts';
import type { WeightFormat } from '../onnx/llama-graph.ts';
import { WEIGHT_FORMATS, makeModel } from '../onnx/make-model.ts';
import { runAction } from './run-action.ts';

function parseDtypes(value: string): WeightFormat[] {
  const dtypes = value.split(',').map((d) => d.trim());
  for (const d of dtypes) {
    if (!(WEIGHT_FORMATS as readonly string[]).includes(d)) throw new Error(`--dtype must be ${WEIGHT_FORMATS.join(' or ')} (or both, comma-separated), got "${d}"`);
  }
  return [...new Set(dtypes)] as WeightFormat[];
}

function parseInteger(flag: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`${flag} must be an integer of at least ${min}, got "${value}"`);
  return n;
}

export interface ModelFolderOptions {
  like: LikeName;
  seed: number;
  dtypes: WeightFormat[];
  /** Decoder layers (the real model's, or fewer for tests). */
  layers: number;
  out: string;
}

/** Writes a random-weight model folder; returns "file size, ..." of its ONNX files for a summary line. */
export async function makeModelFolder(options: ModelFolderOptions): Promise<string> {
  const files = makeModel({
    config: { ...ARCHITECTURES[options.like], numLayers: options.layers },
    specialTokens: SPECIAL_TOKENS[options.like],
    seed: options.seed,
    dtypes: options.dtypes,
    merges: await loadGpt2Merges(),
    like: options.like,
    onProgress: (p) => p.done < p.total && console.error(`make-model: ${p.stage} (${p.done + 1}/${p.total})`),
  });
  for (const file of files) {
    const path = join(options.out, file.path);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, file.contents);
  }
  return files
    .filter((f) => f.path.endsWith('.onnx'))
    .map((f) => `${f.path} ${formatBytes(f.contents.length)}`)
    .join(', ');
}

export function registerMakeModel(program: Command): void {
  program
    .command('make-model')
    .description('write a model with random weights and the exact shapes of a real one (transformers.js layout), for benchmarks and tests')
    .requiredOption('--like <name>', `architecture to copy: ${LIKE_NAMES.join(' | ')}`)
    .option('--seed <n>', 'random seed; the same seed gives the same weights', '0')
    .option('--dtype <dtype>', 'weights: fp32 (onnx/model.onnx) or q8 (int8, onnx/model_quantized.onnx); "fp32,q8" writes both', 'fp32')
    .option('--layers <n>', 'number of decoder layers (default: the real model\'s), to keep test models small')
    .requiredOption('--out <dir>', 'folder to write config, tokenizer and onnx/ files into')
    .action(
      runAction(async (opts: { like: string; seed: string; dtype: string; layers?: string; out: string }) => {
        if (!isLikeName(opts.like)) throw new Error(`--like must be one of ${LIKE_NAMES.join(', ')}, got "${opts.like}"`);
        const seed = parseInteger('--seed', opts.seed, 0);
        const dtypes = parseDtypes(opts.dtype);
        const layers = opts.layers === undefined ? ARCHITECTURES[opts.like].numLayers : parseInteger('--layers', opts.layers, 1);
        const started = performance.now();
        const onnx = await makeModelFolder({ like: opts.like, seed, dtypes, layers, out: opts.out });
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        console.log(`wrote ${opts.out}: ${opts.like} shapes, ${layers} layer${layers === 1 ? '' : 's'}, random weights (seed ${seed}); ${onnx} in ${seconds} s`);
      }),
    );
}
