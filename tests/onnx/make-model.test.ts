import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AutoModelForCausalLM, AutoTokenizer, env, Tensor, type PreTrainedModel } from '@huggingface/transformers';
import { Rng } from '../../src/util/rng.ts';
import { ARCHITECTURES, SPECIAL_TOKENS } from '../../src/model/architectures.ts';
import { byteLevelTokenizer } from '../../src/onnx/byte-level-tokenizer.ts';
import { loadGpt2Merges } from '../../src/onnx/gpt2-merges-node.ts';
import { configJson, type LlamaConfig } from '../../src/model/llama-config.ts';
import { buildLlamaModel } from '../../src/onnx/llama-graph.ts';
import type { LlamaWeights } from '../../src/model/llama-weights.ts';
import { exactQuantizedMath } from '../../src/runtime/load.ts';
import { makeModel } from '../../src/onnx/make-model.ts';
import { encodeModel } from '../../src/onnx/onnx-writer.ts';
import { readOnnxWeights } from '../../src/onnx/onnx-weights.ts';
import { randomLlamaWeights } from '../../src/onnx/random-weights.ts';
import { referenceLogits } from './llama-reference.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'glon-make-model-'));
env.localModelPath = `${root}/`;
env.allowRemoteModels = false;
afterAll(() => rmSync(root, { recursive: true, force: true }));

const sessionOptions = { session_options: { intraOpNumThreads: 2, interOpNumThreads: 1 } };

function int64(rows: number[][]): Tensor {
  return new Tensor('int64', BigInt64Array.from(rows.flat(), BigInt), [rows.length, rows[0].length]);
}

type Outputs = Record<string, Tensor>;

async function forward(model: PreTrainedModel, ids: number[][], mask: number[][], past?: Outputs): Promise<Outputs> {
  const inputs: Record<string, unknown> = { input_ids: int64(ids), attention_mask: int64(mask) };
  if (past) inputs.past_key_values = past;
  return (await (model as unknown as (i: Record<string, unknown>) => Promise<Outputs>)(inputs));
}

/** The present.* outputs renamed as the next call's past_key_values. */
function cacheOf(outputs: Outputs): Outputs {
  const cache: Outputs = {};
  for (const [name, tensor] of Object.entries(outputs)) {
    if (name.startsWith('present.')) cache[name.replace('present.', 'past_key_values.')] = tensor;
  }
  return cache;
}

