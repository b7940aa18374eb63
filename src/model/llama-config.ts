/** A Llama-family `config.json` read into the sizes the jax-js engine needs, checked at the boundary. */
import { z } from 'zod';

export interface LlamaConfig {
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
  return {
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
    bosTokenId: c.bos_token_id ?? undefined,
    eosTokenId: eos ?? undefined,
  };
}

/** Parameter count of the base model (embedding counted once when tied). */
export function parameterCount(c: LlamaConfig): number {
  const q = c.hiddenSize * c.numHeads * c.headDim;
  const kv = 2 * c.hiddenSize * c.numKvHeads * c.headDim;
  const mlp = 3 * c.hiddenSize * c.intermediateSize;
  const layer = 2 * q + kv + mlp + 2 * c.hiddenSize;
  return c.vocabSize * c.hiddenSize * (c.tieWordEmbeddings ? 1 : 2) + c.numLayers * layer + c.hiddenSize;
}
