/**
 * The training step, jit-compiled once per model and batch shape: forward with LoRA, hand-written
 * cross-entropy gradient, clipped AdamW update. Base weights are closed over (constants of the trace);
 * the LoRA factors travel as one parameter vector (see LoraLayout).
 */
import { jit, numpy as np, valueAndGrad } from '@jax-js/jax';
import type { LlamaConfig } from '../model/llama-config.ts';
import type { Projection } from '../model/onnx-weights.ts';
import { adamWUpdate, type AdamWOptions, type AdamWState } from './adamw.ts';
import { forwardHidden, type EngineWeights, type LoraLayer, type LoraRuntime } from './llama.ts';
import { crossEntropy } from './loss.ts';
import { projectionShape, type HostFactors, type LoraAdapter, type LoraConfig } from './lora.ts';

/** One batch on the device: int32 tokens, positions and targets [B, T]; float32 loss weights [B, T]. */
export interface DeviceBatch {
  tokens: np.Array;
  positions: np.Array;
  targets: np.Array;
  weights: np.Array;
}

/**
 * Where each LoRA factor sits in the one parameter vector the step trains. One vector instead of a list
 * of 2 x layers x targets arrays: the optimizer then runs a handful of kernels instead of hundreds
 * (a jit step's cost on small models is mostly per-kernel overhead).
 */
export interface LoraLayout {
  layers: number;
  targets: readonly Projection[];
  rank: number;
  /** [in, out] of each target. */
  shapes: Readonly<Partial<Record<Projection, readonly [number, number]>>>;
  size: number;
}

export function loraLayout(config: LlamaConfig, lora: LoraConfig): LoraLayout {
  const shapes: Partial<Record<Projection, [number, number]>> = {};
  let perLayer = 0;
  for (const t of lora.targets) {
    const [i, o] = projectionShape(config, t);
    shapes[t] = [i, o];
    perLayer += lora.rank * (i + o);
  }
  return { layers: config.numLayers, targets: lora.targets, rank: lora.rank, shapes, size: perLayer * config.numLayers };
}

/** The adapter's factors, in layout order (layer, target, A then B), as one host vector. */
export function packLora(adapter: LoraAdapter, layout: LoraLayout): Float32Array<ArrayBuffer> {
  const out = new Float32Array(layout.size);
  let at = 0;
  for (let i = 0; i < layout.layers; i++)
    for (const t of layout.targets) {
      const f = adapter.layers[i][t]!;
      out.set(f.a, at);
      out.set(f.b, at + f.a.length);
      at += f.a.length + f.b.length;
    }
  return out;
}

export function unpackLora(theta: Float32Array, layout: LoraLayout, config: LoraConfig): LoraAdapter {
  let at = 0;
  const take = (n: number) => theta.slice(at, (at += n));
  const layers = Array.from({ length: layout.layers }, () => {
    const layer: Partial<Record<Projection, HostFactors>> = {};
    for (const t of layout.targets) {
      const [i, o] = layout.shapes[t]!;
      layer[t] = { a: take(i * layout.rank), b: take(layout.rank * o), in: i, out: o };
    }
    return layer;
  });
  return { config, layers };
}

/**
 * The parameter vector cut into per-layer factors (the vector is borrowed, not consumed). One `split`
 * rather than a slice per factor: its gradient is one concatenation, where slices' gradients are a
 * full-length padded copy per factor, summed.
 */
export function loraViews(theta: np.Array, layout: LoraLayout): LoraLayer[] {
  const shapes: [number, number][] = [];
  for (let l = 0; l < layout.layers; l++)
    for (const t of layout.targets) {
      const [i, o] = layout.shapes[t]!;
      shapes.push([i, layout.rank], [layout.rank, o]);
    }
  const ends: number[] = [];
  let at = 0;
  for (const [rows, cols] of shapes.slice(0, -1)) ends.push((at += rows * cols));
  const pieces = np.split(theta.ref, ends).map((piece, n) => piece.reshape(shapes[n]));
  return Array.from({ length: layout.layers }, () => {
    const layer: LoraLayer = {};
    for (const t of layout.targets) layer[t] = { a: pieces.shift()!, b: pieces.shift()! };
    return layer;
  });
}

/** Mean next-token loss of a batch under the LoRA parameter vector `theta` (differentiable in it; consumed). */
export function batchLoss(
  w: EngineWeights,
  runtime: LoraRuntime,
  layout: LoraLayout,
  theta: np.Array,
  batch: DeviceBatch,
  dropoutKey?: np.Array,
): np.Array {
  const hidden = forwardHidden(w, loraViews(theta, layout), runtime, batch.tokens, batch.positions, dropoutKey);
  theta.dispose();
  return crossEntropy(w, hidden, batch.targets, batch.weights);
}

export interface StepResult {
  theta: np.Array;
  state: AdamWState;
  loss: np.Array;
  gradNorm: np.Array;
}

export type TrainStep = (
  theta: np.Array,
  state: AdamWState,
  batch: DeviceBatch,
  lr: np.Array,
  correction: np.Array,
  dropoutKey: np.Array,
) => StepResult;

export function makeTrainStep(w: EngineWeights, runtime: LoraRuntime, layout: LoraLayout, opts: AdamWOptions): TrainStep {
  const useDropout = runtime.dropout > 0;
  // jit's typing wants a JsTree result; the step returns one (a record of arrays and lists of arrays).
  const step = (theta: np.Array, state: AdamWState, batch: DeviceBatch, lr: np.Array, correction: np.Array, dropoutKey: np.Array) => {
    const key = useDropout ? dropoutKey : undefined;
    if (!useDropout) dropoutKey.dispose();
    const [loss, grad] = valueAndGrad((t: np.Array) => batchLoss(w, runtime, layout, t, batch, key))(theta.ref);
    const update = adamWUpdate([theta], [grad], state, lr, correction, opts);
    return { theta: update.params[0], state: update.state, loss, gradNorm: update.gradNorm };
  };
  return jit(step as never) as unknown as TrainStep;
}
