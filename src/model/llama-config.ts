/**
 * The one description of a Llama-family decoder (Llama, SmolLM2, Qwen2: RMSNorm, RoPE in the rotate_half
 * layout, grouped-query attention, SwiGLU): its sizes and its projections. A model's `config.json` is read
 * into it (`parseLlamaConfig`, checked at the boundary) and written from it (`configJson`) here only.
 */
import { z } from 'zod';

/** The seven projections of a layer, in the order they run. */
export const PROJECTIONS = ['q', 'k', 'v', 'o', 'gate', 'up', 'down'] as const;
export type Projection = (typeof PROJECTIONS)[number];

/** Each projection's module inside a layer, as Hugging Face checkpoints and PEFT adapters name it. */
export const PROJECTION_MODULES: Record<Projection, string> = {
  q: 'self_attn.q_proj',
  k: 'self_attn.k_proj',
  v: 'self_attn.v_proj',
  o: 'self_attn.o_proj',
  gate: 'mlp.gate_proj',
  up: 'mlp.up_proj',
  down: 'mlp.down_proj',
};

export interface LlamaConfig {
  /** config.json `model_type` as transformers.js picks its class by it: Qwen2, or the Llama class for every other. */
  modelType: 'llama' | 'qwen2';
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  ropeTheta: number;
  rmsNormEps: number;
  tieWordEmbeddings: boolean;
  maxPositions: number;
  /** Output biases on the q, k and v projections (Qwen2 has them). */
  attentionBias: boolean;
  /** Standard deviation of an untrained model's normal weights. */
  initializerRange: number;
  bosTokenId?: number;
  eosTokenId?: number;
}

const positive = z.number().int().positive();
const schema = z.object({
  model_type: z.string().optional(),
  vocab_size: positive,
  hidden_size: positive,
  intermediate_size: positive,
  num_hidden_layers: positive,
  num_attention_heads: positive,
  num_key_value_heads: positive.optional(),
  head_dim: positive.optional(),
  rope_theta: z.number().positive().optional(),
  rms_norm_eps: z.number().positive().optional(),
  tie_word_embeddings: z.boolean().optional(),
  max_position_embeddings: positive.optional(),
  attention_bias: z.boolean().optional(),
  initializer_range: z.number().nonnegative().optional(),
  bos_token_id: z.number().int().nullish(),
  eos_token_id: z.union([z.number().int(), z.array(z.number().int())]).nullish(),
  hidden_act: z.string().optional(),
});

const LLAMA_LIKE = ['llama', 'mistral', 'qwen2', 'smollm', 'smollm2'];

export function parseLlamaConfig(json: unknown): LlamaConfig {
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`config.json: ${issue.path.join('.') || 'root'}: ${issue.message}`);
  }
  const c = parsed.data;
  if (c.model_type && !LLAMA_LIKE.includes(c.model_type))
    throw new Error(`config.json: model_type "${c.model_type}" is not a Llama-style model (${LLAMA_LIKE.join(', ')})`);
  if (c.hidden_act && c.hidden_act !== 'silu') throw new Error(`config.json: hidden_act "${c.hidden_act}" is not supported (silu only)`);
  const numKvHeads = c.num_key_value_heads ?? c.num_attention_heads;
  if (c.num_attention_heads % numKvHeads !== 0)
    throw new Error(`config.json: num_attention_heads ${c.num_attention_heads} is not a multiple of num_key_value_heads ${numKvHeads}`);
  const headDim = c.head_dim ?? c.hidden_size / c.num_attention_heads;
  if (!Number.isInteger(headDim) || headDim % 2 !== 0) throw new Error(`config.json: head size ${headDim} must be an even integer`);
  const eos = Array.isArray(c.eos_token_id) ? c.eos_token_id[0] : c.eos_token_id;
  const modelType = c.model_type === 'qwen2' ? 'qwen2' : 'llama';
  return {
    modelType,
    vocabSize: c.vocab_size,
    hiddenSize: c.hidden_size,
    intermediateSize: c.intermediate_size,
    numLayers: c.num_hidden_layers,
    numHeads: c.num_attention_heads,
    numKvHeads,
    headDim,
    ropeTheta: c.rope_theta ?? 10000,
    rmsNormEps: c.rms_norm_eps ?? 1e-5,
    tieWordEmbeddings: c.tie_word_embeddings ?? false,
    maxPositions: c.max_position_embeddings ?? 2048,
    // Hugging Face's Qwen2 always has q/k/v biases and its config does not say so.
    attentionBias: c.attention_bias ?? modelType === 'qwen2',
    initializerRange: c.initializer_range ?? 0.02,
    bosTokenId: c.bos_token_id ?? undefined,
    eosTokenId: eos ?? undefined,
  };
}

