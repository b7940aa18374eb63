/**
 * Memory and time of a LoRA run, estimated before it starts from the model's shape, the batch and the
 * device, so a run that cannot fit is refused with advice instead of failing minutes in. The constants
 * are measured (jit step, 8x64 tokens, all seven targets): see the comments where they are set.
 */
import { forwardFlopsPerToken, parameterCount, projectionShape, type LlamaConfig } from '../model/llama-config.ts';
import type { LoraConfig } from '../engine/lora.ts';
import { loraLayout } from '../engine/lora.ts';

export type TrainDevice = 'wasm' | 'webgpu';

export interface EstimateInput {
  config: LlamaConfig;
  batch: number;
  /** Padded sequence length of every batch. */
  length: number;
  steps: number;
  lora: LoraConfig;
  device: TrainDevice;
}

export interface TrainEstimate {
  /** Peak bytes the engine needs on the device. */
  bytes: number;
  /** Bytes the device can hold for one allocation space (wasm32: 4 GiB). */
  limit: number;
  seconds: number;
  secondsPerStep: number;
  fits: boolean;
  /** Why it does not fit and what would, when it does not. */
  message?: string;
}

const GiB = 2 ** 30;

/** wasm32 linear memory is addressed with 32 bits. */
export const WASM_LIMIT = 4 * GiB;
/** What a tab can expect to allocate on a typical GPU (maxBufferSize is per buffer; this bounds the total). */
export const WEBGPU_LIMIT = 4 * GiB;

/**
 * The peak of jax-js's WASM memory in a jit LoRA step (8x64 tokens, all seven targets), measured on
 * 2026-12-05 (`glon bench --only training --train-model DIR --train-steps 1`): stories260K 103 MiB,
 * SmolLM2-135M shapes with 2 and 4 layers 1187 and 1473 MiB, SmolLM2-360M with 2 layers 1681 MiB, and a
 * 2-layer Qwen2.5-0.5B over 4 GiB. The two SmolLM2-135M steps give 143 MiB per layer (4.6 float32 values
 * per token and unit of the layer's width sum below: 8 hidden + 3 q + 4 kv + 5 intermediate + 2 heads x
 * length) and, beside the weights and two head-sized copies, 5.7 logit-sized buffers; both are rounded up
 * so that no measured step is above the estimate (SmolLM2-360M was 2% above the unrounded fit).
 */
const ACTIVATION_FACTOR = 5;
/** Logit-sized buffers alive at once in the loss and its gradient (logits, exp, probabilities, ...). */
const LOGIT_COPIES = 7;
/** Head-matrix-sized buffers beside the weights during a step (what SmolLM2-360M's larger head needs beside 135M's). */
const HEAD_COPIES = 2;
/**
 * WASM, with jax-js splitting large kernels across threads (2 on the project's 2-core machine, which a
 * laptop matches or beats): a fixed cost per layer and step (kernel launches; dominates on stories260K),
 * decoder-layer arithmetic at ~25 GFLOP/s, the wide LM head at ~90 GFLOP/s, and the frozen weights read
 * twice a step (forward and backward) at ~9 GB/s, which dominates small batches of a large model. Fitted to
 * steps measured on 2026-12-05 with the bench's timer (since then `glon bench --only training
 * --train-model DIR --train-shape BxL`): stories260K at 1x16, 1x64, 8x64 and 16x128 and SmolLM2-135M shapes
 * with 2 and 4 layers at 1x16, 2x32 and 8x64, each within 21% of its measured step (0.011 to 1.72 s). Not
 * fitted: SmolLM2-360M shapes with 2 layers at 8x64, 2.76 s estimated against 2.55 s measured.
 */
const WASM = { secondsPerLayer: 0.002, layerFlops: 25e9, headFlops: 90e9, weightBytesPerSecond: 9e9 };
/** WebGPU: not measurable here (SwiftShader is a CPU emulation); an assumed integrated-GPU figure. */
const WEBGPU = { secondsPerLayer: 0.01, layerFlops: 1e11, headFlops: 2e11, weightBytesPerSecond: 5e10 };

function loraParameters(c: LlamaConfig, lora: LoraConfig): number {
  return lora.targets.reduce((sum, t) => {
    const [i, o] = projectionShape(c, t);
    return sum + lora.rank * (i + o);
  }, 0) * c.numLayers;
}

/**
 * WebGPU's plan folds the adapters into the weights (see ProjectionPlan in llama.ts): the folded weights of
 * every layer live from the forward pass to the backward one, and a layer's padded deltas
 * [targets, maxIn, maxOut] and their gradient exist one layer at a time.
 */
export function foldedBytes(c: LlamaConfig, lora: LoraConfig): number {
  const layout = loraLayout(c, lora);
  const projections = lora.targets.reduce((sum, t) => sum + projectionShape(c, t).reduce((a, b) => a * b), 0) * c.numLayers;
  return (projections + 2 * lora.targets.length * layout.maxIn * layout.maxOut) * 4;
}

export function estimateTraining(input: EstimateInput): TrainEstimate {
  const { config: c, batch, length, steps, lora, device } = input;
  const tokens = batch * length;
  const q = c.numHeads * c.headDim;
  const kv = c.numKvHeads * c.headDim;
  const width = 8 * c.hiddenSize + 3 * q + 4 * kv + 5 * c.intermediateSize + 2 * c.numHeads * length;
  const activations = ACTIVATION_FACTOR * width * tokens * c.numLayers * 4;
  const logits = LOGIT_COPIES * tokens * c.vocabSize * 4;
  const weights = (parameterCount(c) + (c.tieWordEmbeddings ? 0 : c.vocabSize * c.hiddenSize)) * 4;
  // LoRA factors, their gradients and two AdamW moments.
  const adapter = 4 * loraParameters(c, lora) * 4;
  const head = HEAD_COPIES * c.vocabSize * c.hiddenSize * 4;
  // What does not grow with the batch.
  const fixed = weights + head + adapter + (device === 'webgpu' ? foldedBytes(c, lora) : 0);
  const bytes = fixed + activations + logits;

  // Frozen base: the backward pass needs input gradients only, about the forward's FLOPs again.
  const headFlops = 2 * 2 * c.vocabSize * c.hiddenSize * tokens;
  const layerFlops = 2 * forwardFlopsPerToken(c, length) * tokens - headFlops;
  const speed = device === 'wasm' ? WASM : WEBGPU;
  const secondsPerStep =
    headFlops / speed.headFlops + layerFlops / speed.layerFlops + (2 * weights) / speed.weightBytesPerSecond + speed.secondsPerLayer * c.numLayers;
  const limit = device === 'wasm' ? WASM_LIMIT : WEBGPU_LIMIT;
  const fits = bytes <= limit;
  let message: string | undefined;
  if (!fits) {
    const perRow = (bytes - fixed) / batch;
    const rows = Math.floor((limit - fixed) / perRow);
    const advice =
      rows >= 1
        ? `a batch of ${rows} would fit`
        : `even one sequence does not fit: use a smaller model${device === 'wasm' ? ' or WebGPU' : ''}`;
    message =
      `training needs about ${(bytes / GiB).toFixed(1)} GiB on ${device === 'wasm' ? 'WASM' : 'WebGPU'}, ` +
      `over its ${(limit / GiB).toFixed(0)} GiB limit (weights ${(weights / GiB).toFixed(2)} GiB, activations for ` +
      `${batch}x${length} tokens ${((activations + logits) / GiB).toFixed(2)} GiB); ${advice}`;
  }
  return { bytes, limit, seconds: secondsPerStep * steps, secondsPerStep, fits, message };
}
