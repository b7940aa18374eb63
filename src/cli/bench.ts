import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateDataset } from '../data/generate.ts';
import { benchScoring, type ScoringBench } from '../eval/scoring-bench.ts';
import type { WeightFormat } from '../onnx/llama-graph.ts';
import { loadModelNode } from '../runtime/load-node.ts';
import { DTYPE_FILES } from '../model/dtypes.ts';
import { WEIGHT_FORMATS } from '../onnx/make-model.ts';
import { ARCHITECTURES } from '../model/architectures.ts';
import { writeTextFile } from './io.ts';
import { makeModelFolder } from './make-model.ts';
import { StageBar } from './progress-bar.ts';
import { startEngine } from '../engine/backend.ts';
import { BENCH_LORA, benchTraining, dispatchesPerStep, median, type TrainBench, type TrainShape } from '../train/bench.ts';
import type { KernelProfile } from '../engine/kernel-profile.ts';
import { watchWasmMemory } from '../engine/wasm-memory.ts';
import { installDawnOnSwiftShader } from '../engine/webgpu-node.ts';
import { benchInBrowser } from './browser-bench.ts';
import { findTorchPython, startTorchReference, type TorchHeader } from './torch-reference.ts';
import { disposeEngineWeights } from '../engine/llama.ts';
import { loadEngineModel } from '../engine/load-node.ts';
import { runAction } from './run-action.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const BENCH_LIKE = 'smollm2-135m';
const BENCH_SEED = 0;
/** The default dataset: what `glon generate --kind reversal` writes. */
const DATASET = { kind: 'reversal', seed: 0, preset: 'small' } as const;

interface BenchFlags {
  model?: string;
  dtype: string;
  naiveItems: string;
  only?: string;
  trainModel?: string;
  trainSteps: string;
  trainShape: string;
  profile?: boolean;
  rounds: string;
  browser: boolean;
  out: string;
}

/** Steps run under the profiler with --profile (after the timed ones). */
const PROFILE_STEPS = 3;
const MiB = 2 ** 20;

const SECTIONS = ['scoring', 'training'] as const;
/** "8x64": sequences per batch x tokens per sequence, of the training benchmark. */
export function parseTrainShape(text: string): TrainShape {
  const m = /^(\d+)x(\d+)$/.exec(text);
  const [batch, length] = m ? [Number(m[1]), Number(m[2])] : [0, 0];
  if (batch < 1 || length < 1) throw new Error(`--train-shape must be BATCHxLENGTH such as 8x64, got "${text}"`);
  return { batch, length };
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

function trainingSummary(b: TrainBench, torch: TorchHeader | undefined, webgpuDispatches: number | string): string {
  const g = (flops: number) => `${(flops / 1e9).toFixed(2)} GFLOP/s`;
  const tokens = b.batch * b.length;
  const lines = [
    `LoRA training (WASM, ${b.batch}x${b.length}, ${b.kernelThreads} kernel thread${b.kernelThreads === 1 ? '' : 's'}): ${Math.round(b.trainTokensPerSecond)} tokens/s, ${b.trainStepSeconds.toFixed(3)} s/step ` +
      `(first step with compilation ${b.firstStepSeconds.toFixed(1)} s); forward only ${b.forwardStepSeconds.toFixed(3)} s`,
    `kernel dispatches per training step: WASM ${b.dispatchesPerStep}, WebGPU (SwiftShader) ${webgpuDispatches}`,
    `achieved ${g(b.trainFlops)} against ${g(b.matmulFlops)} for a jit matmul (${((100 * b.trainFlops) / b.matmulFlops).toFixed(0)}%)`,
    `fits on WASM (estimated): ${b.fits.map((f) => `${f.name} ${f.layers}/${f.of} layers`).join(', ')}`,
    `time estimate shown before a run: ${b.estimatedStepSeconds.toFixed(3)} s/step (measured ${b.trainStepSeconds.toFixed(3)})`,
    ...(b.profile ? profileLines(b.profile) : []),
  ];
  const ratios = b.rounds.flatMap((r) => (r.ratio === undefined ? [] : [r.ratio]));
  if (!torch || ratios.length === 0) return [...lines, 'PyTorch reference: no python3 with torch here (apt-get install python3-torch libopenblas0-openmp)'].join('\n');
  const blas = torch.blas.map((l) => (typeof l === 'string' ? l : Object.values(l as object).filter((v) => v !== null).join(' '))).join('; ');
  const referenceSeconds = median(b.rounds.map((r) => r.reference!));
  return [
    ...lines,
    `PyTorch ${torch.torch} reference (same shapes, LoRA and AdamW; ${torch.threads} threads; BLAS: ${blas}; OPENBLAS_CORETYPE=${torch.openblas_coretype ?? 'unset'}): ` +
      `${Math.round(tokens / referenceSeconds)} tokens/s, ${referenceSeconds.toFixed(3)} s/step`,
    `glon / PyTorch, interleaved rounds: ${ratios.map((r) => r.toFixed(2)).join(', ')} (median ${median(ratios).toFixed(2)}x, ` +
      `spread ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})`,
  ].join('\n');
}

function profileLines(p: KernelProfile): string[] {
  const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
  return [
    `kernel profile (${p.steps} steps under jax-js's profiler): ${Math.round(p.launchesPerStep)} kernel launches per step; ` +
      `${pct(p.outsideKernels)} of the step time is outside kernels (dispatch)`,
    ...p.groups.map((g) => `  ${g.name}: ${pct(g.share)} of kernel time, ${Math.round(g.launchesPerStep)} launches per step`),
  ];
}

async function runScoring(opts: BenchFlags, dtype: WeightFormat, naiveItems: number): Promise<Record<string, unknown>> {
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
    console.log(`${folder} (${dtype}, ${model.device}) · ${DATASET.kind} dataset, seed ${DATASET.seed}`);
    console.log(summary(bench));
    return {
      date: new Date().toISOString(),
      machine: machine(),
      model: { folder, dtype, device: model.device },
      dataset: { ...DATASET, items: dataset.test.length },
      ...bench,
    };
  } finally {
    bar.stop();
    await model.dispose();
  }
}

