import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateDataset } from '../data/generate.ts';
import { benchScoring, type ScoringBench } from '../eval/scoring-bench.ts';
import type { WeightFormat } from '../model/llama-graph.ts';
import { loadModelNode } from '../model/load-node.ts';
import { DTYPE_FILES } from '../model/model-files.ts';
import { WEIGHT_FORMATS } from '../model/make-model.ts';
import { ARCHITECTURES } from '../model/architectures.ts';
import { writeTextFile } from './io.ts';
import { makeModelFolder } from './make-model.ts';
import { StageBar } from './progress-bar.ts';
import { runAction } from './run.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const BENCH_LIKE = 'smollm2-135m';
const BENCH_SEED = 0;
/** The default dataset: what `glon generate --kind reversal` writes. */
const DATASET = { kind: 'reversal', seed: 0, preset: 'small' } as const;

interface BenchFlags {
  model?: string;
  dtype: string;
  naiveItems: string;
  out: string;
}

function machine() {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

/** The random-weight SmolLM2-135M folder, written on first use (about half a minute). */
async function benchModel(dtype: WeightFormat): Promise<string> {
  const folder = join(process.env.GLON_MODELS_DIR ?? join(REPO, 'models'), `random-${BENCH_LIKE}`);
  if (!existsSync(join(folder, DTYPE_FILES[dtype]))) {
    console.error(`bench: writing a random-weight ${BENCH_LIKE} model to ${folder} (once)`);
    await makeModelFolder({ like: BENCH_LIKE, seed: BENCH_SEED, dtypes: [dtype], layers: ARCHITECTURES[BENCH_LIKE].numLayers, out: folder });
  }
  return folder;
}

/** The results file's sections (a training benchmark, ...), read before the run so a bad file fails fast. */
async function readResults(path: string): Promise<Record<string, unknown>> {
  if (!existsSync(path)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    parsed = undefined;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`${path} is not a JSON object of benchmark sections; move it away to start a new results file`);
  }
  return parsed as Record<string, unknown>;
}

function summary(bench: ScoringBench): string {
  const rate = (p: ScoringBench['cached']) =>
    `${p.itemsPerSecond.toFixed(3)} items/s (${p.items} items, ${p.options} options in ${p.seconds.toFixed(1)} s), ${Math.round(p.tokensPerSecond)} tokens/s`;
  return [
    `context: ${bench.contextTokens} tokens (${bench.documents.kept}/${bench.documents.total} documents)`,
    `cached ICL: ${rate(bench.cached)}`,
    `naive ICL:  ${rate(bench.naive)}`,
    `cached / naive: ${bench.speedup.toFixed(1)}x; largest log-prob difference between them: ${bench.maxLogprobDifference.toExponential(2)}`,
  ].join('\n');
}

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description(
      `measure scoring speed on the CPU: ICL evaluation of the default ${DATASET.kind} dataset with the context's key/value cache reused, ` +
        `against one full pass per option; writes the "scoring" section of the results file`,
    )
    .option('--model <dir>', `model folder (default: a random-weight ${BENCH_LIKE}, written on first use)`)
    .option('--dtype <dtype>', `weights: ${WEIGHT_FORMATS.join(' | ')}`, 'fp32')
    .option('--naive-items <n>', 'items the naive path scores (each option costs a full pass over the context)', '4')
    .option('--out <file>', 'results file (JSON; other sections are kept)', 'bench/results.json')
    .action(
      runAction(async (opts: BenchFlags) => {
        if (!(WEIGHT_FORMATS as readonly string[]).includes(opts.dtype)) throw new Error(`--dtype must be one of ${WEIGHT_FORMATS.join(', ')}, got "${opts.dtype}"`);
        const dtype = opts.dtype as WeightFormat;
        const naiveItems = Number(opts.naiveItems);
        if (!Number.isInteger(naiveItems) || naiveItems < 1) throw new Error(`--naive-items must be a positive integer, got "${opts.naiveItems}"`);
        const results = await readResults(opts.out);
        const folder = opts.model ?? (await benchModel(dtype));
        const dataset = generateDataset(DATASET);

        const bar = new StageBar();
        const model = await loadModelNode({ model: folder, dtype });
        try {
          const bench = await benchScoring(dataset, model, {
            naiveItems,
            seed: 0,
            onProgress: (p) => bar.update(p.stage, p.done, p.total),
          });
          bar.stop();
          // Only this section is replaced; the others are kept.
          results.scoring = {
            date: new Date().toISOString(),
            machine: machine(),
            model: { folder, dtype, device: model.device },
            dataset: { ...DATASET, items: dataset.test.length },
            ...bench,
          };
          await writeTextFile(opts.out, `${JSON.stringify(results, null, 2)}\n`);
          console.log(`${folder} (${dtype}, ${model.device}) · ${DATASET.kind} dataset, seed ${DATASET.seed}`);
          console.log(summary(bench));
          console.log(`wrote the "scoring" section of ${opts.out}`);
        } finally {
          bar.stop();
          await model.dispose();
        }
      }),
    );
}
