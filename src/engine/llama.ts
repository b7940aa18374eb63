/**
 * The Llama forward pass in jax-js, with optional LoRA on any projection: token embedding, RMSNorm,
 * rotary embeddings (rotate_half layout, as in HF and transformers.js exports), grouped-query causal
 * attention, SwiGLU MLP, final norm, (tied) head. Batches are right-padded: under a causal mask real
 * tokens never attend to the padding after them, so no extra mask is needed and pads only need to be
 * left out of the loss.
 * jax-js arrays are consumed by the ops they enter; weights are always passed on as `.ref`.
 */
import { defaultDevice, nn, numpy as np, random } from '@jax-js/jax';
import { PROJECTIONS, projectionShape, type LlamaConfig, type Projection } from '../model/llama-config.ts';
import { transposed, type LlamaWeights, type LayerWeights, type Matrix } from '../model/llama-weights.ts';
import { causalAttention, causalBias } from './attention.ts';
import type { DeviceLora, LayerFactors } from './lora.ts';

/** Projections that run as one matmul over their weights side by side: those that read the same input. */
const FUSED_GROUPS: readonly (readonly Projection[])[] = [['q', 'k', 'v'], ['o'], ['gate', 'up'], ['down']];
const SINGLE_GROUPS: readonly (readonly Projection[])[] = PROJECTIONS.map((p) => [p]);

export interface EngineLayer {
  inputNorm: np.Array;
  postNorm: np.Array;
  /** Per group, under its first projection: [in, sum of the group's outs], the weights side by side. */
  weights: Partial<Record<Projection, np.Array>>;
  /** Groups whose projections have output biases (Qwen2: q, k and v), zeros where one has none. */
  bias: Partial<Record<Projection, np.Array>>;
}

/**
 * How the engine runs a layer's projections on its device. On WebGPU a kernel launch costs more than the
 * arithmetic of these models: projections that share an input run as one matmul, and adapters are folded
 * into the weights (one batched A @ B per layer, at the price of a full weight gradient). On WASM launches
 * are cheap and that extra arithmetic is not: each projection runs alone, its adapter as x @ A @ B.
 */
export interface ProjectionPlan {
  groups: readonly (readonly Projection[])[];
  foldLora: boolean;
}

export function projectionPlan(device: string): ProjectionPlan {
  return device === 'webgpu' ? { groups: FUSED_GROUPS, foldLora: true } : { groups: SINGLE_GROUPS, foldLora: false };
}

