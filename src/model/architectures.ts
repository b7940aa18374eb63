/**
 * The decoder shapes glon can write with random weights: exact copies of published configs, so that a
 * benchmark on a `make-model` file costs what the real model would. Numbers from each model's config.json.
 */

export interface SpecialToken {
  id: number;
  content: string;
}

/** A Llama-family decoder (Llama, SmolLM2, Qwen2): RMSNorm, RoPE (rotate_half), GQA, SwiGLU. */
export interface Architecture {
  /** config.json `model_type`: picks the transformers.js model class. */
  modelType: 'llama' | 'qwen2';
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  vocabSize: number;
  maxPositionEmbeddings: number;
  ropeTheta: number;
  rmsNormEps: number;
  tieWordEmbeddings: boolean;
  /** Qwen2 has biases on the q, k and v projections. */
  attentionBias: boolean;
  /** Standard deviation of the random normal weights (the model's own `initializer_range`). */
  initializerRange: number;
  bosTokenId: number;
  eosTokenId: number;
  /** Control tokens at fixed ids; the tokenizer fills every other id. */
  specialTokens: readonly SpecialToken[];
}

export const LIKE_NAMES = ['smollm2-135m', 'smollm2-360m', 'qwen2.5-0.5b'] as const;
export type LikeName = (typeof LIKE_NAMES)[number];

const SMOLLM2_SPECIALS: SpecialToken[] = [
  { id: 0, content: '<|endoftext|>' },
  { id: 1, content: '<|im_start|>' },
  { id: 2, content: '<|im_end|>' },
];

/** Shapes of the hub models `HuggingFaceTB/SmolLM2-135M`, `HuggingFaceTB/SmolLM2-360M` and `Qwen/Qwen2.5-0.5B`. */
export const ARCHITECTURES: Record<LikeName, Architecture> = {
  'smollm2-135m': {
    modelType: 'llama',
    hiddenSize: 576,
    intermediateSize: 1536,
    numLayers: 30,
    numHeads: 9,
    numKvHeads: 3,
    headDim: 64,
    vocabSize: 49152,
    maxPositionEmbeddings: 8192,
    ropeTheta: 100000,
    rmsNormEps: 1e-5,
    tieWordEmbeddings: true,
    attentionBias: false,
    initializerRange: 0.041666666666666664,
    bosTokenId: 0,
    eosTokenId: 0,
    specialTokens: SMOLLM2_SPECIALS,
  },
  'smollm2-360m': {
    modelType: 'llama',
    hiddenSize: 960,
    intermediateSize: 2560,
    numLayers: 32,
    numHeads: 15,
    numKvHeads: 5,
    headDim: 64,
    vocabSize: 49152,
    maxPositionEmbeddings: 8192,
    ropeTheta: 100000,
    rmsNormEps: 1e-5,
    tieWordEmbeddings: true,
    attentionBias: false,
    initializerRange: 0.02,
    bosTokenId: 0,
    eosTokenId: 0,
    specialTokens: SMOLLM2_SPECIALS,
  },
  'qwen2.5-0.5b': {
    modelType: 'qwen2',
    hiddenSize: 896,
    intermediateSize: 4864,
    numLayers: 24,
    numHeads: 14,
    numKvHeads: 2,
    headDim: 64,
    vocabSize: 151936,
    maxPositionEmbeddings: 32768,
    ropeTheta: 1000000,
    rmsNormEps: 1e-6,
    tieWordEmbeddings: true,
    attentionBias: true,
    initializerRange: 0.02,
    bosTokenId: 151643,
    eosTokenId: 151643,
    specialTokens: [
      { id: 151643, content: '<|endoftext|>' },
      { id: 151644, content: '<|im_start|>' },
      { id: 151645, content: '<|im_end|>' },
    ],
  },
};

export function isLikeName(name: string): name is LikeName {
  return (LIKE_NAMES as readonly string[]).includes(name);
}

/** The Hugging Face config.json that makes transformers.js pick the right class and cache shapes. */
export function configJson(arch: Architecture): Record<string, unknown> {
  const common = {
    architectures: [arch.modelType === 'qwen2' ? 'Qwen2ForCausalLM' : 'LlamaForCausalLM'],
    model_type: arch.modelType,
    vocab_size: arch.vocabSize,
    hidden_size: arch.hiddenSize,
    intermediate_size: arch.intermediateSize,
    num_hidden_layers: arch.numLayers,
    num_attention_heads: arch.numHeads,
    num_key_value_heads: arch.numKvHeads,
    head_dim: arch.headDim,
    max_position_embeddings: arch.maxPositionEmbeddings,
    hidden_act: 'silu',
    rms_norm_eps: arch.rmsNormEps,
    rope_theta: arch.ropeTheta,
    rope_scaling: null,
    tie_word_embeddings: arch.tieWordEmbeddings,
    initializer_range: arch.initializerRange,
    bos_token_id: arch.bosTokenId,
    eos_token_id: arch.eosTokenId,
    torch_dtype: 'float32',
    use_cache: true,
  };
  return arch.modelType === 'llama'
    ? { ...common, attention_bias: arch.attentionBias, mlp_bias: false }
    : { ...common, use_sliding_window: false, sliding_window: arch.maxPositionEmbeddings, max_window_layers: arch.numLayers };
}
