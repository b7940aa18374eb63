/**
 * The Llama/Qwen2 decoder as an ONNX graph in the layout transformers.js runs: inputs `input_ids`,
 * `attention_mask`, `position_ids` and `past_key_values.{i}.key|value`; outputs `logits` and `present.{i}.*`.
 * Standard ops only (opset 17), so ONNX Runtime on CPU, WASM and WebGPU all run it.
 */
import { PROJECTIONS, PROJECTION_MODULES, projectionShape, type LlamaConfig, type Projection } from '../model/llama-config.ts';
import { transposed, type LlamaWeights, type Matrix } from '../model/llama-weights.ts';
import { DataType, GraphBuilder, modelProto, type ModelProto } from './onnx-writer.ts';

/** fp32, or q8: int8 weights with one fp32 scale per output channel, dequantized in the graph. */
export type WeightFormat = 'fp32' | 'q8';

const OPSET = 17;
const IR_VERSION = 8;
/** Additive mask for forbidden keys: large enough to zero them in softmax, finite so fully masked rows stay finite. */
const MASKED = -1e9;

/** Symmetric int8 per output channel: w ≈ q * scale[out]. `weightT` is [in, out]. */
function quantizeColumns(weightT: Float32Array, cols: number): { q: Int8Array; scale: Float32Array } {
  const scale = new Float32Array(cols);
  for (let i = 0; i < weightT.length; i++) {
    const a = Math.abs(weightT[i]);
    const c = i % cols;
    if (a > scale[c]) scale[c] = a;
  }
  for (let c = 0; c < cols; c++) scale[c] = scale[c] === 0 ? 1 : scale[c] / 127;
  const q = new Int8Array(weightT.length);
  for (let i = 0; i < weightT.length; i++) q[i] = Math.max(-127, Math.min(127, Math.round(weightT[i] / scale[i % cols])));
  return { q, scale };
}

function checkVector(name: string, values: Float32Array | undefined, expected: number): void {
  if (!values) throw new Error(`weights: ${name} is missing`);
  if (values.length !== expected) throw new Error(`weights: ${name} has ${values.length} values, expected ${expected}`);
}

function checkMatrix(name: string, m: Matrix | undefined, rows: number, cols: number): void {
  if (!m) throw new Error(`weights: ${name} is missing`);
  if (m.rows !== rows || m.cols !== cols) throw new Error(`weights: ${name} is ${m.rows}x${m.cols}, expected ${rows}x${cols}`);
  checkVector(name, m.data, rows * cols);
}

function checkWeights(config: LlamaConfig, w: LlamaWeights): void {
  const { hiddenSize: d, vocabSize: v, numHeads, numKvHeads } = config;
  if (numHeads % numKvHeads !== 0) throw new Error(`config: ${numHeads} heads do not group into ${numKvHeads} kv heads`);
  if (w.layers.length !== config.numLayers) throw new Error(`weights: ${w.layers.length} layers, expected ${config.numLayers}`);
  checkMatrix('embed', w.embed, v, d);
  checkVector('finalNorm', w.finalNorm, d);
  if (!config.tieWordEmbeddings || w.lmHead) checkMatrix('lmHead', w.lmHead, d, v);
  w.layers.forEach((l, i) => {
    const at = `layers.${i}`;
    checkVector(`${at}.inputNorm`, l.inputNorm, d);
    checkVector(`${at}.postNorm`, l.postNorm, d);
    for (const p of PROJECTIONS) {
      const [inp, out] = projectionShape(config, p);
      checkMatrix(`${at}.${p}`, l[p], inp, out);
      const bias = l.bias?.[p];
      if (config.attentionBias && (p === 'q' || p === 'k' || p === 'v')) checkVector(`${at}.bias.${p}`, bias, out);
      else if (bias) throw new Error(`weights: ${at}.bias.${p} is not part of this model`);
    }
  });
}

/**
 * Builds the whole decoder; `weights` are read, never changed. The head is `lmHead` when the weights have one
 * (a quantized export of a tied model keeps its own copy), else the embedding.
 */