export interface EngineWeights {
  config: LlamaConfig;
  plan: ProjectionPlan;
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

/** Matrices with the same rows, side by side. */
function sideBySide(ms: Matrix[]): Matrix {
  const rows = ms[0].rows;
  const cols = ms.reduce((n, m) => n + m.cols, 0);
  const data = new Float32Array(rows * cols);
  let at = 0;
  for (const m of ms) {
    for (let r = 0; r < rows; r++) data.set(m.data.subarray(r * m.cols, (r + 1) * m.cols), r * cols + at);
    at += m.cols;
  }
  return { rows, cols, data };
}

function groupWeights(l: LayerWeights, plan: ProjectionPlan): Pick<EngineLayer, 'weights' | 'bias'> {
  const weights: EngineLayer['weights'] = {};
  const bias: EngineLayer['bias'] = {};
  for (const names of plan.groups) {
    weights[names[0]] = matrix(sideBySide(names.map((p) => l[p])));
    if (names.some((p) => l.bias?.[p]))
      bias[names[0]] = vector(Float32Array.from(names.flatMap((p) => [...(l.bias?.[p] ?? new Float32Array(l[p].cols))])));
  }
  return { weights, bias };
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

/** Moves float32 weights onto the current jax-js device, to run as that device's plan unless told otherwise. */
export function loadEngineWeights(config: LlamaConfig, weights: LlamaWeights, plan = projectionPlan(defaultDevice())): EngineWeights {
  const { cos, sin } = ropeTables(config);
  const tables = (t: Float32Array<ArrayBuffer>) => np.array(t, { shape: [config.maxPositions, config.headDim], dtype: np.float32 });
  const embed = matrix(weights.embed);
  return {
    config,
    plan,
    embed,
    headRows: weights.lmHead ? matrix(transposed(weights.lmHead)) : embed.ref,
    layers: weights.layers.map((l) => ({ inputNorm: vector(l.inputNorm), postNorm: vector(l.postNorm), ...groupWeights(l, plan) })),
    finalNorm: vector(weights.finalNorm),
    cos: tables(cos),
    sin: tables(sin),
  };
}

export function disposeEngineWeights(w: EngineWeights): void {
  for (const a of [w.embed, w.headRows, w.finalNorm, w.cos, w.sin]) a.dispose();
  for (const l of w.layers) for (const a of [l.inputNorm, l.postNorm, ...Object.values(l.weights), ...Object.values(l.bias)]) a.dispose();
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

/**
 * The outputs of a group's projections of x: one matmul by the group's weights plus, for the projections
 * with an adapter, their deltas scale * A @ B (rows of `deltas`, [targets, maxIn, maxOut]) folded into the
 * weights. Unfolded (a plan that does not fold, or dropout), each adapter reads x, dropped out when training
 * with dropout, and is added after the matmul.
 */
function projectGroup(
  c: LlamaConfig,
  x: np.Array,
  names: readonly Projection[],
  layer: EngineLayer,
  lora: LayerLora | undefined,
  runtime: LoraRuntime,
  keys: Keys,
): np.Array[] {
  const slot = (p: Projection) => lora?.layout.targets.indexOf(p) ?? -1;
  let weight = layer.weights[names[0]]!.ref;
  if (lora?.deltas && names.some((p) => slot(p) >= 0)) {
    const pieces = names.map((p) => {
      const [rows, cols] = projectionShape(c, p);
      return slot(p) >= 0 ? lora.deltas!.ref.slice(slot(p), [0, rows], [0, cols]) : np.zeros([rows, cols], { dtype: np.float32 });
    });
    weight = weight.add(pieces.length === 1 ? pieces[0] : np.concatenate(pieces, 1));
  }
  let y = np.matmul(x.ref, weight);
  const bias = layer.bias[names[0]];
  if (bias) y = y.add(bias.ref);
  let at = 0;
  const results = names.map((p) => {
    const [rows, cols] = projectionShape(c, p);
    const out = y.ref.slice(...Array.from({ length: y.ndim - 1 }, (): [] => []), [at, (at += cols)]);
    if (!lora || lora.deltas || slot(p) < 0) return out;
    let input = x.ref;
    if (keys && runtime.dropout > 0) {
      const keep = random.bernoulli(keys.pop()!, 1 - runtime.dropout, input.shape);
      input = np.where(keep, input.mul(1 / (1 - runtime.dropout)), 0);
    }
    const a = lora.factors.a.ref.slice(slot(p), [0, rows]);
    const b = lora.factors.b.ref.slice(slot(p), [], [0, cols]);
    return out.add(np.matmul(np.matmul(input, a), b).mul(runtime.scale));
  });
  y.dispose();
  x.dispose();
  return results;
}

/** One layer's adapter: its factor blocks and, unless dropout is on, their deltas scale * A @ B. */
interface LayerLora {
  layout: DeviceLora['layout'];
  factors: LayerFactors;
  deltas?: np.Array;
}

/**
 * Final-normed hidden states [B, T, hidden] for tokens [B, T] (int32) at positions [B, T] (int32).
 * `dropoutKey` (a jax-js PRNG key) turns on LoRA dropout.
 */
export function forwardHidden(
  w: EngineWeights,
  lora: DeviceLora | undefined,
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
    const factors = lora?.layers[i];
    // Folded (see ProjectionPlan; not with dropout, which drops the adapters' inputs only): one batched matmul for all deltas.
    const l: LayerLora | undefined = factors && {
      layout: lora!.layout,
      factors,
      deltas: keys || !w.plan.foldLora ? undefined : np.matmul(factors.a.ref, factors.b.ref).mul(runtime.scale),
    };
    /** The outputs of projections that read `input`, in the order named. */
    const project = (input: np.Array, ...names: Projection[]) => {
      const outputs = w.plan.groups.filter((g) => names.includes(g[0])).flatMap((g) => projectGroup(c, input.ref, g, layer, l, runtime, keys));
      input.dispose();
      return outputs;
    };
    const h = rmsNorm(x.ref, layer.inputNorm, c.rmsNormEps);
    const [q, k, v] = project(h, 'q', 'k', 'v');
    const heads = (y: np.Array, n: number) => y.reshape([B, T, n, c.headDim]);
    const attention = causalAttention(rope(heads(q, c.numHeads)), rope(heads(k, c.numKvHeads)), heads(v, c.numKvHeads), mask);
    x = x.add(project(attention, 'o')[0]);
    const m = rmsNorm(x.ref, layer.postNorm, c.rmsNormEps);
    const [gate, up] = project(m, 'gate', 'up');
    x = x.add(project(nn.silu(gate).mul(up), 'down')[0]);
    if (l) for (const a of [l.factors.a, l.factors.b, l.deltas]) a?.dispose();
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