/** Row `s` of batch item `b` of logits [B, S, V]. */
function row(logits: Tensor, b: number, s: number): Float32Array {
  const [, S, V] = logits.dims;
  return (logits.data as Float32Array).subarray((b * S + s) * V, (b * S + s + 1) * V);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

function writeFolder(name: string, files: { path: string; contents: Uint8Array | string }[]): void {
  for (const file of files) {
    const path = join(root, name, file.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.contents);
  }
}

function glon(...args: string[]) {
  return spawnSync(process.execPath, [join(repo, 'bin/glon.js'), ...args], { encoding: 'utf8' });
}

describe('glon make-model --like smollm2-135m --layers 2', () => {
  const folder = join(root, 'smol');
  let fp32: PreTrainedModel;

  beforeAll(async () => {
    const run = glon('make-model', '--like', 'smollm2-135m', '--layers', '2', '--dtype', 'fp32,q8', '--seed', '7', '--out', folder);
    expect(run.stderr.split('\n').filter((l) => l.startsWith('glon:'))).toEqual([]);
    expect(run.status).toBe(0);
    fp32 = await AutoModelForCausalLM.from_pretrained('smol', { dtype: 'fp32', ...sessionOptions });
  }, 300_000);
  afterAll(() => fp32?.dispose());

  it('writes config, tokenizer and both ONNX files with the real model shapes', () => {
    for (const file of ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx', 'onnx/model_quantized.onnx']) {
      expect(existsSync(join(folder, file)), file).toBe(true);
    }
    const config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8'));
    expect(config).toMatchObject({
      model_type: 'llama', hidden_size: 576, intermediate_size: 1536, num_hidden_layers: 2, num_attention_heads: 9,
      num_key_value_heads: 3, head_dim: 64, vocab_size: 49152, rope_theta: 100000, tie_word_embeddings: true,
      max_position_embeddings: 8192, glon_make_model: { like: 'smollm2-135m', seed: 7, weights: 'random' },
    });
  });

  it('gives logits [batch, sequence, 49152] in transformers.js', async () => {
    const tokenizer = await AutoTokenizer.from_pretrained('smol');
    const ids = tokenizer.encode('femp are more dangerous than glon');
    const out = await forward(fp32, [ids, ids], [ids.map(() => 1), ids.map(() => 1)]);
    expect(out.logits.dims).toEqual([2, ids.length, 49152]);
    expect(out['present.1.value'].dims).toEqual([2, 3, ids.length, 64]);
    expect(maxAbsDiff(row(out.logits, 0, ids.length - 1), row(out.logits, 1, ids.length - 1))).toBe(0);
  });

  it('decodes incrementally with past_key_values exactly as the full forward pass', async () => {
    const ids = [0, 812, 77, 4051, 19, 300, 2, 9999, 49151, 123];
    const full = await forward(fp32, [ids], [ids.map(() => 1)]);
    const split = 6;
    const prefix = await forward(fp32, [ids.slice(0, split)], [Array(split).fill(1)]);
    let past = cacheOf(prefix);
    for (let s = split; s < ids.length; s++) {
      const step = await forward(fp32, [[ids[s]]], [Array(s + 1).fill(1)], past);
      expect(maxAbsDiff(row(step.logits, 0, 0), row(full.logits, 0, s))).toBeLessThan(1e-4);
      past = cacheOf(step);
    }
    expect(past['past_key_values.0.key'].dims).toEqual([1, 3, ids.length, 64]);
  });

  // With glon's session options (load.ts): ORT's default fusion would run the int8 weights through its
  // integer kernel, whose result depends on the CPU (without VNNI it saturates); this checks the file.
  it('q8 (int8 DequantizeLinear) loads and stays close to fp32', async () => {
    const q8 = await AutoModelForCausalLM.from_pretrained('smol', { dtype: 'q8', session_options: exactQuantizedMath('q8', sessionOptions.session_options) });
    const ids = [[0, 812, 77, 4051, 19, 300]];
    const mask = [ids[0].map(() => 1)];
    const [a, b] = [await forward(fp32, ids, mask), await forward(q8, ids, mask)];
    await q8.dispose();
    const x = a.logits.data as Float32Array;
    const y = b.logits.data as Float32Array;
    let dot = 0, xx = 0, yy = 0;
    for (let i = 0; i < x.length; i++) { dot += x[i] * y[i]; xx += x[i] * x[i]; yy += y[i] * y[i]; }
    expect(dot / Math.sqrt(xx * yy)).toBeGreaterThan(0.99);
    expect(maxAbsDiff(x, y)).toBeGreaterThan(0); // really the quantized file
  });

  it('tokenizes English as GPT-2 does, digits one by one, and decodes back', async () => {
    const tokenizer = await AutoTokenizer.from_pretrained('smol');
    const gpt2 = createRequire(import.meta.url)('gpt-3-encoder') as { encode(t: string): number[]; decode(ids: number[]): string };
    for (const text of ['femp are more dangerous than glon.', 'The cat sat on the mat, and the dog barked!', ' Leading space\nand a new line']) {
      const ours = tokenizer.encode(text).map((id) => tokenizer.decode([id]));
      const reference = gpt2.encode(text).map((id) => gpt2.decode([id]));
      expect(ours).toEqual(reference);
      expect(tokenizer.decode(tokenizer.encode(text))).toBe(text);
    }
    expect(tokenizer.encode('in 1984').map((id) => tokenizer.decode([id]))).toEqual(['in', ' ', '1', '9', '8', '4']);
    expect(tokenizer.encode('<|im_start|>user')[0]).toBe(1);
  });
});

/** Small shapes that still exercise GQA, head_dim != hidden/heads, biases and an untied head. */
const TINY: Record<string, LlamaConfig> = {
  'llama, tied': {
    modelType: 'llama', hiddenSize: 48, intermediateSize: 80, numLayers: 2, numHeads: 4, numKvHeads: 2, headDim: 16,
    vocabSize: 300, maxPositions: 64, ropeTheta: 10000, rmsNormEps: 1e-5, tieWordEmbeddings: true,
    attentionBias: false, initializerRange: 0.2, bosTokenId: 0, eosTokenId: 0,
  },
  'qwen2, untied, qkv bias': {
    modelType: 'qwen2', hiddenSize: 32, intermediateSize: 72, numLayers: 2, numHeads: 6, numKvHeads: 2, headDim: 8,
    vocabSize: 280, maxPositions: 64, ropeTheta: 1e6, rmsNormEps: 1e-6, tieWordEmbeddings: false,
    attentionBias: true, initializerRange: 0.2, bosTokenId: 279, eosTokenId: 279,
  },
};

/** Random weights with norms and biases moved off 1 and 0, so that a miswired norm or bias shows. */
function perturbedWeights(arch: LlamaConfig, seed: string): LlamaWeights {
  const rng = new Rng(seed);
  const w = randomLlamaWeights(arch, rng.fork('weights'));
  const jitter = (values: Float32Array | undefined, around: number) => values?.forEach((_, i) => (values[i] = around + 0.3 * rng.normal()));
  jitter(w.finalNorm, 1);
  for (const layer of w.layers) {
    jitter(layer.inputNorm, 1);
    jitter(layer.postNorm, 1);
    for (const p of ['q', 'k', 'v'] as const) jitter(layer.bias?.[p], 0);
  }
  return w;
}

describe('the ONNX graph computes the same Llama math as a plain TypeScript forward pass', () => {
  for (const [label, arch] of Object.entries(TINY)) {
    it(`${label}: left-padded batch, logits within 1e-4`, async () => {
      const name = `tiny-${arch.modelType}`;
      const weights = perturbedWeights(arch, label);
      writeFolder(name, [
        { path: 'config.json', contents: JSON.stringify(configJson(arch)) },
        { path: 'onnx/model.onnx', contents: encodeModel(buildLlamaModel(arch, weights, 'fp32')) },
      ]);
      const model = await AutoModelForCausalLM.from_pretrained(name, { dtype: 'fp32', ...sessionOptions });
      const sequences = [[5, 17, 200, 3, 3, 99, 150, 7], [42, 8, 250]];
      const width = Math.max(...sequences.map((s) => s.length));
      const ids = sequences.map((s) => [...Array(width - s.length).fill(arch.eosTokenId), ...s]);
      const mask = sequences.map((s) => [...Array(width - s.length).fill(0), ...s.map(() => 1)]);
      const out = await forward(model, ids, mask);
      await model.dispose();
      sequences.forEach((seq, b) => {
        const expected = referenceLogits(arch, weights, seq);
        expected.forEach((logits, s) => {
          expect(maxAbsDiff(row(out.logits, b, width - seq.length + s), logits)).toBeLessThan(1e-4);
        });
      });
    });
  }

  it('is read back by the ONNX weight reader as the very weights it was given: one layout, no conversion between them', () => {
    for (const [label, config] of Object.entries(TINY)) {
      const weights = perturbedWeights(config, label);
      expect(readOnnxWeights(encodeModel(buildLlamaModel(config, weights, 'fp32')), config), label).toEqual(weights);
    }
  });

  it('is refused by the reader against a config.json that gives other shapes, naming the projection', () => {
    const config = TINY['llama, tied'];
    const bytes = encodeModel(buildLlamaModel(config, perturbedWeights(config, 'shapes'), 'fp32'));
    expect(() => readOnnxWeights(bytes, { ...config, intermediateSize: 40 })).toThrow('layer 0 mlp.gate_proj: weight is 48x80, config.json implies 48x40');
  });

  it('rejects weights that do not fit the architecture, naming the tensor', () => {
    const arch = TINY['llama, tied'];
    const weights = randomLlamaWeights(arch, new Rng(1));
    weights.layers[1].up = { rows: 48, cols: 80, data: new Float32Array(3) };
    expect(() => buildLlamaModel(arch, weights, 'fp32')).toThrow('weights: layers.1.up has 3 values, expected 3840');
    weights.layers[1].up = { rows: 80, cols: 48, data: new Float32Array(3840) };
    expect(() => buildLlamaModel(arch, weights, 'fp32')).toThrow('weights: layers.1.up is 80x48, expected 48x80');
  });
});

describe('makeModel', () => {
  it('is a pure function of the seed', async () => {
    const merges = await loadGpt2Merges();
    const arch = TINY['qwen2, untied, qkv bias'];
    const make = (seed: number) => makeModel({ config: arch, specialTokens: [{ id: 279, content: '<|endoftext|>' }], seed, dtypes: ['q8'], merges, like: 'tiny' });
    const [a, b, c] = [make(3), make(3), make(4)];
    const onnx = (files: typeof a) => files.find((f) => f.path === 'onnx/model_quantized.onnx')!.contents as Uint8Array;
    expect(Buffer.compare(onnx(a), onnx(b))).toBe(0);
    expect(Buffer.compare(onnx(a), onnx(c))).not.toBe(0);
  });

  it('sizes the Qwen2.5 tokenizer to its 151,936-entry vocabulary with the special tokens at their ids', async () => {
    const arch = ARCHITECTURES['qwen2.5-0.5b'];
    const { tokenizer, tokenizerConfig } = byteLevelTokenizer(arch, SPECIAL_TOKENS['qwen2.5-0.5b'], await loadGpt2Merges());
    const vocab = (tokenizer.model as { vocab: Record<string, number> }).vocab;
    const ids = Object.values(vocab).sort((x, y) => x - y);
    expect(ids.length).toBe(151936);
    expect(ids.every((id, i) => id === i)).toBe(true);
    expect(vocab['<|endoftext|>']).toBe(151643);
    expect(vocab['<|im_end|>']).toBe(151645);
    writeFolder('qwen-tokenizer', [
      { path: 'tokenizer.json', contents: JSON.stringify(tokenizer) },
      { path: 'tokenizer_config.json', contents: JSON.stringify(tokenizerConfig) },
      { path: 'config.json', contents: JSON.stringify(configJson(arch)) },
    ]);
    const loaded = await AutoTokenizer.from_pretrained('qwen-tokenizer');
    const text = 'Glon are smaller than femp.<|endoftext|>';
    const encoded = loaded.encode(text);
    expect(encoded.at(-1)).toBe(151643);
    expect(loaded.decode(encoded)).toBe(text);
  });
});

describe('glon make-model input errors', () => {
  it('names the bad option in one line', () => {
    for (const [args, message] of [
      [['--like', 'gpt-5'], '--like must be one of smollm2-135m, smollm2-360m, qwen2.5-0.5b, got "gpt-5"'],
      [['--like', 'smollm2-135m', '--dtype', 'fp16'], '--dtype must be fp32 or q8 (or both, comma-separated), got "fp16"'],
      [['--like', 'smollm2-135m', '--layers', '0'], '--layers must be an integer of at least 1, got "0"'],
    ] as const) {
      const run = glon('make-model', ...args, '--out', join(root, 'never'));
      expect(run.status).toBe(1);
      expect(run.stderr.trim()).toBe(`glon: error: ${message}`);
    }
    expect(existsSync(join(root, 'never'))).toBe(false);
  });
});
