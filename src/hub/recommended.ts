/**
 * Models that can show the study's effects, offered in the Model step for one-click download. None can be
 * measured from here (no hub access): every figure is computed from the model's published shape
 * (architectures.ts) by the rules below, and the page labels them "estimated" with how.
 */
import { ARCHITECTURES, type LikeName } from '../model/architectures.ts';
import { forwardFlopsPerToken, parameterCount } from '../model/llama-config.ts';
import type { Dtype } from '../model/language-model.ts';

export interface RecommendedModel {
  /** The hub id transformers.js loads it by (a repository with onnx/ files of each dtype). */
  id: string;
  name: string;
  like: LikeName;
  /** What a student can expect to see with it. */
  shows: string;
}

export const RECOMMENDED: readonly RecommendedModel[] = [
  {
    id: 'HuggingFaceTB/SmolLM2-135M-Instruct',
    name: 'SmolLM2-135M-Instruct',
    like: 'smollm2-135m',
    shows: 'The smallest instruction-tuned model here and the lab\'s default: the quickest way to compare ICL with fine-tuning. Its own augmentations are expected to be short and often off the mark.',
  },
  {
    id: 'HuggingFaceTB/SmolLM2-360M-Instruct',
    name: 'SmolLM2-360M-Instruct',
    like: 'smollm2-360m',
    shows: 'The same family at 2.7x the size: expected to follow the augmentation prompts better, so ft+local and ft+global have more to train on.',
  },
  {
    id: 'onnx-community/Qwen2.5-0.5B-Instruct',
    name: 'Qwen2.5-0.5B-Instruct',
    like: 'qwen2.5-0.5b',
    shows: 'The largest here, with a 32K-token context (the paper-size datasets fit in context); its 152K-token vocabulary makes it the biggest download.',
  },
];

/**
 * Bytes per weight of each dtype's ONNX file: fp32 and fp16 exactly; q8 one byte; q4 half a byte plus a
 * 32-bit scale per block of 32. Real files differ by what an exporter keeps in higher precision (norms,
 * sometimes the embedding), so these are estimates.
 */
export const BYTES_PER_WEIGHT: Record<Dtype, number> = { fp32: 4, fp16: 2, q8: 1, q4: 0.5 + 4 / 32 };

/**
 * Measured by `npm run bench` on a 2-core CPU (README, Speed): ICL scoring of a SmolLM2-135M-sized model on
 * WASM at ~5 items/s. Other models are scaled by their forward FLOPs per token.
 */
export const MEASURED_WASM_ITEMS_PER_SECOND = { like: 'smollm2-135m', itemsPerSecond: 5 } as const;
/** Tokens of a typical scored sequence (prompt and option after a reused context), for the FLOPs ratio. */
const SCORED_LENGTH = 64;
/**
 * Measured on an NVIDIA H200 through Dawn's WebGPU (/work/shared/notes/webgpu-gpu.md): LoRA training of the
 * SmolLM2-135M shape at 333 tokens/s (batch 8x64). That step was bound by kernel dispatches (per layer),
 * a bigger one may be bound by arithmetic: other models are scaled by the larger of the two ratios.
 */
const MEASURED_WEBGPU_TRAINING = { like: MEASURED_WASM_ITEMS_PER_SECOND.like, tokensPerSecond: 333 } as const;

export interface ModelFigures {
  parameters: number;
  /** Estimated download size of each dtype. */
  bytes: Record<Dtype, number>;
  /** Estimated ICL scoring speed on WASM, from the 135M measurement scaled by FLOPs. */
  wasmItemsPerSecond: number;
  /** Estimated LoRA training speed on WebGPU, from the 135M measurement scaled by layers or FLOPs. */
  webgpuTokensPerSecond: number;
}

export function modelFigures(model: Pick<RecommendedModel, 'like'>): ModelFigures {
  const config = ARCHITECTURES[model.like];
  const parameters = parameterCount(config);
  const bytes = Object.fromEntries(Object.entries(BYTES_PER_WEIGHT).map(([dtype, b]) => [dtype, Math.round(parameters * b)])) as Record<Dtype, number>;
  const reference = ARCHITECTURES[MEASURED_WASM_ITEMS_PER_SECOND.like];
  const speedup = forwardFlopsPerToken(reference, SCORED_LENGTH) / forwardFlopsPerToken(config, SCORED_LENGTH);
  const gpuReference = ARCHITECTURES[MEASURED_WEBGPU_TRAINING.like]; // the same model as the WASM reference
  return {
    parameters,
    bytes,
    wasmItemsPerSecond: MEASURED_WASM_ITEMS_PER_SECOND.itemsPerSecond * speedup,
    webgpuTokensPerSecond: MEASURED_WEBGPU_TRAINING.tokensPerSecond * Math.min(gpuReference.numLayers / config.numLayers, speedup),
  };
}

/** How each figure was estimated, shown beside them. */
export const FIGURES_NOTE =
  'Estimated, not measured: sizes from the parameter count (4, 2, 1 and 0.625 bytes per weight for fp32, fp16, q8, q4); ' +
  'memory while loading about twice the download; WASM speed from the 135M model\'s measured 5 items/s on a 2-core CPU ' +
  '(npm run bench), scaled by FLOPs per token; WebGPU fine-tuning speed from the 135M shape\'s 333 tokens/s measured on an ' +
  'NVIDIA H200 (batch 8x64), scaled by the larger of the layer and FLOP ratios (a smaller GPU is slower). Fine-tuning these needs WebGPU: their LoRA ' +
  'step does not fit WASM\'s 4 GiB. The download shows each file\'s real size.';
