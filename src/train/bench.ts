/**
 * Training-engine benchmark for `glon bench`: LoRA training tokens/s at a fixed batch shape, kernel
 * dispatches per step, the forward-only step time, achieved FLOP/s against the engine's own jit matmul
 * FLOP/s, and which known architectures fit in memory for training on the device (by the estimate used to
 * refuse runs). A reference implementation (PyTorch, from the CLI) can be timed in rounds interleaved with
 * glon's, so both see the same machine load and their ratio is fair.
 */
import { jit, numpy as np, profiler, random } from '@jax-js/jax';
import { Rng } from '../util/rng.ts';
import { ARCHITECTURES, LIKE_NAMES } from '../model/architectures.ts';
import { PROJECTIONS, forwardFlopsPerToken, type LlamaConfig } from '../model/llama-config.ts';
import { ADAMW_DEFAULTS, initAdamW } from '../engine/adamw.ts';
import { wasmKernelThreads } from '../engine/backend.ts';
import { estimateTraining, type TrainDevice } from './estimate.ts';
import type { EngineWeights } from '../engine/llama.ts';
import { profileKernels, type KernelProfile } from '../engine/kernel-profile.ts';
import { initLora, loraLayout, loraScale, packLora } from '../engine/lora.ts';
import { batchLoss, makeTrainStep, type DeviceBatch } from './step.ts';
import { defaultAlpha } from './settings.ts';

/** The benchmarked LoRA: rank 8, the default alpha (16), all seven projections (the reference uses the same). */
export const BENCH_LORA = { rank: 8, alpha: defaultAlpha(8), dropout: 0, targets: PROJECTIONS };

/** Sequences per batch and tokens per sequence of the benchmarked steps. */
export interface TrainShape {
  batch: number;
  length: number;
}

export interface BenchOptions {
  batch?: number;
  length?: number;
  /** Timed steps per round, after the first (compiling) step. */
  steps?: number;
  /** Rounds of timed steps; with a reference, each round times glon then the reference. */
  rounds?: number;
  device: TrainDevice;
  /** Also run this many steps under jax-js's profiler and report the kernel breakdown. */
  profileSteps?: number;
  /** Seconds of each of `steps` steps of a reference implementation of the same step. */
  reference?: (steps: number) => Promise<number[]>;
}

export interface BenchRound {
  /** Median seconds per step in this round. */
  glon: number;
  reference?: number;
  /** reference / glon seconds: glon's speed as a fraction of the reference's. */
  ratio?: number;
}

