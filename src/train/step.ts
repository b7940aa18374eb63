/**
 * The training step, jit-compiled once per model and batch shape: forward with LoRA, hand-written
 * cross-entropy gradient, clipped AdamW update. Base weights are closed over (constants of the trace);
 * the LoRA factors travel as one parameter vector (see LoraLayout in lora.ts).
 */
import { jit, numpy as np, valueAndGrad } from '@jax-js/jax';
import { adamWUpdate, type AdamWOptions, type AdamWState } from '../engine/adamw.ts';
import { forwardHidden, type EngineWeights, type LoraRuntime } from '../engine/llama.ts';
import { crossEntropy } from '../engine/loss.ts';
import { loraViews, type LoraLayout } from '../engine/lora.ts';

/** One batch on the device: int32 tokens, positions and targets [B, T]; float32 loss weights [B, T]. */
export interface DeviceBatch {
  tokens: np.Array;
  positions: np.Array;
  targets: np.Array;
  weights: np.Array;
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