/** Dispatches per training step on WebGPU over SwiftShader (Dawn in Node), or why it could not run. */
async function webgpuDispatches(folder: string, shape: TrainShape): Promise<number | string> {
  try {
    await installDawnOnSwiftShader();
    await startEngine('webgpu');
  } catch (error) {
    return `not measured (${(error as Error).message})`;
  }
  const model = await loadEngineModel(folder, 'fp32');
  try {
    return await dispatchesPerStep(model.weights, 'webgpu', shape.batch, shape.length);
  } finally {
    disposeEngineWeights(model.weights);
    await startEngine('wasm');
  }
}

/** The page's engine in chromium (a worker, cross-origin isolated as the lab is), or why it could not run. */
async function browserTraining(steps: number, shape: TrainShape): Promise<Record<string, unknown> | string> {
  if (!existsSync('/usr/bin/chromium')) return 'not measured (no /usr/bin/chromium: apt-get install chromium)';
  try {
    return { ...(await benchInBrowser(steps, shape)) };
  } catch (error) {
    return `not measured (${(error as Error).message.split('\n')[0]})`;
  }
}

function browserSummary(b: Record<string, unknown> | string): string {
  if (typeof b === 'string') return `in chromium: ${b}`;
  const threads = b.threads as { crossOriginIsolated: boolean; kernelThreads: number };
  return (
    `in ${b.browser} (the page's engine in a Web Worker, cross-origin isolated: ${threads.crossOriginIsolated}, ` +
    `jax-js WASM kernels on ${threads.kernelThreads} thread${threads.kernelThreads === 1 ? '' : 's'}): ` +
    `${Math.round(b.tokensPerSecond as number)} tokens/s, ${(b.secondsPerStep as number).toFixed(3)} s/step, ${b.dispatchesPerStep} dispatches per step`
  );
}

