/**
 * ONNX Runtime GenAI's builder output (tests/fixtures/exports/genai-tiny-llama-fp16): contrib-op graph
 * (SimplifiedLayerNormalization, RotaryEmbedding, MultiHeadAttention), fp16, weights in external data.
 * The reader maps every weight to the builder's own initializers (named after the Hugging Face
 * parameters); glon scores it through its loader with a cached context although the graph takes several
 * new tokens only without a past; the jax-js forward matches ORT; LoRA trains on it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { beforeAll, describe, expect, it } from 'vitest';
import { halfToFloat } from '../../src/onnx/dequantize.ts';
import { externalDataBeside } from '../../src/onnx/external-data-node.ts';
import type { ScoreRequest } from '../../src/model/language-model.ts';
import { loadModelNode } from '../../src/runtime/load-node.ts';
import { withoutPrefixReuse } from '../../src/eval/naive-scoring.ts';
import { OnnxWeightError, readOnnxWeights } from '../../src/onnx/onnx-weights.ts';
import type { Matrix } from '../../src/model/llama-weights.ts';
import { startEngine } from '../../src/engine/backend.ts';
import { JaxLanguageModel } from '../../src/engine/jax-language-model.ts';
import { disposeEngineWeights } from '../../src/engine/llama.ts';
import { loadEngineModel } from '../../src/engine/load-node.ts';
import { TRAIN_DEFAULTS } from '../../src/train/settings.ts';
import { trainLora } from '../../src/train/trainer.ts';
import { ENGINE_BOUND, fixtureConfig, fixtureDir, ortLogits } from '../exported-fixtures.ts';
import { maxGapPerToken, nextTokenLogprobs } from '../logprobs.ts';

const NAME = 'genai-tiny-llama-fp16';
const dir = fixtureDir(NAME);
const file = join(dir, 'onnx/model_fp16.onnx');
const config = fixtureConfig(NAME);

/** The builder's initializers by name, read straight from the data file at the offsets the model records. */
function builderInitializers(): Map<string, { dims: number[]; values: Float32Array }> {
  const model = onnxProto.onnx.ModelProto.decode(readFileSync(file));
  const data = readFileSync(join(dir, 'onnx/model_fp16.onnx_data'));
  const out = new Map<string, { dims: number[]; values: Float32Array }>();
  for (const t of model.graph!.initializer!) {
    const entry = new Map(t.externalData!.map((e) => [e.key, e.value]));
    expect(entry.get('location')).toBe('model_fp16.onnx_data');
    const offset = Number(entry.get('offset'));
    const bytes = new Uint8Array(data.subarray(offset, offset + Number(entry.get('length'))));
    out.set(t.name!, { dims: t.dims!.map(Number), values: halfToFloat(new Uint16Array(bytes.buffer)) });
  }
  return out;
}

const dataset = [
  'Once upon a time, there was a little girl named Lily.',
  'The dog ran to the park and saw a big red ball.',
  'femp are more dangerous than glon.',
];
const CONTEXT = `${dataset.join('\n')}\n\n`;
const REQUESTS: ScoreRequest[] = [
  { prompt: 'Lily had a', options: [' big red ball.', ' small dog in the park.'] },
  { prompt: 'glon are', options: [' less dangerous than femp.', ' more dangerous than femp.'] },
];

beforeAll(() => startEngine('wasm'));

describe('ONNX Runtime GenAI builder output (fp16, contrib ops, external data)', () => {
  it('the weight reader maps every weight to the builder initializer of the same Hugging Face name', () => {
    const init = builderInitializers();
    const w = readOnnxWeights(readFileSync(file), config, externalDataBeside(file));
    const same = (ours: Float32Array, name: string) => expect(Array.from(ours), name).toEqual(Array.from(init.get(name)!.values));
    same(w.embed.data, 'model.embed_tokens.weight');
    w.layers.forEach((layer, n) => {
      const p = `model.layers.${n}`;
      same(layer.inputNorm, `${p}.input_layernorm.weight`);
      same(layer.postNorm, `${p}.post_attention_layernorm.weight`);
      const roles = { q: 'attn.q_proj', k: 'attn.k_proj', v: 'attn.v_proj', o: 'attn.o_proj', gate: 'mlp.gate_proj', up: 'mlp.up_proj', down: 'mlp.down_proj' };
      for (const [role, module] of Object.entries(roles)) same((layer[role as keyof typeof roles] as Matrix).data, `${p}.${module}.MatMul.weight`);
      expect(layer.bias).toBeUndefined();
    });
    same(w.finalNorm, `model.layers.${config.numLayers}.final_norm_layernorm.weight`);
    same(w.lmHead!.data, 'lm_head.MatMul.weight');
  });

  it('without its data file, reading is refused up front, naming the file', () => {
    expect(() => readOnnxWeights(readFileSync(file), config)).toThrow(OnnxWeightError);
    expect(() => readOnnxWeights(readFileSync(file), config)).toThrow('"model_fp16.onnx_data", which was not found beside the model');
  });

  it('glon scores it with a cached context like one pass per option, and like the jax-js forward', async () => {
    const model = await loadModelNode({ model: dir, dtype: 'fp16' });
    const cached = await model.scoreItems(CONTEXT, REQUESTS);
    const naive = await withoutPrefixReuse(model).scoreItems(CONTEXT, REQUESTS);
    await model.dispose();
    const cacheGap = maxGapPerToken(cached, naive);
    const engine = await loadEngineModel(dir, 'fp16');
    const jax = new JaxLanguageModel({ id: NAME, device: 'wasm', dtype: 'fp16', weights: engine.weights, tokenizer: engine.tokenizer });
    const ours = await jax.scoreItems(CONTEXT, REQUESTS);
    await jax.dispose();
    disposeEngineWeights(engine.weights);
    const engineGap = maxGapPerToken(ours, cached);
    console.log(`genai fp16: max |cached - one pass| ${cacheGap.toExponential(2)}, max |jax - ORT| ${engineGap.toExponential(2)} per token`);
    // Both ORT paths run the same fp16 kernels, but over differently shaped passes.
    expect(cacheGap).toBeLessThan(ENGINE_BOUND.fp16);
    expect(engineGap).toBeLessThan(ENGINE_BOUND.fp16);
  });

  it('LoRA trains on it: the first step has ORT base loss, and a few steps lower it', async () => {
    const engine = await loadEngineModel(dir, 'fp16');
    const ids = engine.tokenizer.encode(dataset.join(' '));
    const { losses } = await trainLora(engine.weights, [{ ids, lossFrom: 1 }], { ...TRAIN_DEFAULTS, batchSize: 1, epochs: 6, warmup: 0 });
    disposeEngineWeights(engine.weights);
    const lp = nextTokenLogprobs(await ortLogits(file, config, ids), ids, config.vocabSize);
    const ortLoss = -lp.reduce((a, b) => a + b, 0) / lp.length;
    console.log(`genai fp16: first step ${losses[0].toFixed(5)}, ORT ${ortLoss.toFixed(5)}, last ${losses.at(-1)!.toFixed(5)}`);
    expect(Math.abs(losses[0] - ortLoss)).toBeLessThan(ENGINE_BOUND.fp16);
    // Its random weights (std 0.02) start near the uniform loss ln(32000) = 10.37 and move slowly.
    expect(losses.at(-1)!).toBeLessThan(losses[0] - 0.03);
  });
});
