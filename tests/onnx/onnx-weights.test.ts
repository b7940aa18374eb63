/**
 * Each weight format of transformers.js exports, dequantized by onnx-weights.ts, against an independent
 * reference: the weight matrix written out in the test from the quantized integers it put in the graph and
 * the ONNX operator's formula (never through src/onnx/dequantize.ts). ONNX Runtime then runs the same
 * one-node graph, y = x @ W, and must agree with x @ reference within a bound that holds on every x86-64
 * CPU: float kernels differ only in summation order (1e-4 here), and an integer kernel is compared only
 * where its math is exact on every CPU (see the MatMulInteger cases).
 */
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { Rng } from '../../src/util/rng.ts';
import { projectionWeights } from '../../src/onnx/onnx-weights.ts';
import type { Matrix } from '../../src/model/llama-weights.ts';
import { DataType, GraphBuilder, encodeModel, modelProto } from '../../src/onnx/onnx-writer.ts';

const M = 3;
const K = 40;
const N = 6;
const rng = new Rng('dequant');
/** Float32 rounding of one multiply-add chain over K = 40 terms of size ~1. */
const FLOAT_KERNEL_BOUND = 1e-4;

function floats(n: number, scale = 1): Float32Array {
  return Float32Array.from({ length: n }, () => rng.normal() * scale);
}

/** Integers in [lo, hi], row-major [K, N]. */
function ints(lo: number, hi: number, n = K * N): number[] {
  return Array.from({ length: n }, () => rng.range(lo, hi));
}

/** A [K, N] reference weight: w[k][n] from the operator's formula. */
function reference(at: (k: number, n: number) => number): Matrix {
  const data = new Float32Array(K * N);
  for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) data[k * N + n] = at(k, n);
  return { rows: K, cols: N, data };
}

/** IEEE half bits of a value that half represents exactly (a multiple of 2^-10 below 2 in size). */
function exactHalf(v: number): number {
  if (v === 0) return 0;
  const sign = v < 0 ? 0x8000 : 0;
  const a = Math.abs(v);
  const exp = Math.floor(Math.log2(a));
  const mant = a / 2 ** exp - 1;
  expect(Number.isInteger(mant * 1024) && exp >= -14).toBe(true);
  return sign | ((exp + 15) << 10) | (mant * 1024);
}

function matmul(x: Float32Array, w: Matrix): Float64Array {
  const out = new Float64Array(M * w.cols);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < w.cols; j++) {
      let s = 0;
      for (let k = 0; k < w.rows; k++) s += x[i * w.rows + k] * w.data[k * w.cols + j];
      out[i * w.cols + j] = s;
    }
  return out;
}

function oneNodeModel(build: (g: GraphBuilder, x: string) => string, opsets: Record<string, number>): Uint8Array {
  const g = new GraphBuilder('one-node');
  const input = g.input('x', DataType.FLOAT, [M, K]);
  g.op('Identity', [build(g, input)], {}, { outputs: ['y'] });
  g.output('y', DataType.FLOAT, [M, N]);
  return encodeModel(modelProto(g.build(), { opsets, irVersion: 8, producer: 'glon-test' }));
}

function expectWeightsEqual(bytes: Uint8Array, expected: Matrix): void {
  const weights = projectionWeights(bytes);
  expect(weights).toHaveLength(1);
  expect([weights[0].rows, weights[0].cols]).toEqual([K, N]);
  let worst = 0;
  for (let i = 0; i < expected.data.length; i++)
    worst = Math.max(worst, Math.abs(weights[0].data[i] - expected.data[i]) / Math.max(1, Math.abs(expected.data[i])));
  expect(worst).toBeLessThan(1e-6); // float32 rounding of (q - zero) * scale
}

/** The largest |ORT's y - x @ reference| of the graph run as written (no fusions). */
async function ortError(bytes: Uint8Array, x: Float32Array, expected: Matrix): Promise<number> {
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'disabled' });
  const y = (await session.run({ x: new ort.Tensor('float32', x, [M, K]) })).y.data as Float32Array;
  await session.release();
  const exact = matmul(x, expected);
  return Math.max(...Array.from(y, (v, i) => Math.abs(v - exact[i])));
}

interface Format {
  build: (g: GraphBuilder, x: string) => string;
  expected: Matrix;
  x?: Float32Array;
  opsets?: Record<string, number>;
}

async function check({ build, expected, x = floats(M * K), opsets = { '': 17 } }: Format): Promise<void> {
  const bytes = oneNodeModel(build, opsets);
  expectWeightsEqual(bytes, expected);
  expect(await ortError(bytes, x, expected)).toBeLessThan(FLOAT_KERNEL_BOUND);
}

/**
 * Activations on the uint8 grid with 0 and the maximum present: DynamicQuantizeLinear gets scale = step and
 * zero point 0 and quantizes them exactly, so the integer kernel sees exactly x / step.
 */
function gridActivations(step: number): Float32Array {
  return Float32Array.from({ length: M * K }, (_, i) => (i === 0 ? 0 : i === 1 ? 255 : rng.int(256)) * step);
}

/** DynamicQuantizeLinear(x) -> MatMulInteger(weights, zero point) -> Cast -> Mul by x scale * weight scale. */
function dynamicallyQuantized(weights: number[], zero: number, scale: number): Format {
  const step = 0.02;
  return {
    x: gridActivations(step),
    expected: reference((k, n) => (weights[k * N + n] - zero) * scale),
    build: (g, input) => {
      const [xq, xs, xz] = ['xq', 'xs', 'xz'];
      g.op('DynamicQuantizeLinear', [input], {}, { outputs: [xq, xs, xz] });
      const product = g.op('MatMulInteger', [xq, g.constant(Int8Array.from(weights), [K, N]), xz, g.constant(Int8Array.of(zero), [])]);
      return g.op('Mul', [g.op('Cast', [product], { to: DataType.FLOAT }), g.op('Mul', [xs, g.float([scale], [])])]);
    },
  };
}

