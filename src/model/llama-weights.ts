/**
 * The weights of a Llama-family decoder on the host, float32, in one layout wherever they are held (the ONNX
 * reader, the random initializer, the ONNX writer, the adapter merge, the jax-js engine): every projection
 * [in, out] row-major, so that y = x @ W as ONNX MatMul computes it. Hugging Face checkpoints and PEFT files
 * store a torch Linear as [out, in]: code that reads or writes that layout converts with `transposed`.
 */
import type { Projection } from './llama-config.ts';

/** A row-major float32 matrix. */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float32Array;
}

export interface LayerWeights {
  inputNorm: Float32Array;
  q: Matrix;
  k: Matrix;
  v: Matrix;
  o: Matrix;
  postNorm: Float32Array;
  gate: Matrix;
  up: Matrix;
  down: Matrix;
  /** Output biases of the projections that have one (Qwen2: q, k and v). */
  bias?: Partial<Record<Projection, Float32Array>>;
}

export interface LlamaWeights {
  /** [vocab, hidden]. */
  embed: Matrix;
  layers: LayerWeights[];
  finalNorm: Float32Array;
  /** [hidden, vocab]; absent when the head is the embedding itself (tied and stored once). */
  lmHead?: Matrix;
}

/** The matrix [cols, rows] of `m` [rows, cols]: the one conversion between [in, out] and [out, in]. */
export function transposed(m: Matrix): Matrix {
  const { rows, cols, data } = m;
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return { rows: cols, cols: rows, data: out };
}
