/**
 * Weight formats glon cannot fine-tune are refused when the weights are read (before any training step),
 * with the format named: transformers.js's bnb4 (MatMulBnb4), GenAI's packed q/k/v ahead of
 * GroupQueryAttention.
 */
import { describe, expect, it } from 'vitest';
import { parseLlamaConfig } from '../../src/model/llama-config.ts';
import { OnnxWeightError, readOnnxWeights } from '../../src/onnx/onnx-weights.ts';
import { DataType, GraphBuilder, encodeModel, modelProto } from '../../src/onnx/onnx-writer.ts';

const config = parseLlamaConfig({
  vocab_size: 16, hidden_size: 32, intermediate_size: 64, num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 1,
});

function model(build: (g: GraphBuilder, x: string) => string): Uint8Array {
  const g = new GraphBuilder('refusal');
  const x = g.input('x', DataType.FLOAT, [1, 4, 32]);
  g.op('Identity', [build(g, x)], {}, { outputs: ['y'] });
  g.output('y', DataType.FLOAT, [1, 4, 32]);
  return encodeModel(modelProto(g.build(), { opsets: { '': 17, 'com.microsoft': 1 }, irVersion: 8, producer: 'glon-test' }));
}

function refusal(bytes: Uint8Array): string {
  try {
    readOnnxWeights(bytes, config);
  } catch (err) {
    expect(err).toBeInstanceOf(OnnxWeightError);
    return (err as Error).message;
  }
  throw new Error('the graph was read');
}

describe('formats glon cannot fine-tune', () => {
  it('bnb4 (MatMulBnb4) is named', () => {
    const bytes = model((g, x) =>
      g.op('MatMulBnb4', [x, g.constant(new Uint8Array(32 * 16), [32 * 16]), g.constant(new Float32Array(32), [32])], { K: 32, N: 32, block_size: 32, quant_type: 1 }, { domain: 'com.microsoft' }),
    );
    expect(refusal(bytes)).toMatch(/^bnb4 weights \(com\.microsoft MatMulBnb4, 4-bit NF4\/FP4\) cannot be fine-tuned: glon reads fp32, fp16/);
  });

  it('packed q/k/v feeding GroupQueryAttention is named', () => {
    const bytes = model((g, x) => {
      const qkv = g.op('MatMul', [x, g.constant(new Float32Array(32 * 64), [32, 64])]);
      const seqlens = g.constant(new Int32Array([3]), [1]);
      const total = g.constant(new Int32Array([4]), []);
      return g.op('GroupQueryAttention', [qkv, '', '', '', '', seqlens, total], { num_heads: 2, kv_num_heads: 1 }, { domain: 'com.microsoft' });
    });
    expect(refusal(bytes)).toMatch(/^packed q\/k\/v \(one projection feeding GroupQueryAttention\) cannot be fine-tuned/);
  });
});