export interface TrainBench {
  batch: number;
  length: number;
  firstStepSeconds: number;
  trainStepSeconds: number;
  trainTokensPerSecond: number;
  /** Kernel and routine launches of one training step (exact, the same every step). */
  dispatchesPerStep: number;
  rounds: BenchRound[];
  forwardStepSeconds: number;
  /** Model FLOPs of a training step / its time. */
  trainFlops: number;
  /** jit matmul 512x576 @ 576x1536 on the same device. */
  matmulFlops: number;
  /** Per known architecture: the most layers whose LoRA training fits in the device's memory at this batch (estimated). */
  fits: { name: string; layers: number; of: number; bytes: number }[];
  /** Bytes the estimate that refuses runs predicts for this model at this batch. */
  estimatedBytes: number;
  /** Seconds per step the same estimate predicts (what the page shows before a run). */
  estimatedStepSeconds: number;
  /** Threads jax-js's WASM backend splits large kernels across. */
  kernelThreads: number;
  profile?: KernelProfile;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function randomBatch(rng: Rng, c: LlamaConfig, batch: number, length: number): DeviceBatch {
  const n = batch * length;
  const shape = [batch, length];
  return {
    tokens: np.array(Int32Array.from({ length: n }, () => rng.int(c.vocabSize)), { shape, dtype: np.int32 }),
    positions: np.array(Int32Array.from({ length: n }, (_, i) => i % length), { shape, dtype: np.int32 }),
    targets: np.array(Int32Array.from({ length: n }, () => rng.int(c.vocabSize)), { shape, dtype: np.int32 }),
    weights: np.array(new Float32Array(n).fill(1 / n), { shape, dtype: np.float32 }),
  };
}

export interface TrainTimer {
  /** Runs `steps` training steps on random batches: each step's seconds and the dispatches of all of them. */
  run(steps: number): Promise<{ seconds: number[]; dispatches: number }>;
  /** Current LoRA parameter vector (borrowed). */
  readonly theta: np.Array;
  dispose(): void;
}

/** The trainer's jitted LoRA step on random batches of one shape, timed and its dispatches counted. */
export function trainTimer(engine: EngineWeights, device: TrainDevice, batch: number, length: number): TrainTimer {
  const c = engine.config;
  const rng = new Rng('bench/train');
  const layout = loraLayout(c, BENCH_LORA);
  let theta = np.array(packLora(initLora(c, BENCH_LORA, rng.fork('init')), layout), { dtype: np.float32 });
  let state = initAdamW([theta]);
  const step = makeTrainStep(engine, { scale: loraScale(BENCH_LORA), dropout: 0 }, layout, ADAMW_DEFAULTS);
  let done = 0;
  return {
    async run(steps) {
      const seconds: number[] = [];
      const before = profiler.dispatchCounts()[device] ?? 0;
      for (let i = 0; i < steps; i++) {
        const input = randomBatch(rng, c, batch, length);
        const t = performance.now();
        const r = step(theta, state, input, np.array(1e-3, { dtype: np.float32 }), np.array([1, 1], { dtype: np.float32 }), random.key(done++));
        theta = r.theta;
        state = r.state;
        await r.loss.data();
        r.gradNorm.dispose();
        seconds.push((performance.now() - t) / 1000);
      }
      return { seconds, dispatches: (profiler.dispatchCounts()[device] ?? 0) - before };
    },
    get theta() {
      return theta;
    },
    dispose() {
      for (const a of [theta, ...state.m, ...state.v]) a.dispose();
    },
  };
}

/** Kernel dispatches of one training step on the current default device (the second step: the first compiles). */
export async function dispatchesPerStep(engine: EngineWeights, device: TrainDevice, batch: number, length: number): Promise<number> {
  const timer = trainTimer(engine, device, batch, length);
  try {
    await timer.run(1);
    return (await timer.run(1)).dispatches;
  } finally {
    timer.dispose();
  }
}

async function matmulFlops(): Promise<number> {
  const rng = new Rng('bench/matmul');
  const [m, k, n] = [512, 576, 1536];
  const a = np.array(Float32Array.from({ length: m * k }, () => rng.normal()), { shape: [m, k], dtype: np.float32 });
  const b = np.array(Float32Array.from({ length: k * n }, () => rng.normal()), { shape: [k, n], dtype: np.float32 });
  const f = jit((x: np.Array, y: np.Array) => np.matmul(x, y));
  const times: number[] = [];
  for (let i = 0; i < 6; i++) {
    const t = performance.now();
    await f(a.ref, b.ref).data();
    times.push((performance.now() - t) / 1000);
  }
  a.dispose();
  b.dispose();
  f.dispose();
  return (2 * m * k * n) / median(times.slice(1));
}

function fitsPerArchitecture(batch: number, length: number, device: TrainDevice): TrainBench['fits'] {
  return LIKE_NAMES.map((name) => {
    const config = ARCHITECTURES[name];
    let layers = 0;
    let bytes = 0;
    for (let l = 1; l <= config.numLayers; l++) {
      const e = estimateTraining({ config: { ...config, numLayers: l }, batch, length, steps: 1, lora: BENCH_LORA, device });
      if (!e.fits) break;
      layers = l;
      bytes = e.bytes;
    }
    return { name, layers, of: config.numLayers, bytes };
  });
}

export async function benchTraining(engine: EngineWeights, options: BenchOptions): Promise<TrainBench> {
  const { batch = 8, length = 64, steps = 10, rounds = 1, device, reference } = options;
  const c = engine.config;
  const timer = trainTimer(engine, device, batch, length);
  const first = await timer.run(1);
  const times: number[] = [];
  const benchRounds: BenchRound[] = [];
  let dispatches = 0;
  for (let r = 0; r < rounds; r++) {
    const run = await timer.run(steps);
    dispatches = run.dispatches / steps;
    times.push(...run.seconds);
    const glon = median(run.seconds);
    if (!reference) {
      benchRounds.push({ glon });
      continue;
    }
    const other = median(await reference(steps));
    benchRounds.push({ glon, reference: other, ratio: other / glon });
  }
  const profile = options.profileSteps
    ? await profileKernels(options.profileSteps, async () => {
        await timer.run(1);
      })
    : undefined;
  const layout = loraLayout(c, BENCH_LORA);
  const runtime = { scale: loraScale(BENCH_LORA), dropout: 0 };
  const forward = jit((t: np.Array, input: DeviceBatch) => batchLoss(engine, runtime, layout, t, input));
  const rng = new Rng('bench/forward');
  const forwardTimes: number[] = [];
  for (let i = 0; i <= Math.min(steps, 5); i++) {
    const input = randomBatch(rng, c, batch, length);
    const t = performance.now();
    await forward(timer.theta.ref, input).data();
    forwardTimes.push((performance.now() - t) / 1000);
  }
  forward.dispose();
  timer.dispose();

  const trainStepSeconds = median(times);
  const tokens = batch * length;
  const estimate = estimateTraining({ config: c, batch, length, steps: 1, lora: BENCH_LORA, device });
  return {
    batch,
    length,
    firstStepSeconds: first.seconds[0],
    trainStepSeconds,
    trainTokensPerSecond: tokens / trainStepSeconds,
    dispatchesPerStep: dispatches,
    rounds: benchRounds,
    forwardStepSeconds: median(forwardTimes.slice(1)),
    trainFlops: (2 * forwardFlopsPerToken(c, length) * tokens) / trainStepSeconds,
    matmulFlops: await matmulFlops(),
    fits: fitsPerArchitecture(batch, length, device),
    estimatedBytes: estimate.bytes,
    estimatedStepSeconds: estimate.secondsPerStep,
    kernelThreads: device === 'wasm' ? wasmKernelThreads() : 1,
    profile,
  };
}
