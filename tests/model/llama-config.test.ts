import { describe, expect, it } from 'vitest';
import { ARCHITECTURES, LIKE_NAMES } from '../../src/model/architectures.ts';
import { configJson, parseLlamaConfig, PROJECTION_MODULES, PROJECTIONS, projectionShape } from '../../src/model/llama-config.ts';

const MINIMAL = { vocab_size: 32, hidden_size: 8, intermediate_size: 16, num_hidden_layers: 2, num_attention_heads: 2 };

describe('the model config', () => {
  it('reads back from the config.json it writes, for every architecture make-model copies', () => {
    for (const like of LIKE_NAMES) expect(parseLlamaConfig(configJson(ARCHITECTURES[like]))).toEqual(ARCHITECTURES[like]);
  });

  it('takes q/k/v biases from attention_bias, and from the model type for Qwen2, whose config.json does not say', () => {
    expect(parseLlamaConfig({ ...MINIMAL, model_type: 'llama' }).attentionBias).toBe(false);
    expect(parseLlamaConfig({ ...MINIMAL, model_type: 'llama', attention_bias: true }).attentionBias).toBe(true);
    expect(parseLlamaConfig({ ...MINIMAL, model_type: 'qwen2' }).attentionBias).toBe(true);
  });

  it('names the transformers.js class family: Qwen2, or Llama for every other Llama-style type', () => {
    expect(parseLlamaConfig({ ...MINIMAL, model_type: 'qwen2' }).modelType).toBe('qwen2');
    for (const type of ['llama', 'mistral', 'smollm2', undefined]) expect(parseLlamaConfig({ ...MINIMAL, model_type: type }).modelType).toBe('llama');
  });

  it('defaults an absent initializer_range to Hugging Face\'s 0.02 and refuses a negative one in one line', () => {
    expect(parseLlamaConfig(MINIMAL).initializerRange).toBe(0.02);
    expect(() => parseLlamaConfig({ ...MINIMAL, initializer_range: -1 })).toThrow(/^config\.json: initializer_range: /);
  });

  it('gives each projection its [in, out] shape and its Hugging Face module name', () => {
    const c = ARCHITECTURES['qwen2.5-0.5b'];
    expect(Object.fromEntries(PROJECTIONS.map((p) => [p, projectionShape(c, p)]))).toEqual({
      q: [896, 896], k: [896, 128], v: [896, 128], o: [896, 896], gate: [896, 4864], up: [896, 4864], down: [4864, 896],
    });
    expect(PROJECTIONS.map((p) => PROJECTION_MODULES[p])).toEqual([
      'self_attn.q_proj', 'self_attn.k_proj', 'self_attn.v_proj', 'self_attn.o_proj', 'mlp.gate_proj', 'mlp.up_proj', 'mlp.down_proj',
    ]);
  });
});