/** The Hugging Face config.json that makes transformers.js pick the right class and cache shapes. */
export function configJson(c: LlamaConfig): Record<string, unknown> {
  const common = {
    architectures: [c.modelType === 'qwen2' ? 'Qwen2ForCausalLM' : 'LlamaForCausalLM'],
    model_type: c.modelType,
    vocab_size: c.vocabSize,
    hidden_size: c.hiddenSize,
    intermediate_size: c.intermediateSize,
    num_hidden_layers: c.numLayers,
    num_attention_heads: c.numHeads,
    num_key_value_heads: c.numKvHeads,
    head_dim: c.headDim,
    max_position_embeddings: c.maxPositions,
    hidden_act: 'silu',
    rms_norm_eps: c.rmsNormEps,
    rope_theta: c.ropeTheta,
    rope_scaling: null,
    tie_word_embeddings: c.tieWordEmbeddings,
    initializer_range: c.initializerRange,
    bos_token_id: c.bosTokenId,
    eos_token_id: c.eosTokenId,
    torch_dtype: 'float32',
    use_cache: true,
  };
  return c.modelType === 'llama'
    ? { ...common, attention_bias: c.attentionBias, mlp_bias: false }
    : { ...common, use_sliding_window: false, sliding_window: c.maxPositions, max_window_layers: c.numLayers };
}

/** [in, out] of a projection. */
export function projectionShape(c: LlamaConfig, p: Projection): [number, number] {
  const q = c.numHeads * c.headDim;
  const kv = c.numKvHeads * c.headDim;
  const shapes: Record<Projection, [number, number]> = {
    q: [c.hiddenSize, q],
    k: [c.hiddenSize, kv],
    v: [c.hiddenSize, kv],
    o: [q, c.hiddenSize],
    gate: [c.hiddenSize, c.intermediateSize],
    up: [c.hiddenSize, c.intermediateSize],
    down: [c.intermediateSize, c.hiddenSize],
  };
  return shapes[p];
}

/** Parameter count of the base model (embedding counted once when tied). */
export function parameterCount(c: LlamaConfig): number {
  const q = c.hiddenSize * c.numHeads * c.headDim;
  const kv = 2 * c.hiddenSize * c.numKvHeads * c.headDim;
  const mlp = 3 * c.hiddenSize * c.intermediateSize;
  const layer = 2 * q + kv + mlp + 2 * c.hiddenSize;
  return c.vocabSize * c.hiddenSize * (c.tieWordEmbeddings ? 1 : 2) + c.numLayers * layer + c.hiddenSize;
}

/** Matmul FLOPs of one token through the model (forward): 2 per weight, plus attention over `length`. */
export function forwardFlopsPerToken(c: LlamaConfig, length: number): number {
  // The input embedding is a gather, not a matmul; the head is one (tied or not).
  const weights = parameterCount(c) - (c.tieWordEmbeddings ? 0 : c.vocabSize * c.hiddenSize);
  const attention = 2 * 2 * c.numHeads * c.headDim * (length / 2);
  return 2 * weights + c.numLayers * attention;
}