describe('weight formats: glon against an independent reference, and ONNX Runtime against it', () => {
  it('fp32 MatMul', () => {
    const w = floats(K * N);
    return check({ expected: reference((k, n) => w[k * N + n]), build: (g, x) => g.op('MatMul', [x, g.constant(w, [K, N])]) });
  });

  it('fp16 weights through Cast', () => {
    // Multiples of 2^-10 in (-2, 2) are exact in half precision, so the reference is the values themselves.
    const values = ints(-2047, 2047).map((v) => v / 1024);
    const half = Uint16Array.from(values, exactHalf);
    return check({
      expected: reference((k, n) => values[k * N + n]),
      build: (g, x) => g.op('MatMul', [x, g.op('Cast', [g.constant(half, [K, N], 'w16', DataType.FLOAT16)], { to: DataType.FLOAT })]),
    });
  });

  it('int8 DequantizeLinear per output channel, with zero points', () => {
    const q = ints(-128, 127);
    const scale = Float32Array.from({ length: N }, () => 0.01 + rng.next() * 0.02);
    const zero = ints(-4, 4, N);
    return check({
      expected: reference((k, n) => (q[k * N + n] - zero[n]) * scale[n]),
      build: (g, x) =>
        g.op('MatMul', [x, g.op('DequantizeLinear', [g.constant(Int8Array.from(q), [K, N]), g.constant(scale, [N]), g.constant(Int8Array.from(zero), [N])], { axis: 1 })]),
    });
  });

  it('uint8 DequantizeLinear per tensor', () => {
    const q = ints(0, 255);
    const scale = Math.fround(0.013);
    return check({
      expected: reference((k, n) => (q[k * N + n] - 131) * scale),
      build: (g, x) => g.op('MatMul', [x, g.op('DequantizeLinear', [g.constant(Uint8Array.from(q), [K, N]), g.float([scale], []), g.constant(Uint8Array.of(131), [])])]),
    });
  });

  // ONNX Runtime multiplies uint8 activations by int8 weights with a CPU-specific kernel. Without VNNI
  // (AVX2, AVX-512 before Cascade Lake) it uses vpmaddubsw, which adds pairs of u8 x s8 products into a
  // saturating int16: with full-range weights the sum clips (measured under `qemu-x86_64 -cpu Haswell`:
  // 1.04 off; exact on a VNNI CPU). ORT's quantization docs give the remedy, 7-bit weights ("reduce_range"):
  // a pair of products is then at most 2 * 255 * 64 = 32,640 < 32,767 and every kernel is exact.
  it('MatMulInteger with dynamically quantized activations: full-range int8 weights (glon against the reference)', () => {
    const format = dynamicallyQuantized(ints(-128, 127), 3, Math.fround(0.004));
    expectWeightsEqual(oneNodeModel(format.build, { '': 17 }), format.expected);
  });

  it('MatMulInteger with 7-bit weights: ONNX Runtime is exact on every x86-64 CPU', async () => {
    // The weights and their zero-point-shifted values both stay within [-64, 64].
    const format = dynamicallyQuantized(ints(-61, 61), 3, Math.fround(0.004));
    await check(format);
  });

  for (const zeroPoints of ['packed', 'float', 'none'] as const)
    it(`MatMulNBits 4-bit, block 16, zero points: ${zeroPoints}`, () => {
      const block = 16;
      const blocks = Math.ceil(K / block);
      // The 4-bit values q[k][n] first; then packed the way the contrib op reads them: B[n][block][byte], low nibble first.
      const q = ints(0, 15);
      const b = new Uint8Array(N * blocks * (block / 2));
      for (let n = 0; n < N; n++)
        for (let k = 0; k < K; k++) b[(n * blocks + Math.floor(k / block)) * (block / 2) + Math.floor((k % block) / 2)] |= q[k * N + n] << ((k % 2) * 4);
      const scales = Float32Array.from({ length: N * blocks }, () => 0.01 + rng.next() * 0.05);
      const zeros = zeroPoints === 'float' ? Array.from({ length: N * blocks }, () => Math.fround(4 + 8 * rng.next())) : ints(0, 15, N * blocks);
      const zeroOf = (n: number, blk: number) => (zeroPoints === 'none' ? 8 : zeros[n * blocks + blk]);
      return check({
        expected: reference((k, n) => (q[k * N + n] - zeroOf(n, Math.floor(k / block))) * scales[n * blocks + Math.floor(k / block)]),
        opsets: { '': 17, 'com.microsoft': 1 },
        build: (g, x) => {
          const inputs = [x, g.constant(b, [N, blocks, block / 2]), g.constant(scales, [N * blocks])];
          if (zeroPoints === 'packed') {
            // [N, ceil(blocks / 2)] bytes, low nibble first.
            const packed = new Uint8Array(N * Math.ceil(blocks / 2));
            for (let n = 0; n < N; n++) for (let blk = 0; blk < blocks; blk++) packed[n * Math.ceil(blocks / 2) + Math.floor(blk / 2)] |= zeros[n * blocks + blk] << ((blk % 2) * 4);
            inputs.push(g.constant(packed, [packed.length]));
          }
          if (zeroPoints === 'float') inputs.push(g.constant(Float32Array.from(zeros), [N * blocks]));
          return g.op('MatMulNBits', inputs, { K, N, bits: 4, block_size: block }, { domain: 'com.microsoft' });
        },
      });
    });
});