async function runTraining(folder: string, shape: TrainShape, steps: number, rounds: number, inBrowser: boolean, profile: boolean): Promise<Record<string, unknown>> {
  const memory = watchWasmMemory();
  await startEngine('wasm');
  const model = await loadEngineModel(folder, 'fp32');
  const python = findTorchPython();
  const torch = python ? await startTorchReference(python, model.weights.config, BENCH_LORA, shape.batch, shape.length) : undefined;
  let bench: TrainBench;
  let wasmMemoryPeak: number;
  try {
    // The reference's first steps warm it up, as glon's compiling step does.
    await torch?.steps(3);
    bench = await benchTraining(model.weights, {
      ...shape,
      steps,
      rounds,
      device: 'wasm',
      reference: torch?.steps,
      profileSteps: profile ? PROFILE_STEPS : undefined,
    });
    wasmMemoryPeak = memory.peakBytes();
  } finally {
    memory.stop();
    torch?.close();
    disposeEngineWeights(model.weights);
  }
  // Chromium before Dawn: once SwiftShader has run in this process, its threads take CPU time the page needs.
  const browser = inBrowser ? await browserTraining(steps, shape) : 'not measured (--no-browser)';
  const webgpu = await webgpuDispatches(folder, shape);
  console.log(`${folder} (fp32, jax-js on WASM)`);
  console.log(trainingSummary(bench, torch?.header, webgpu));
  console.log(
    `memory: jax-js's WASM memory peaked at ${Math.round(wasmMemoryPeak / MiB)} MiB (what the 4 GiB limit applies to); ` +
      `the estimate that refuses runs says ${Math.round(bench.estimatedBytes / MiB)} MiB`,
  );
  console.log(browserSummary(browser));
  return {
    date: new Date().toISOString(),
    machine: machine(),
    model: { folder, dtype: 'fp32', device: 'wasm' },
    steps,
    ...bench,
    wasmMemoryPeak,
    webgpuDispatchesPerStep: webgpu,
    browser,
    pytorch: torch && { ...torch.header, python },
  };
}

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description(
      `measure scoring speed on the CPU: ICL evaluation of the default ${DATASET.kind} dataset with the context's key/value cache reused, ` +
        `against one full pass per option ("scoring" section); and LoRA training speed of the jax-js engine on WASM beside a PyTorch reference when python3 has torch, with kernel dispatches per step on WASM and WebGPU ("training" section)`,
    )
    .option('--model <dir>', `model folder (default: a random-weight ${BENCH_LIKE}, written on first use)`)
    .option('--dtype <dtype>', `weights: ${WEIGHT_FORMATS.join(' | ')}`, 'fp32')
    .option('--naive-items <n>', 'items the naive path scores (each option costs a full pass over the context)', '4')
    .option('--only <section>', `run one section: ${SECTIONS.join(' | ')} (default: both)`)
    .option('--train-model <dir>', 'model folder the training section trains (default: stories260K in the models folder)')
    .option('--train-steps <n>', 'timed training steps per round after the compiling one', '10')
    .option('--train-shape <BxL>', 'sequences per batch x tokens per sequence of the training steps', '8x64')
    .option('--rounds <n>', 'rounds of timed training steps, each followed by the same steps of the PyTorch reference (the ratio is their median)', '9')
    .option('--no-browser', "skip measuring the page's training engine in chromium")
    .option('--profile', `also run ${PROFILE_STEPS} training steps under jax-js's profiler and print where the kernel time goes`)
    .option('--out <file>', 'results file (JSON; other sections are kept)', 'bench/results.json')
    .action(
      runAction(async (opts: BenchFlags) => {
        if (!(WEIGHT_FORMATS as readonly string[]).includes(opts.dtype)) throw new Error(`--dtype must be one of ${WEIGHT_FORMATS.join(', ')}, got "${opts.dtype}"`);
        const dtype = opts.dtype as WeightFormat;
        const naiveItems = Number(opts.naiveItems);
        if (!Number.isInteger(naiveItems) || naiveItems < 1) throw new Error(`--naive-items must be a positive integer, got "${opts.naiveItems}"`);
        if (opts.only !== undefined && !(SECTIONS as readonly string[]).includes(opts.only))
          throw new Error(`--only must be one of ${SECTIONS.join(', ')}, got "${opts.only}"`);
        const trainSteps = Number(opts.trainSteps);
        if (!Number.isInteger(trainSteps) || trainSteps < 1) throw new Error(`--train-steps must be a positive integer, got "${opts.trainSteps}"`);
        const shape = parseTrainShape(opts.trainShape);
        const rounds = Number(opts.rounds);
        if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a positive integer, got "${opts.rounds}"`);
        const results = await readResults(opts.out);
        // Each section replaces only itself; the others are kept.
        if (opts.only !== 'training') {
          results.scoring = await runScoring(opts, dtype, naiveItems);
          await writeTextFile(opts.out, `${JSON.stringify(results, null, 2)}\n`);
        }
        if (opts.only !== 'scoring') {
          const folder = opts.trainModel ?? join(process.env.GLON_MODELS_DIR ?? join(REPO, 'models'), 'stories260K');
          results.training = await runTraining(folder, shape, trainSteps, rounds, opts.browser, opts.profile === true);
          await writeTextFile(opts.out, `${JSON.stringify(results, null, 2)}\n`);
        }
        console.log(`wrote the ${opts.only ? `"${opts.only}" section` : '"scoring" and "training" sections'} of ${opts.out}`);
      }),
    );
}
