/**
 * The Llama forward pass in jax-js, with optional LoRA on any projection: token embedding, RMSNorm,
 * rotary embeddings (rotate_half layout, as in HF and transformers.js exports), grouped-query causal
 * attention, SwiGLU MLP, final norm, (tied) head. Batches are right-padded: under a causal mask real
 * tokens never attend to the padding after them, so no extra mask is needed and pads only need to be
 * left out of the loss.
 * jax-js arrays are consumed by the ops they enter; weights are always passed on as `.ref`.
 */
import { nn, numpy as np, random } from '@jax-js/jax';
import type { LlamaConfig } from '../model/llama-config.ts';
import { PROJECTIONS, type LlamaWeights, type Matrix, type Projection } from '../model/onnx-weights.ts';
import { causalAttention, causalBias } from './attention.ts';

export interface EngineLayer {
  inputNorm: np.Array;
  q: np.Array;
  k: np.Array;
  v: np.Array;
  o: np.Array;
  postNorm: np.Array;
  gate: np.Array;
  up: np.Array;
  down: np.Array;
  /** Output biases of the projections that have one (Qwen2: q, k and v). */
  bias: Partial<Record<Projection, np.Array>>;
}

export interface EngineWeights {
  config: LlamaConfig;
  /** [vocab, hidden]: rows gathered for the input tokens. */
  embed: np.Array;
  /** [vocab, hidden]: the output head as rows (the embedding itself when tied), so target logits are a gather. */
  headRows: np.Array;
  layers: EngineLayer[];
  finalNorm: np.Array;
  /** [maxPositions, headDim] rotary tables. */
  cos: np.Array;
  sin: np.Array;
}

/** LoRA factors of one projection: delta W = a @ b * scale, a [in, rank], b [rank, out]. */
export interface LoraFactors {
  a: np.Array;
  b: np.Array;
}
export type LoraLayer = Partial<Record<Projection, LoraFactors>>;

export interface LoraRuntime {
  scale: number;
  /** Probability of zeroing an input element of the LoRA path during training (0 at inference). */
  dropout: number;
}

function matrix(m: Matrix): np.Array {
  return np.array(m.data as Float32Array<ArrayBuffer>, { shape: [m.rows, m.cols], dtype: np.float32 });
}

function vector(v: Float32Array): np.Array {
  return np.array(v as Float32Array<ArrayBuffer>, { shape: [v.length], dtype: np.float32 });
}

function transposeMatrix(m: Matrix): Matrix {
  const out = new Float32Array(m.data.length);
  for (let r = 0; r < m.rows; r++) for (let c = 0; c < m.cols; c++) out[c * m.rows + r] = m.data[r * m.cols + c];
  return { rows: m.cols, cols: m.rows, data: out };
}

/** HF rotary tables: angle(pos, i) = pos * theta^(-2i/headDim), the half repeated. */
function ropeTables(config: LlamaConfig): { cos: Float32Array<ArrayBuffer>; sin: Float32Array<ArrayBuffer> } {
  const half = config.headDim / 2;
  const n = config.maxPositions;
  const cos = new Float32Array(n * config.headDim);
  const sin = new Float32Array(n * config.headDim);
  for (let p = 0; p < n; p++) {
    for (let i = 0; i < half; i++) {
      // float32 inverse frequency and product, as the exported graphs compute them
      const angle = Math.fround(p * Math.fround(1 / Math.fround(config.ropeTheta ** ((2 * i) / config.headDim))));
      cos[p * config.headDim + i] = cos[p * config.headDim + i + half] = Math.cos(angle);
      sin[p * config.headDim + i] = sin[p * config.headDim + i + half] = Math.sin(angle);
    }
  }
  return { cos, sin };
}

/** Moves float32 weights onto the current jax-js device. */
export function loadEngineWeights(config: LlamaConfig, weights: LlamaWeights): EngineWeights {
  const { cos, sin } = ropeTables(config);
  const tables = (t: Float32Array<ArrayBuffer>) => np.array(t, { shape: [config.maxPositions, config.headDim], dtype: np.float32 });
  const embed = matrix(weights.embed);
  return {
    config,
    embed,
    headRows: weights.lmHead ? matrix(transposeMatrix(weights.lmHead)) : embed.ref,
    layers: weights.layers.map((l) => ({
      inputNorm: vector(l.inputNorm),
      q: matrix(l.q),
      k: matrix(l.k),
      v: matrix(l.v),
      o: matrix(l.o),
      postNorm: vector(l.postNorm),
      gate: matrix(l.gate),
      up: matrix(l.up),
      down: matrix(l.down),
      bias: Object.fromEntries(Object.entries(l.bias ?? {}).map(([name, b]) => [name, vector(b)])),
    })),
    finalNorm: vector(weights.finalNorm),
    cos: tables(cos),
    sin: tables(sin),
  };
}

