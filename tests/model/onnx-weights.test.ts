/**
 * Each weight format of transformers.js exports, dequantized by onnx-weights.ts, against what ONNX
 * Runtime computes for the same node: y = x @ W on one-node graphs written with our ONNX writer.
 */
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { Rng } from '../../src/data/rng.ts';
import { projectionWeights, type Matrix } from '../../src/model/onnx-weights.ts';
import { DataType, GraphBuilder, encodeModel, modelProto } from '../../src/model/onnx-writer.ts';

const M = 3;
const K = 40;
const N = 6;
const rng = new Rng('dequant');

function floats(n: number, scale = 1): Float32Array {
  return Float32Array.from({ length: n }, () => rng.normal() * scale);
}

/** float32 -> IEEE half bits (round to nearest even), for fp16 initializers. */
function toHalf(values: Float32Array): Uint16Array {
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  return Uint16Array.from(values, (v) => {
    f[0] = v;
    const x = u[0];
    const sign = (x >>> 16) & 0x8000;
    const exp = ((x >>> 23) & 0xff) - 127 + 15;
    let mant = x & 0x7fffff;
    if (exp <= 0) return sign; // the test values are far from subnormal
    const round = mant & 0x1fff;
    mant >>>= 13;
    let h = sign | (exp << 10) | mant;
    if (round > 0x1000 || (round === 0x1000 && (mant & 1))) h++;
    return h;
  });
}

function matmul(x: Float32Array, w: Matrix): Float32Array {
  const out = new Float32Array(M * w.cols);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < w.cols; j++) {
      let s = 0;
      for (let k = 0; k < w.rows; k++) s += x[i * w.rows + k] * w.data[k * w.cols + j];
      out[i * w.cols + j] = s;
    }
  return out;
}

async function check(build: (g: GraphBuilder, x: string) => string, x = floats(M * K), opsets: Record<string, number> = { '': 17 }) {
  const g = new GraphBuilder('one-node');
  const input = g.input('x', DataType.FLOAT, [M, K]);
  const y = build(g, input);
  g.op('Identity', [y], {}, { outputs: ['y'] });
  g.output('y', DataType.FLOAT, [M, N]);
  const bytes = encodeModel(modelProto(g.build(), { opsets, irVersion: 8, producer: 'glon-test' }));
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'disabled' });
  const expected = (await session.run({ x: new ort.Tensor('float32', x, [M, K]) })).y.data as Float32Array;
  await session.release();
  const weights = projectionWeights(bytes);
  expect(weights).toHaveLength(1);
  expect([weights[0].rows, weights[0].cols]).toEqual([K, N]);
  const ours = matmul(x, weights[0]);
  for (let i = 0; i < ours.length; i++) expect(ours[i]).toBeCloseTo(expected[i], 4);
}

describe('weight formats against ONNX Runtime', () => {
  it('fp32 MatMul', () => check((g, x) => g.op('MatMul', [x, g.constant(floats(K * N), [K, N])])));

  it('fp16 weights through Cast', () =>
    check((g, x) => g.op('MatMul', [x, g.op('Cast', [g.constant(toHalf(floats(K * N)), [K, N], 'w16', DataType.FLOAT16)], { to: DataType.FLOAT })])));

  it('int8 DequantizeLinear per output channel, with zero points', () =>
    check((g, x) => {
      const q = Int8Array.from({ length: K * N }, () => rng.int(255) - 127);
      const scale = Float32Array.from({ length: N }, () => 0.01 + rng.next() * 0.02);
      const zero = Int8Array.from({ length: N }, () => rng.int(9) - 4);
      return g.op('MatMul', [x, g.op('DequantizeLinear', [g.constant(q, [K, N]), g.constant(scale, [N]), g.constant(zero, [N])], { axis: 1 })]);
    }));

  it('uint8 DequantizeLinear per tensor', () =>
    check((g, x) => {
      const q = Uint8Array.from({ length: K * N }, () => rng.int(256));
      return g.op('MatMul', [x, g.op('DequantizeLinear', [g.constant(q, [K, N]), g.float([0.013], []), g.constant(Uint8Array.of(131), [])])]);
    }));

  it('MatMulInteger with dynamically quantized activations', () => {
    // Activations on the uint8 grid (0 and max present) quantize exactly, so ORT's result is x @ W itself.
    const step = 0.02;
    const x = Float32Array.from({ length: M * K }, (_, i) => (i === 0 ? 0 : i === 1 ? 255 : rng.int(256)) * step);
    return check((g, input) => {
      const [xq, xs, xz] = ['xq', 'xs', 'xz'];
      g.op('DynamicQuantizeLinear', [input], {}, { outputs: [xq, xs, xz] });
      const wq = g.constant(Int8Array.from({ length: K * N }, () => rng.int(255) - 127), [K, N]);
      const wz = g.constant(Int8Array.of(3), []);
      const wScale = g.float([0.004], []);
      const product = g.op('MatMulInteger', [xq, wq, xz, wz]);
      const asFloat = g.op('Cast', [product], { to: DataType.FLOAT });
      return g.op('Mul', [asFloat, g.op('Mul', [xs, wScale])]);
    }, x);
  });

  for (const zeroPoints of ['packed', 'float', 'none'] as const)
    it(`MatMulNBits 4-bit, block 16, zero points: ${zeroPoints}`, () =>
      check(
        (g, x) => {
          const block = 16;
          const blocks = Math.ceil(K / block);
          const b = Uint8Array.from({ length: N * blocks * (block / 2) }, () => rng.int(256));
          const scales = Float32Array.from({ length: N * blocks }, () => 0.01 + rng.next() * 0.05);
          const inputs = [x, g.constant(b, [N, blocks, block / 2]), g.constant(scales, [N * blocks])];
          if (zeroPoints === 'packed')
            inputs.push(g.constant(Uint8Array.from({ length: N * Math.ceil(blocks / 2) }, () => rng.int(256)), [N * Math.ceil(blocks / 2)]));
          if (zeroPoints === 'float') inputs.push(g.constant(Float32Array.from({ length: N * blocks }, () => 4 + 8 * rng.next()), [N * blocks]));
          return g.op('MatMulNBits', inputs, { K, N, bits: 4, block_size: block }, { domain: 'com.microsoft' });
        },
        undefined,
        { '': 17, 'com.microsoft': 1 },
      ),
    );
});
