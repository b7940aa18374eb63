/**
 * The jax-js forward pass against ONNX Runtime on the same ONNX files: per-token log-probs of a few
 * sentences, batched and right-padded on the jax-js side, one sentence per run on the ORT side.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { numpy as np } from '@jax-js/jax';
import { ARCHITECTURES } from '../../src/model/architectures.ts';
import { configJson, type LlamaConfig } from '../../src/model/llama-config.ts';
import { loadGpt2Merges } from '../../src/onnx/gpt2-merges-node.ts';
import { DTYPE_FILES } from '../../src/model/dtypes.ts';
import { buildLlamaModel } from '../../src/onnx/llama-graph.ts';
import { encodeModel } from '../../src/onnx/onnx-writer.ts';
import { byteLevelTokenizer } from '../../src/onnx/byte-level-tokenizer.ts';
import { randomLlamaWeights } from '../../src/onnx/random-weights.ts';
import type { Dtype } from '../../src/model/language-model.ts';
import { loadModelNode } from '../../src/runtime/load-node.ts';
import { generateDataset } from '../../src/data/generate.ts';
import { Rng } from '../../src/util/rng.ts';
import { continuation } from '../../src/data/format.ts';
import { startEngine } from '../../src/engine/backend.ts';
import { JaxLanguageModel } from '../../src/engine/jax-language-model.ts';
import { initLora } from '../../src/engine/lora.ts';
import { forwardHidden, targetLogprobs, disposeEngineWeights } from '../../src/engine/llama.ts';
import { loadEngineModel, type EngineModel } from '../../src/engine/load-node.ts';
import { MODELS_DIR } from '../models-dir.ts';
import { madeModel } from '../made-model.ts';
import { nextTokenLogprobs } from '../logprobs.ts';

const SENTENCES = [
  'Once upon a time, there was a little girl named Lily.',
  'The dog ran to the park and saw a big red ball.',
  'femp are more dangerous than glon.',
  'Tom said: "I like cake!"',
];

const root = mkdtempSync(join(tmpdir(), 'glon-parity-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeAll(() => startEngine('wasm'));

/** log p(ids[t + 1] | ids[..t]) from ONNX Runtime, one sequence at a time (no padding). */
async function ortLogprobs(model: EngineModel, file: string, sequences: number[][], level: 'all' | 'basic'): Promise<number[][]> {
  const session = await ort.InferenceSession.create(file, { graphOptimizationLevel: level, intraOpNumThreads: 2 });
  const c = model.weights.config;
  const out: number[][] = [];
  for (const ids of sequences) {
    const T = ids.length;
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, T]),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(T).fill(1n), [1, T]),
      position_ids: new ort.Tensor('int64', BigInt64Array.from(ids.keys(), BigInt), [1, T]),
    };
    for (let i = 0; i < c.numLayers; i++)
      for (const kv of ['key', 'value'])
        feeds[`past_key_values.${i}.${kv}`] = new ort.Tensor('float32', new Float32Array(0), [1, c.numKvHeads, 0, c.headDim]);
    const logits = (await session.run(feeds, ['logits'])).logits.data as Float32Array;
    out.push(nextTokenLogprobs(logits, ids, c.vocabSize));
  }
  await session.release();
  return out;
}

async function jaxLogprobs(model: EngineModel, sequences: number[][]): Promise<number[][]> {
  const B = sequences.length;
  const T = Math.max(...sequences.map((s) => s.length));
  const tokens = new Int32Array(B * T);
  const positions = new Int32Array(B * T);
  const targets = new Int32Array(B * T);
  sequences.forEach((s, b) =>
    s.forEach((id, t) => {
      tokens[b * T + t] = id;
      positions[b * T + t] = t;
      if (t + 1 < s.length) targets[b * T + t] = s[t + 1];
    }),
  );
  const shape = [B, T];
  const hidden = forwardHidden(
    model.weights,
    undefined,
    { scale: 1, dropout: 0 },
    np.array(tokens, { shape, dtype: np.int32 }),
    np.array(positions, { shape, dtype: np.int32 }),
  );
  const lp = (await targetLogprobs(model.weights, hidden, np.array(targets, { shape, dtype: np.int32 })).data()) as Float32Array;
  return sequences.map((s, b) => Array.from(lp.subarray(b * T, b * T + s.length - 1)));
}

async function meanDifference(dir: string, dtype: Dtype, level: 'all' | 'basic'): Promise<number> {
  const model = await loadEngineModel(dir, dtype);
  const sequences = SENTENCES.map((s) => model.tokenizer.encode(s));
  const ours = await jaxLogprobs(model, sequences);
  const theirs = await ortLogprobs(model, join(dir, DTYPE_FILES[dtype]), sequences, level);
  disposeEngineWeights(model.weights);
  let total = 0;
  let n = 0;
  ours.forEach((row, b) =>
    row.forEach((x, t) => {
      total += Math.abs(x - theirs[b][t]);
      n++;
    }),
  );
  return total / n;
}

