/**
 * Training-engine benchmark for `glon bench`: LoRA training tokens/s at a fixed batch shape, the
 * forward-only step time, achieved FLOP/s against the engine's own jit matmul FLOP/s, and which known
 * architectures fit in memory for training on the device (by the estimate used to refuse runs).
 */
import { jit, numpy as np, random } from '@jax-js/jax';
import { Rng } from '../data/rng.ts';
import { ARCHITECTURES, LIKE_NAMES, configJson } from '../model/architectures.ts';
import { parseLlamaConfig, type LlamaConfig } from '../model/llama-config.ts';
import { PROJECTIONS } from '../model/onnx-weights.ts';
import { ADAMW_DEFAULTS, initAdamW } from './adamw.ts';
import { estimateTraining, forwardFlopsPerToken, type TrainDevice } from './estimate.ts';
import type { EngineWeights } from './llama.ts';
import { profileKernels, type KernelProfile } from './kernel-profile.ts';
import { initLora, loraScale } from './lora.ts';
import { batchLoss, loraLayout, makeTrainStep, packLora, type DeviceBatch } from './step.ts';

export interface BenchOptions {
  batch?: number;
  length?: number;
  /** Timed steps after the first (compiling) one. */
  steps?: number;
  device: TrainDevice;
  /** Also run this many steps under jax-js's profiler and report the kernel breakdown. */
  profileSteps?: number;
}

export interface TrainBench {
  batch: number;
  length: number;
  firstStepSeconds: number;
  trainStepSeconds: number;
  trainTokensPerSecond: number;
  forwardStepSeconds: number;
  /** Model FLOPs of a training step / its time. */
  trainFlops: number;
  /** jit matmul 512x576 @ 576x1536 on the same device. */
  matmulFlops: number;
  /** Per known architecture: the most layers whose LoRA training fits in the device's memory at this batch (estimated). */
  fits: { name: string; layers: number; of: number; bytes: number }[];
  /** Bytes the estimate that refuses runs predicts for this model at this batch. */
  estimatedBytes: number;
  profile?: KernelProfile;
}

function median(xs: number[]): number {
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

export async function benchTraining(engine: EngineWeights, options: BenchOptions): Promise<TrainBench> {
  const { batch = 8, length = 64, steps = 10, device } = options;
  const c = engine.config;
  const rng = new Rng('bench/train');
  const lora = { rank: 8, alpha: 16, dropout: 0, targets: PROJECTIONS };
  const layout = loraLayout(c, lora);
  const runtime = { scale: loraScale(lora), dropout: 0 };
  let theta = np.array(packLora(initLora(c, lora, rng.fork('init')), layout), { dtype: np.float32 });
  let state = initAdamW([theta]);
  const step = makeTrainStep(engine, runtime, layout, ADAMW_DEFAULTS);
  let stepIndex = 0;
  const trainOnce = async () => {
    const input = randomBatch(rng, c, batch, length);
    const r = step(theta, state, input, np.array(1e-3, { dtype: np.float32 }), np.array([1, 1], { dtype: np.float32 }), random.key(stepIndex++));
    theta = r.theta;
    state = r.state;
    await r.loss.data();
    r.gradNorm.dispose();
  };
  const times: number[] = [];
  for (let i = 0; i <= steps; i++) {
    const t = performance.now();
    await trainOnce();
    times.push((performance.now() - t) / 1000);
  }
  const profile = options.profileSteps ? await profileKernels(options.profileSteps, trainOnce) : undefined;
  const forward = jit((t: np.Array, input: DeviceBatch) => batchLoss(engine, runtime, layout, t, input));
  const forwardTimes: number[] = [];
  for (let i = 0; i <= Math.min(steps, 5); i++) {
    const input = randomBatch(rng, c, batch, length);
    const t = performance.now();
    await forward(theta.ref, input).data();
    forwardTimes.push((performance.now() - t) / 1000);
  }
  forward.dispose();
  for (const a of [theta, ...state.m, ...state.v]) a.dispose();

  const trainStepSeconds = median(times.slice(1));
  const tokens = batch * length;
  const fits = LIKE_NAMES.map((name) => {
    const arch = ARCHITECTURES[name];
    const config = parseLlamaConfig(configJson(arch));
    let layers = 0;
    let bytes = 0;
    for (let l = 1; l <= arch.numLayers; l++) {
      const e = estimateTraining({ config: { ...config, numLayers: l }, batch, length, steps: 1, lora, device });
      if (!e.fits) break;
      layers = l;
      bytes = e.bytes;
    }
    return { name, layers, of: arch.numLayers, bytes };
  });
  return {
    batch,
    length,
    firstStepSeconds: times[0],
    trainStepSeconds,
    trainTokensPerSecond: tokens / trainStepSeconds,
    forwardStepSeconds: median(forwardTimes.slice(1)),
    trainFlops: (2 * forwardFlopsPerToken(c, length) * tokens) / trainStepSeconds,
    matmulFlops: await matmulFlops(),
    fits,
    estimatedBytes: estimateTraining({ config: c, batch, length, steps: 1, lora, device }).bytes,
    profile,
  };
}
