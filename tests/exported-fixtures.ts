/**
 * The committed exports in tests/fixtures/exports (made by scripts/fixtures/*.py): their folders, the
 * exporter's own state dict and reference logits, and ONNX Runtime run on a fixture file as written.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { halfToFloat } from '../src/onnx/dequantize.ts';
import { parseLlamaConfig, type LlamaConfig } from '../src/model/llama-config.ts';
import { decodeSafetensors, type F32Tensor } from '../src/train/safetensors.ts';

export const EXPORTS_DIR = fileURLToPath(new URL('./fixtures/exports/', import.meta.url));

/** The PyTorch exports and the files transformers.js's quantize.py would write beside each. */
export const TORCH_EXPORTS = ['tiny-llama', 'tiny-qwen2'] as const;
export const VARIANTS = {
  fp32: 'onnx/model.onnx',
  fp16: 'onnx/model_fp16.onnx',
  q8: 'onnx/model_quantized.onnx',
  uint8: 'onnx/model_uint8.onnx',
  q4: 'onnx/model_q4.onnx',
  q4f16: 'onnx/model_q4f16.onnx',
} as const;
export type Variant = keyof typeof VARIANTS;

/**
 * Per-token |log-prob| gap allowed between ORT and the jax-js engine on the same file (the engine computes
 * in float32 with the weights dequantized). fp32 and q4 (MatMulNBits accumulates in float32) compute the
 * same function; ORT runs fp16 graphs in half precision, and q8/uint8 graphs quantize every activation
 * to 8 bits per tensor (DynamicQuantizeLinear) with integer kernels that differ by CPU: those bounds are
 * what such rounding can cost, not one CPU's measurement.
 */
export const ENGINE_BOUND: Record<Variant, number> = { fp32: 1e-3, q4: 1e-3, fp16: 2e-2, q4f16: 2e-2, q8: 0.1, uint8: 0.1 };

export function fixtureDir(name: string): string {
  return join(EXPORTS_DIR, name);
}

export function fixtureConfig(name: string): LlamaConfig {
  return parseLlamaConfig(JSON.parse(readFileSync(join(fixtureDir(name), 'config.json'), 'utf8')));
}

export function fixtureTensors(name: string, file: 'state_dict' | 'reference'): Map<string, F32Tensor> {
  return decodeSafetensors(readFileSync(join(fixtureDir(name), `${file}.safetensors`))).tensors;
}

/** The token ids and torch's logits ([ids.length, vocab]) stored beside the export. */
export function referenceRun(name: string): { ids: number[]; logits: Float32Array } {
  const t = fixtureTensors(name, 'reference');
  return { ids: Array.from(t.get('input_ids')!.data), logits: t.get('logits')!.data };
}

/** Logits [T, V] of one unpadded sequence, by ONNX Runtime on `file` (as written: basic optimizations) with an empty cache. */
export async function ortLogits(file: string, config: LlamaConfig, ids: readonly number[]): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(file, { graphOptimizationLevel: 'basic', intraOpNumThreads: 2 });
  const T = ids.length;
  const feeds: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, T]),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(T).fill(1n), [1, T]),
    position_ids: new ort.Tensor('int64', BigInt64Array.from(ids.keys(), BigInt), [1, T]),
  };
  const half = session.inputMetadata.some((m) => m.isTensor && m.name.startsWith('past_key_values.') && m.type === 'float16');
  for (let i = 0; i < config.numLayers; i++)
    for (const kv of ['key', 'value'])
      feeds[`past_key_values.${i}.${kv}`] = half
        ? new ort.Tensor('float16', new Uint16Array(0), [1, config.numKvHeads, 0, config.headDim])
        : new ort.Tensor('float32', new Float32Array(0), [1, config.numKvHeads, 0, config.headDim]);
  const logits = (await session.run(feeds, ['logits'])).logits;
  await session.release();
  // onnxruntime-node hands float16 out as its raw bits.
  return logits.type === 'float16' ? halfToFloat(logits.data as Uint16Array) : (logits.data as Float32Array);
}