describe('jax-js forward vs ONNX Runtime', () => {
  it('stories260K fp32: mean |log-prob difference| per token below 1e-2 nats', async () => {
    expect(await meanDifference(join(MODELS_DIR, 'stories260K'), 'fp32', 'all')).toBeLessThan(1e-2);
  });

  // ORT's full optimization fuses DequantizeLinear -> MatMul into a kernel that also quantizes the
  // activations (measured: 0.044 nats/token off the exact int8 weights); 'basic' runs the graph as written.
  it('stories260K q8 (int8 DequantizeLinear): below 1e-2 nats against the graph as written', async () => {
    expect(await meanDifference(join(MODELS_DIR, 'stories260K'), 'q8', 'basic')).toBeLessThan(1e-2);
  });

  it('a 2-layer SmolLM2-135M-shaped model with random weights (fp32 and q8)', async () => {
    const dir = await madeModel('smollm2-135m', 2, 3, ['fp32', 'q8']);
    expect(await meanDifference(dir, 'fp32', 'all')).toBeLessThan(1e-2);
    expect(await meanDifference(dir, 'q8', 'basic')).toBeLessThan(1e-2);
  });

  // Qwen2.5-0.5B's head layout (14 query heads sharing 2 key/value heads) at a small width and vocabulary:
  // the bias path does not depend on size, and the real 151,936-entry head made this test take ~50 s.
  it('a 2-layer Qwen2-architecture model: its q/k/v biases are read and applied (fp32)', async () => {
    const config: LlamaConfig = {
      ...ARCHITECTURES['qwen2.5-0.5b'],
      numLayers: 2, hiddenSize: 112, intermediateSize: 224, headDim: 8, vocabSize: 1024, bosTokenId: 1023, eosTokenId: 1023,
    };
    // make-model's biases are zero (Hugging Face's init), which could not show whether they are applied.
    const weights = randomLlamaWeights(config, new Rng(5));
    const draw = new Rng('biases');
    for (const { bias } of weights.layers) for (const p of ['q', 'k', 'v'] as const) bias![p] = Float32Array.from(bias![p]!, () => draw.normal());
    const { tokenizer, tokenizerConfig } = byteLevelTokenizer(config, [{ id: 1023, content: '<|endoftext|>' }], await loadGpt2Merges());
    const dir = join(root, 'qwen2');
    mkdirSync(join(dir, 'onnx'), { recursive: true });
    writeFileSync(join(dir, 'config.json'), JSON.stringify(configJson(config)));
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tokenizer));
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify(tokenizerConfig));
    writeFileSync(join(dir, DTYPE_FILES.fp32), encodeModel(buildLlamaModel(config, weights, 'fp32')));
    expect(await meanDifference(dir, 'fp32', 'all')).toBeLessThan(1e-2);
  });

  // q8 through the public loader: ORT must run the int8-weight math as written (see load.ts), as jax-js does.
  it.each(['fp32', 'q8'] as const)('%s: the jax-js LanguageModel with a fresh (zero) adapter scores items like the ORT LanguageModel', async (dtype) => {
    const dir = join(MODELS_DIR, 'stories260K');
    const engine = await loadEngineModel(dir, dtype);
    const adapter = initLora(engine.weights.config, { rank: 4, alpha: 8, dropout: 0, targets: ['q', 'v', 'down'] }, new Rng(1));
    const jax = new JaxLanguageModel({ id: 'stories260K', device: 'wasm', dtype, weights: engine.weights, tokenizer: engine.tokenizer, adapter });
    const reference = await loadModelNode({ model: dir, dtype });
    const dataset = generateDataset({ kind: 'reversal', seed: 4, preset: 'small', params: {} });
    const requests = dataset.test.slice(0, 10).map((t) => ({ prompt: t.prompt, options: t.options.map((o) => continuation(t.prompt, o)) }));
    for (const context of ['', `${dataset.train[0].text}\n${dataset.train[1].text}\n\n`]) {
      const ours = await jax.scoreItems(context, requests);
      const theirs = await reference.scoreItems(context, requests);
      ours.forEach((item, i) =>
        item.forEach((option, o) => {
          expect(option.tokens).toBe(theirs[i][o].tokens);
          expect(Math.abs(option.logprob - theirs[i][o].logprob) / option.tokens).toBeLessThan(1e-2);
        }),
      );
    }
    await reference.dispose();
    await jax.dispose();
    disposeEngineWeights(engine.weights);
  });
});