export function disposeEngineWeights(w: EngineWeights): void {
  for (const a of [w.embed, w.headRows, w.finalNorm, w.cos, w.sin]) a.dispose();
  for (const { bias, ...l } of w.layers) for (const a of [...Object.values(l), ...Object.values(bias)]) a.dispose();
}

function rmsNorm(x: np.Array, weight: np.Array, eps: number): np.Array {
  const ms = x.ref.mul(x.ref).mean(-1, { keepdims: true });
  return x.div(np.sqrt(ms.add(eps))).mul(weight.ref);
}

/** [x1, x2] -> [-x2, x1] along the last axis, as a flip of the two halves times a sign: view ops that fuse. */
function rotateHalf(x: np.Array): np.Array {
  const shape = x.shape;
  const half = shape[shape.length - 1] / 2;
  const halves = np.flip(x.reshape([...shape.slice(0, -1), 2, half]), -2);
  return halves.mul(np.array([[-1], [1]], { dtype: np.float32 })).reshape(shape);
}

/** A dropout key per projection, or none when not training. */
type Keys = np.Array[] | undefined;

function project(
  x: np.Array,
  weight: np.Array,
  lora: LoraFactors | undefined,
  runtime: LoraRuntime,
  keys: Keys,
): np.Array {
  if (!lora) return np.matmul(x, weight.ref);
  const base = np.matmul(x.ref, weight.ref);
  let input = x;
  if (keys && runtime.dropout > 0) {
    const keep = random.bernoulli(keys.pop()!, 1 - runtime.dropout, input.shape);
    input = np.where(keep, input.mul(1 / (1 - runtime.dropout)), 0);
  }
  const delta = np.matmul(np.matmul(input, lora.a.ref), lora.b.ref);
  return base.add(delta.mul(runtime.scale));
}

/**
 * Final-normed hidden states [B, T, hidden] for tokens [B, T] (int32) at positions [B, T] (int32).
 * `dropoutKey` (a jax-js PRNG key) turns on LoRA dropout.
 */
export function forwardHidden(
  w: EngineWeights,
  lora: readonly LoraLayer[] | undefined,
  runtime: LoraRuntime,
  tokens: np.Array,
  positions: np.Array,
  dropoutKey?: np.Array,
): np.Array {
  const c = w.config;
  const [B, T] = tokens.shape;
  let keys: Keys;
  if (dropoutKey) {
    const n = c.numLayers * PROJECTIONS.length;
    const all = random.split(dropoutKey, n);
    keys = Array.from({ length: n }, (_, i) => all.ref.slice(i));
    all.dispose();
  }
  const cos = w.cos.ref.slice(positions.ref).reshape([B, T, 1, c.headDim]);
  const sin = w.sin.ref.slice(positions).reshape([B, T, 1, c.headDim]);
  const rope = (x: np.Array) => x.ref.mul(cos.ref).add(rotateHalf(x).mul(sin.ref));
  const mask = causalBias(c.numHeads / c.numKvHeads, T);

  let x = w.embed.ref.slice(tokens);
  w.layers.forEach((layer, i) => {
    const l = lora?.[i] ?? {};
    const p = (input: np.Array, name: Projection) => {
      const y = project(input, layer[name], l[name], runtime, keys);
      const bias = layer.bias[name];
      return bias ? y.add(bias.ref) : y;
    };
    const h = rmsNorm(x.ref, layer.inputNorm, c.rmsNormEps);
    const q = rope(p(h.ref, 'q').reshape([B, T, c.numHeads, c.headDim]));
    const k = rope(p(h.ref, 'k').reshape([B, T, c.numKvHeads, c.headDim]));
    const v = p(h, 'v').reshape([B, T, c.numKvHeads, c.headDim]);
    x = x.add(p(causalAttention(q, k, v, mask), 'o'));
    const m = rmsNorm(x.ref, layer.postNorm, c.rmsNormEps);
    const gate = nn.silu(p(m.ref, 'gate'));
    x = x.add(p(gate.mul(p(m, 'up')), 'down'));
  });
  cos.dispose();
  sin.dispose();
  mask.dispose();
  for (const key of keys ?? []) key.dispose(); // those of projections without an adapter
  return rmsNorm(x, w.finalNorm, c.rmsNormEps);
}

/** Logits [B, T, vocab] from hidden states. */
export function logitsFrom(w: EngineWeights, hidden: np.Array): np.Array {
  return np.matmul(hidden, w.headRows.ref.transpose());
}

/**
 * Log-probabilities of `targets` [B, T] (int32) after hidden [B, T, hidden]: target logit minus
 * log-sum-exp. Used for scoring and as the value of the training loss.
 */
export function targetLogprobs(w: EngineWeights, hidden: np.Array, targets: np.Array): np.Array {
  const target = np.sum(hidden.ref.mul(w.headRows.ref.slice(targets)), -1);
  return target.sub(nn.logsumexp(logitsFrom(w, hidden), -1));
}
