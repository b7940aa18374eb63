/**
 * The decoder shapes glon can write with random weights: exact copies of published configs, so that a
 * benchmark on a `make-model` file costs what the real model would. Numbers from each model's config.json.
 */
import type { LlamaConfig } from './llama-config.ts';

export interface SpecialToken {
  id: number;
  content: string;
}

export const LIKE_NAMES = ['smollm2-135m', 'smollm2-360m', 'qwen2.5-0.5b'] as const;
export type LikeName = (typeof LIKE_NAMES)[number];

/** What the two SmolLM2 sizes share. */
const SMOLLM2 = {
  modelType: 'llama',
  headDim: 64,
  vocabSize: 49152,
  maxPositions: 8192,
  ropeTheta: 100000,
  rmsNormEps: 1e-5,
  tieWordEmbeddings: true,
  attentionBias: false,
  bosTokenId: 0,
  eosTokenId: 0,
} as const;

/** Shapes of the hub models `HuggingFaceTB/SmolLM2-135M`, `HuggingFaceTB/SmolLM2-360M` and `Qwen/Qwen2.5-0.5B`. */
export const ARCHITECTURES: Record<LikeName, LlamaConfig> = {
  'smollm2-135m': { ...SMOLLM2, hiddenSize: 576, intermediateSize: 1536, numLayers: 30, numHeads: 9, numKvHeads: 3, initializerRange: 0.041666666666666664 },
  'smollm2-360m': { ...SMOLLM2, hiddenSize: 960, intermediateSize: 2560, numLayers: 32, numHeads: 15, numKvHeads: 5, initializerRange: 0.02 },
  'qwen2.5-0.5b': {
    modelType: 'qwen2',
    hiddenSize: 896,
    intermediateSize: 4864,
    numLayers: 24,
    numHeads: 14,
    numKvHeads: 2,
    headDim: 64,
    vocabSize: 151936,
    maxPositions: 32768,
    ropeTheta: 1000000,
    rmsNormEps: 1e-6,
    tieWordEmbeddings: true,
    attentionBias: true,
    initializerRange: 0.02,
    bosTokenId: 151643,
    eosTokenId: 151643,
  },
};

const SMOLLM2_SPECIALS: SpecialToken[] = [
  { id: 0, content: '<|endoftext|>' },
  { id: 1, content: '<|im_start|>' },
  { id: 2, content: '<|im_end|>' },
];

/** Control tokens of each model's tokenizer at their fixed ids; make-model's tokenizer fills every other id. */
export const SPECIAL_TOKENS: Record<LikeName, readonly SpecialToken[]> = {
  'smollm2-135m': SMOLLM2_SPECIALS,
  'smollm2-360m': SMOLLM2_SPECIALS,
  'qwen2.5-0.5b': [
    { id: 151643, content: '<|endoftext|>' },
    { id: 151644, content: '<|im_start|>' },
    { id: 151645, content: '<|im_end|>' },
  ],
};

export function isLikeName(name: string): name is LikeName {
  return (LIKE_NAMES as readonly string[]).includes(name);
}