export function buildLlamaModel(config: LlamaConfig, weights: LlamaWeights, format: WeightFormat): ModelProto {
  checkWeights(config, weights);
  const g = new GraphBuilder(`${config.modelType}-decoder`);
  const { hiddenSize: D, numHeads: NH, numKvHeads: NKV, headDim: HD, vocabSize: V } = config;
  const group = NH / NKV;

  g.input('input_ids', DataType.INT64, ['batch_size', 'sequence_length']);
  g.input('attention_mask', DataType.INT64, ['batch_size', 'total_sequence_length']);
  g.input('position_ids', DataType.INT64, ['batch_size', 'sequence_length']);
  g.output('logits', DataType.FLOAT, ['batch_size', 'sequence_length', V]);
  for (let i = 0; i < config.numLayers; i++) {
    for (const kv of ['key', 'value']) {
      g.input(`past_key_values.${i}.${kv}`, DataType.FLOAT, ['batch_size', NKV, 'past_sequence_length', HD]);
      g.output(`present.${i}.${kv}`, DataType.FLOAT, ['batch_size', NKV, 'total_sequence_length', HD]);
    }
  }

  /** A tensor name holding `m` [in, out] for MatMul (fp32, or int8 + DequantizeLinear). */
  const matmulWeight = (m: Matrix, name: string): string => {
    if (format === 'fp32') return g.constant(m.data, [m.rows, m.cols], `${name}_T`);
    const { q, scale } = quantizeColumns(m.data, m.cols);
    const qName = g.constant(q, [m.rows, m.cols], `${name}_T_quantized`);
    const sName = g.constant(scale, [m.cols], `${name}_T_scale`);
    const zName = g.constant(new Int8Array(m.cols), [m.cols], `${name}_T_zero_point`);
    return g.op('DequantizeLinear', [qName, sName, zName], { axis: 1 });
  };

  const embed = g.constant(weights.embed.data, [V, D], 'model.embed_tokens.weight');
  let x = g.op('Gather', [embed, 'input_ids'], { axis: 0 }); // [B,S,D]

  // Rotary tables from position_ids, [B,1,S,HD]: angle = position * theta^(-2i/HD), halves repeated (rotate_half layout).
  const invFreq = Array.from({ length: HD / 2 }, (_, i) => 1 / config.ropeTheta ** ((2 * i) / HD));
  const positions = g.op('Unsqueeze', [g.op('Cast', ['position_ids'], { to: DataType.FLOAT }), g.int64([2])]);
  const freqs = g.op('Mul', [positions, g.float(invFreq, [1, 1, HD / 2])]);
  const angles = g.op('Unsqueeze', [g.op('Concat', [freqs, freqs], { axis: 2 }), g.int64([1])]);
  const cos = g.op('Cos', [angles]);
  const sin = g.op('Sin', [angles]);

  // Additive attention bias [B,1,1,S,T]: key k is visible to query q when k <= past + q and attention_mask[k] = 1.
  const seqLen = g.op('Gather', [g.op('Shape', ['input_ids']), g.int64([1], [])], { axis: 0 });
  const totalLen = g.op('Gather', [g.op('Shape', ['attention_mask']), g.int64([1], [])], { axis: 0 });
  const pastLen = g.op('Sub', [totalLen, seqLen]);
  const one = g.int64([1], []);
  const keyIndex = g.op('Range', [g.int64([0], []), totalLen, one]);
  const queryIndex = g.op('Unsqueeze', [g.op('Range', [pastLen, totalLen, one]), g.int64([1])]);
  const causal = g.op('LessOrEqual', [keyIndex, queryIndex]); // [S,T]
  const padding = g.op('Unsqueeze', [g.op('Cast', ['attention_mask'], { to: DataType.BOOL }), g.int64([1, 2, 3])]);
  const bias = g.op('Where', [g.op('And', [causal, padding]), g.float([0], []), g.float([MASKED], [])]);

  const eps = g.float([config.rmsNormEps], []);
  const rmsNorm = (t: string, weight: Float32Array, name: string): string => {
    const meanSquare = g.op('ReduceMean', [g.op('Mul', [t, t])], { axes: [-1], keepdims: 1 });
    const normed = g.op('Div', [t, g.op('Sqrt', [g.op('Add', [meanSquare, eps])])]);
    return g.op('Mul', [normed, g.constant(weight, [D], name)]);
  };

  const axis3 = g.int64([3]);
  const lowHalf = [g.int64([0]), g.int64([HD / 2])];
  const highHalf = [g.int64([HD / 2]), g.int64([HD])];
  const rope = (t: string): string => {
    const x1 = g.op('Slice', [t, ...lowHalf, axis3]);
    const x2 = g.op('Slice', [t, ...highHalf, axis3]);
    const rotated = g.op('Concat', [g.op('Neg', [x2]), x1], { axis: 3 });
    return g.op('Add', [g.op('Mul', [t, cos]), g.op('Mul', [rotated, sin])]);
  };
  const heads = (t: string, n: number): string =>
    g.op('Transpose', [g.op('Reshape', [t, g.int64([0, 0, n, HD])])], { perm: [0, 2, 1, 3] }); // [B,n,S,HD]

  const scale = g.float([1 / Math.sqrt(HD)], []);
  const qDim = NH * HD;
  weights.layers.forEach((layer, i) => {
    const at = `model.layers.${i}`;
    /** x @ W (+ bias) of one projection, under its Hugging Face name. */
    const project = (x: string, p: Projection): string => {
      const name = `${at}.${PROJECTION_MODULES[p]}`;
      const y = g.op('MatMul', [x, matmulWeight(layer[p], `${name}.weight`)]);
      const bias = layer.bias?.[p];
      return bias ? g.op('Add', [y, g.constant(bias, [bias.length], `${name}.bias`)]) : y;
    };
    const h = rmsNorm(x, layer.inputNorm, `${at}.input_layernorm.weight`);
    const q = rope(heads(project(h, 'q'), NH));
    const k = rope(heads(project(h, 'k'), NKV));
    const v = heads(project(h, 'v'), NKV);
    const keys = g.op('Concat', [`past_key_values.${i}.key`, k], { axis: 2 }, { outputs: [`present.${i}.key`] });
    const values = g.op('Concat', [`past_key_values.${i}.value`, v], { axis: 2 }, { outputs: [`present.${i}.value`] });
    // Grouped-query attention without copying kv heads: queries [B,NKV,group,S,HD] broadcast against [B,NKV,1,T,HD].
    const q5 = g.op('Reshape', [q, g.int64([0, NKV, group, -1, HD])]);
    const k5 = g.op('Unsqueeze', [keys, g.int64([2])]);
    const v5 = g.op('Unsqueeze', [values, g.int64([2])]);
    const scores = g.op('MatMul', [q5, g.op('Transpose', [k5], { perm: [0, 1, 2, 4, 3] })]);
    const probs = g.op('Softmax', [g.op('Add', [g.op('Mul', [scores, scale]), bias])], { axis: -1 });
    const context = g.op('Reshape', [g.op('MatMul', [probs, v5]), g.int64([0, NH, -1, HD])]);
    const merged = g.op('Reshape', [g.op('Transpose', [context], { perm: [0, 2, 1, 3] }), g.int64([0, 0, qDim])]);
    x = g.op('Add', [x, project(merged, 'o')]);

    const h2 = rmsNorm(x, layer.postNorm, `${at}.post_attention_layernorm.weight`);
    const gate = project(h2, 'gate');
    const up = project(h2, 'up');
    const swiglu = g.op('Mul', [g.op('Mul', [gate, g.op('Sigmoid', [gate])]), up]);
    x = g.op('Add', [x, project(swiglu, 'down')]);
  });
  x = rmsNorm(x, weights.finalNorm, 'model.norm.weight');

  // A tied fp32 head reuses the embedding table; a tied quantized head gets its own int8 copy, like stories260K's.
  const head = weights.lmHead
    ? matmulWeight(weights.lmHead, 'lm_head.weight')
    : format === 'fp32'
      ? g.op('Transpose', [embed], { perm: [1, 0] })
      : matmulWeight(transposed(weights.embed), 'lm_head.weight');
  g.op('MatMul', [x, head], {}, { outputs: ['logits'] });

  return modelProto(g.build(), { opsets: { '': OPSET }, irVersion: IR_VERSION, producer: 'glon' });
}
