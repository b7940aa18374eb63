/**
 * The weights of a Llama-style ONNX export, found by the graph's structure rather than by initializer
 * names (hub exports call them `onnx::MatMul_123`): a projection is a MatMul-like node whose second input
 * is constant; q/k/v are three projections of one normed input, told apart by where they meet inside
 * attention; gate/up are two projections of one input, gate being the one that reaches a Sigmoid; layers
 * follow graph order; a bias is the constant vector an Add puts on a projection's output (Qwen2's q/k/v).
 * Quantized weights (fp16, DequantizeLinear, MatMulInteger, MatMulNBits) come out float32, in the layout of
 * llama-weights.ts ([in, out], as MatMul reads them: no conversion).
 */
import onnxProto from 'onnx-proto';
import { PROJECTION_MODULES, PROJECTIONS, projectionShape, type LlamaConfig, type Projection } from '../model/llama-config.ts';
import { transposed, type LayerWeights, type LlamaWeights, type Matrix } from '../model/llama-weights.ts';
import { bfloat16ToFloat, dequantizeLinear, dequantizeMatMulNBits, halfToFloat, type IntArray } from './dequantize.ts';

const { onnx } = onnxProto;
type TensorProto = InstanceType<typeof onnx.TensorProto>;
type NodeProto = InstanceType<typeof onnx.NodeProto>;

export class OnnxWeightError extends Error {
  override name = 'OnnxWeightError';
}

interface Constant {
  dims: number[];
  values: Float32Array | IntArray;
}

function toNumber(v: number | { toNumber(): number }): number {
  return typeof v === 'number' ? v : v.toNumber();
}

/** Copies raw bytes into their own aligned buffer (a Node Buffer's slice would share its pool). */
function aligned(raw: Uint8Array): ArrayBuffer {
  return new Uint8Array(raw).buffer;
}

/**
 * The files an ONNX model keeps its large initializers in (`.onnx_data`, `.onnx.data`), by the `location`
 * the model names them with; undefined for a file that is not there.
 */
export type ExternalData = (location: string) => Uint8Array | undefined;

const NO_EXTERNAL_DATA: ExternalData = () => undefined;

/** The bytes of an initializer stored outside the model file (location, offset and length per the ONNX spec). */
function externalBytes(t: TensorProto, external: ExternalData): Uint8Array {
  const entry = new Map((t.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
  const location = entry.get('location') ?? '';
  const file = external(location);
  if (!file) throw new OnnxWeightError(`initializer ${t.name} is stored in "${location}", which was not found beside the model`);
  const offset = Number(entry.get('offset') ?? 0);
  const length = entry.has('length') ? Number(entry.get('length')) : file.length - offset;
  if (!(offset >= 0 && length >= 0 && offset + length <= file.length))
    throw new OnnxWeightError(`initializer ${t.name}: bytes ${offset}..${offset + length} are outside "${location}" (${file.length} bytes)`);
  return file.subarray(offset, offset + length);
}

function readTensor(t: TensorProto, external: ExternalData): Constant {
  const dims = (t.dims ?? []).map(toNumber);
  const count = dims.reduce((a, b) => a * b, 1);
  const stored = t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL ? externalBytes(t, external) : t.rawData;
  const raw = stored && stored.length > 0 ? stored : undefined;
  const T = onnx.TensorProto.DataType;
  switch (t.dataType) {
    case T.FLOAT:
      return { dims, values: raw ? new Float32Array(aligned(raw)) : Float32Array.from(t.floatData ?? []) };
    case T.FLOAT16:
      return { dims, values: halfToFloat(raw ? new Uint16Array(aligned(raw)) : Uint16Array.from(t.int32Data ?? [])) };
    case T.BFLOAT16:
      return { dims, values: bfloat16ToFloat(raw ? new Uint16Array(aligned(raw)) : Uint16Array.from(t.int32Data ?? [])) };
    case T.INT8:
      return { dims, values: raw ? new Int8Array(aligned(raw)) : Int8Array.from(t.int32Data ?? []) };
    case T.UINT8:
      return { dims, values: raw ? new Uint8Array(aligned(raw)) : Uint8Array.from(t.int32Data ?? []) };
    case T.INT32:
      return { dims, values: raw ? new Int32Array(aligned(raw)) : Int32Array.from(t.int32Data ?? []) };
    case T.INT64: {
      const big = raw ? Array.from(new BigInt64Array(aligned(raw)), Number) : (t.int64Data ?? []).map(toNumber);
      return { dims, values: Float32Array.from(big) };
    }
    default:
      if (count === 0) return { dims, values: new Float32Array(0) };
      throw new OnnxWeightError(`initializer ${t.name} has data type ${t.dataType}, which is not supported`);
  }
}

function attr(node: NodeProto, name: string): number | number[] | undefined {
  const a = node.attribute?.find((x) => x.name === name);
  if (!a) return undefined;
  if (a.ints && a.ints.length > 0) return a.ints.map(toNumber);
  return a.i !== undefined && a.i !== null ? toNumber(a.i) : undefined;
}

function asFloat(c: Constant): Float32Array {
  return c.values instanceof Float32Array ? c.values : Float32Array.from(c.values);
}

/** A node that multiplies an activation by a constant matrix. */
interface ProjectionNode {
  index: number;
  /** The activation tensor before any dynamic quantization (what q/k/v share). */
  input: string;
  /** Tensor holding the float result. */
  output: string;
  weight: Matrix;
  /** Initializer the weight came from when it is a plain transpose of one (a tied head). */
  source?: string;
  /** A bias the node adds itself (MatMulNBits' optional input). */
  bias?: Float32Array;
}

class Graph {
  readonly nodes: NodeProto[];
  private readonly inits = new Map<string, TensorProto>();
  private readonly producer = new Map<string, number>();
  private readonly consumers = new Map<string, number[]>();
  private readonly cache = new Map<string, Constant | null>();

  constructor(
    bytes: Uint8Array,
    private readonly external: ExternalData = NO_EXTERNAL_DATA,
  ) {
    let model;
    try {
      model = onnx.ModelProto.decode(bytes);
    } catch (err) {
      throw new OnnxWeightError(`not an ONNX model: ${(err as Error).message}`);
    }
    const graph = model.graph;
    if (!graph) throw new OnnxWeightError('ONNX model has no graph');
    this.nodes = (graph.node ?? []) as NodeProto[];
    for (const t of graph.initializer ?? []) this.inits.set(t.name ?? '', t as TensorProto);
    this.nodes.forEach((n, i) => {
      for (const out of n.output ?? []) this.producer.set(out, i);
      for (const inp of n.input ?? []) if (inp) this.consumers.set(inp, [...(this.consumers.get(inp) ?? []), i]);
    });
  }

  producerOf(name: string): NodeProto | undefined {
    const i = this.producer.get(name);
    return i === undefined ? undefined : this.nodes[i];
  }

  consumersOf(name: string): number[] {
    return this.consumers.get(name) ?? [];
  }

  initializerName(name: string): string | undefined {
    return this.inits.has(name) ? name : undefined;
  }

  /** The float value of a tensor computed from initializers only (through Cast, DequantizeLinear, Transpose...), else null. */
  constant(name: string): Constant | null {
    if (this.cache.has(name)) return this.cache.get(name)!;
    const value = this.computeConstant(name);
    this.cache.set(name, value);
    return value;
  }

  private computeConstant(name: string): Constant | null {
    const init = this.inits.get(name);
    if (init) return readTensor(init, this.external);
    const node = this.producerOf(name);
    if (!node) return null;
    const inputs = node.input ?? [];
    switch (node.opType) {
      case 'Constant': {
        const t = node.attribute?.find((a) => a.name === 'value')?.t;
        return t ? readTensor(t as TensorProto, this.external) : null;
      }
      case 'Identity':
      case 'Cast':
        return this.floatConstant(inputs[0]);
      case 'DequantizeLinear': {
        const x = this.constant(inputs[0]);
        const scale = this.constant(inputs[1]);
        if (!x || !scale) return null;
        const zp = inputs[2] ? this.constant(inputs[2]) : null;
        const axis = (attr(node, 'axis') as number | undefined) ?? 1;
        const block = (attr(node, 'block_size') as number | undefined) ?? 0;
        const values = dequantizeLinear(x.values as IntArray, x.dims, asFloat(scale), zp?.values as IntArray | undefined, axis, block);
        return { dims: x.dims, values };
      }
      case 'Transpose': {
        const x = this.floatConstant(inputs[0]);
        if (!x || x.dims.length !== 2) return null;
        const t = transposed({ rows: x.dims[0], cols: x.dims[1], data: x.values as Float32Array });
        return { dims: [t.rows, t.cols], values: t.data };
      }
      default:
        return null;
    }
  }

  private floatConstant(name: string): Constant | null {
    const c = this.constant(name);
    return c ? { dims: c.dims, values: asFloat(c) } : null;
  }

  /** Reads node `index` as a projection (x @ constant W), or undefined when it is not one. */
  projection(index: number): ProjectionNode | undefined {
    const node = this.nodes[index];
    const inputs = node.input ?? [];
    const outputs = node.output ?? [];
    if (node.opType === 'MatMul') {
      const w = this.constant(inputs[1]);
      if (!w || w.dims.length !== 2 || this.constant(inputs[0])) return undefined;
      const transposed = this.producerOf(inputs[1]);
      const source =
        transposed?.opType === 'Transpose' ? this.initializerName(transposed.input?.[0] ?? '') : undefined;
      return { index, input: inputs[0], output: outputs[0], weight: { rows: w.dims[0], cols: w.dims[1], data: asFloat(w) }, source };
    }
    if (node.opType === 'MatMulNBits') {
      const k = attr(node, 'K') as number;
      const n = attr(node, 'N') as number;
      const bits = (attr(node, 'bits') as number | undefined) ?? 4;
      const blockSize = attr(node, 'block_size') as number;
      const b = this.constant(inputs[1]);
      const scales = this.constant(inputs[2]);
      if (!b || !scales) return undefined;
      const zp = inputs[3] ? this.constant(inputs[3]) : null;
      if (inputs[4]) throw new OnnxWeightError(`MatMulNBits ${node.name}: the g_idx input is not supported`);
      const bias = inputs[5] ? this.floatConstant(inputs[5])?.values : undefined;
      const zeroPoints = zp ? (zp.values instanceof Float32Array ? zp.values : (zp.values as Uint8Array)) : undefined;
      const data = dequantizeMatMulNBits(b.values as Uint8Array, asFloat(scales), zeroPoints, k, n, bits, blockSize);
      return { index, input: inputs[0], output: outputs[0], weight: { rows: k, cols: n, data }, ...(bias ? { bias: bias as Float32Array } : {}) };
    }
    if (node.opType === 'MatMulInteger') return this.matMulInteger(index);
    return undefined;
  }

  /**
   * Dynamic quantization as exported by ONNX Runtime's quantizer: DynamicQuantizeLinear(x) -> MatMulInteger
   * with the constant weight and its zero point -> Cast -> Mul by (x scale * weight scale).
   */
  private matMulInteger(index: number): ProjectionNode | undefined {
    const node = this.nodes[index];
    const [a, b, , bZero] = node.input ?? [];
    const wq = this.constant(b);
    if (!wq || wq.dims.length !== 2) return undefined;
    const dql = this.producerOf(a);
    const input = dql?.opType === 'DynamicQuantizeLinear' ? dql.input![0] : a;
    // Follow Cast -> Mul to the float output; the weight's scale is the constant factor of the scale product.
    let output = node.output![0];
    let scale: Float32Array | undefined;
    for (let hops = 0; hops < 3 && !scale; hops++) {
      const next = this.consumersOf(output).map((i) => this.nodes[i]);
      if (next.length !== 1) break;
      const step = next[0];
      if (step.opType === 'Mul') {
        const other = step.input!.find((x) => x !== output)!;
        const direct = this.constant(other);
        const product = this.producerOf(other);
        const factor = direct ?? (product?.opType === 'Mul' ? product.input!.map((x) => this.constant(x)).find(Boolean) : null);
        if (factor) scale = asFloat(factor);
      } else if (step.opType !== 'Cast') break;
      output = step.output![0];
    }
    if (!scale) throw new OnnxWeightError(`MatMulInteger ${node.name}: cannot find the weight's scale`);
    const zp = bZero ? this.constant(bZero) : null;
    const [rows, cols] = wq.dims;
    const values = dequantizeLinear(wq.values as IntArray, wq.dims, scale, zp?.values as IntArray | undefined, 1);
    return { index, input, output, weight: { rows, cols, data: values } };
  }
}

/** The constant vector added to a projection's output right after it, if any (transformers.js exports keep MatMul + Add). */
function projectionBias(g: Graph, p: ProjectionNode): Float32Array | undefined {
  if (p.bias) return p.bias;
  const next = g.consumersOf(p.output).map((i) => g.nodes[i]);
  if (next.length !== 1 || next[0].opType !== 'Add') return undefined;
  const other = next[0].input!.find((x) => x !== p.output);
  const bias = other === undefined ? null : g.constant(other);
  return bias && bias.values.length === p.weight.cols ? asFloat(bias) : undefined;
}

/** Projections that feed `tensor` without passing through another projection (backwards search). */
function upstreamProjections(g: Graph, tensor: string, projectionsByOutput: Map<string, ProjectionNode>): Set<ProjectionNode> {
  const found = new Set<ProjectionNode>();
  const seen = new Set<string>();
  const stack = [tensor];
  while (stack.length) {
    const t = stack.pop()!;
    if (seen.has(t)) continue;
    seen.add(t);
    const p = projectionsByOutput.get(t);
    if (p) {
      found.add(p);
      continue;
    }
    const node = g.producerOf(t);
    if (node) for (const inp of node.input ?? []) if (inp) stack.push(inp);
  }
  return found;
}

/**
 * Whether `tensor` reaches a node of type `op` before passing through another projection (forwards search).
 * A DynamicQuantizeLinear belongs to the projections it feeds: its scale output flows around their
 * MatMulInteger into the float result, and following it would leak into the next layers.
 */
function reaches(g: Graph, tensor: string, op: string, projectionIndices: Set<number>): boolean {
  const seen = new Set<number>();
  const stack = [...g.consumersOf(tensor)];
  while (stack.length) {
    const i = stack.pop()!;
    if (seen.has(i) || projectionIndices.has(i) || g.nodes[i].opType === 'DynamicQuantizeLinear') continue;
    seen.add(i);
    if (g.nodes[i].opType === op) return true;
    for (const out of g.nodes[i].output ?? []) stack.push(...g.consumersOf(out));
  }
  return false;
}

/** The scale vector of the RMSNorm that produced `tensor` (decomposed Mul, or a fused normalization op). */
function normWeight(g: Graph, tensor: string, hidden: number, where: string): Float32Array {
  let node = g.producerOf(tensor);
  while (node && node.opType === 'Cast') node = g.producerOf(node.input![0]);
  if (node && /LayerNormalization$/.test(node.opType ?? '')) {
    // The scale is input 1 of (Simplified)LayerNormalization, input 2 of the Skip* variants (after the residual).
    for (const inp of node.input!.slice(1, 3)) {
      const w = g.constant(inp);
      if (w && w.values.length === hidden) return asFloat(w);
    }
  }
  if (node && node.opType === 'Mul') {
    for (const inp of node.input ?? []) {
      const w = g.constant(inp);
      if (w && w.values.length === hidden) return asFloat(w);
    }
  }
  throw new OnnxWeightError(`cannot find the RMSNorm weight before ${where} (producer: ${node?.opType ?? 'graph input'})`);
}

function expectShape(m: Matrix, rows: number, cols: number, what: string): Matrix {
  if (m.rows !== rows || m.cols !== cols)
    throw new OnnxWeightError(`${what}: weight is ${m.rows}x${m.cols}, config.json implies ${rows}x${cols}`);
  return m;
}

/** The constant matrix of every projection node (MatMul, MatMulInteger, MatMulNBits), in graph order, as float32 [in, out]. */
export function projectionWeights(bytes: Uint8Array): Matrix[] {
  const g = new Graph(bytes);
  return g.nodes.flatMap((_, i) => g.projection(i)?.weight ?? []);
}

/** Weight formats of hub exports that the reader does not turn into float, by the op that carries them. */
const UNREADABLE_OPS: Record<string, string> = {
  MatMulBnb4: 'bnb4 weights (com.microsoft MatMulBnb4, 4-bit NF4/FP4)',
  GatherBlockQuantized: 'a block-quantized embedding (com.microsoft GatherBlockQuantized)',
  MatMulFpQ4: '4-bit weights in com.microsoft MatMulFpQ4',
};

/**
 * Refuses, naming it, a graph whose weights glon cannot fine-tune, before any weight is read: unknown
 * quantized ops, and q/k/v packed into one projection ahead of a fused attention op (GenAI's packed QKV).
 */
function checkReadableFormat(g: Graph): void {
  for (const node of g.nodes) {
    const op = node.opType ?? '';
    const what = UNREADABLE_OPS[op];
    const packed = /^(GroupQueryAttention|MultiHeadAttention)$/.test(op) && !node.input?.[1];
    if (what || packed)
      throw new OnnxWeightError(
        `${what ?? `packed q/k/v (one projection feeding ${op})`} cannot be fine-tuned: glon reads fp32, fp16, ` +
          'int8/uint8 (MatMulInteger, DequantizeLinear) and 4/8-bit MatMulNBits weights with separate q, k and v projections',
      );
  }
}

/** Reads the weights of a Llama-style ONNX export and checks them against its config. */
export function readOnnxWeights(bytes: Uint8Array, config: LlamaConfig, external: ExternalData = NO_EXTERNAL_DATA): LlamaWeights {
  const g = new Graph(bytes, external);
  checkReadableFormat(g);
  const D = config.hiddenSize;

  const projections: ProjectionNode[] = [];
  g.nodes.forEach((_, i) => {
    const p = g.projection(i);
    if (p) projections.push(p);
  });
  const byOutput = new Map(projections.map((p) => [p.output, p]));
  const indices = new Set(projections.map((p) => p.index));

  // Projections sharing one input: triples are attention q/k/v, pairs are MLP gate/up.
  const byInput = new Map<string, ProjectionNode[]>();
  for (const p of projections) byInput.set(p.input, [...(byInput.get(p.input) ?? []), p]);
  const triples = [...byInput.values()].filter((ps) => ps.length === 3).sort((a, b) => a[0].index - b[0].index);
  const pairs = [...byInput.values()].filter((ps) => ps.length === 2).sort((a, b) => a[0].index - b[0].index);
  if (triples.length !== config.numLayers || pairs.length !== config.numLayers)
    throw new OnnxWeightError(
      `the graph has ${triples.length} attention and ${pairs.length} MLP blocks, config.json says ${config.numLayers} layers ` +
        '(fused QKV or gate/up projections are not supported)',
    );

  const consumersOfProjections = projections.map((p) => ({ p, from: upstreamProjections(g, p.input, byOutput) }));
  const layers: LayerWeights[] = triples.map((qkv, layer) => {
    const where = `layer ${layer}`;
    const [q, k, v] = attentionRoles(g, qkv, byOutput, where);
    const o = consumersOfProjections.find(({ p, from }) => from.has(v) && !qkv.includes(p))?.p;
    if (!o) throw new OnnxWeightError(`${where}: cannot find the attention output projection`);
    const [first, second] = pairs[layer];
    const firstGate = reaches(g, first.output, 'Sigmoid', indices);
    const secondGate = reaches(g, second.output, 'Sigmoid', indices);
    if (firstGate === secondGate) throw new OnnxWeightError(`${where}: cannot tell the MLP gate from the up projection`);
    const [gate, up] = firstGate ? [first, second] : [second, first];
    const down = consumersOfProjections.find(({ from }) => from.has(gate) && from.has(up))?.p;
    if (!down) throw new OnnxWeightError(`${where}: cannot find the MLP down projection`);
    const roles: Record<Projection, ProjectionNode> = { q, k, v, o, gate, up, down };
    const inputNorm = normWeight(g, q.input, D, `${where} attention`);
    const postNorm = normWeight(g, gate.input, D, `${where} MLP`);
    const weights = {} as Record<Projection, Matrix>;
    const bias: Partial<Record<Projection, Float32Array>> = {};
    for (const name of PROJECTIONS) {
      const [rows, cols] = projectionShape(config, name);
      weights[name] = expectShape(roles[name].weight, rows, cols, `${where} ${PROJECTION_MODULES[name]}`);
      const b = projectionBias(g, roles[name]);
      if (b) bias[name] = b;
    }
    return { inputNorm, postNorm, ...weights, ...(Object.keys(bias).length > 0 ? { bias } : {}) };
  });

  const head = projections.find((p) => p.weight.rows === D && p.weight.cols === config.vocabSize);
  if (!head) throw new OnnxWeightError(`cannot find the LM head (a ${D}x${config.vocabSize} projection)`);

  const gather = g.nodes.find((n) => n.opType === 'Gather' && g.constant(n.input![0])?.dims.length === 2);
  const embedding = gather ? embeddingTable(g, gather) : null;
  if (!gather || !embedding) throw new OnnxWeightError('cannot find the token embedding (a Gather of a constant matrix)');
  const embed = expectShape(
    { rows: embedding.dims[0], cols: embedding.dims[1], data: asFloat(embedding) },
    config.vocabSize,
    D,
    'embed_tokens',
  );
  const tiedInPlace = head.source !== undefined && head.source === gather.input![0];
  return {
    embed,
    layers,
    finalNorm: normWeight(g, head.input, D, 'the LM head'),
    lmHead: tiedInPlace ? undefined : head.weight,
  };
}

/**
 * The embedding table a Gather reads, as float. ONNX Runtime's dynamic quantization gathers rows of a uint8
 * table and dequantizes the gathered rows (one scale and zero point for the whole table).
 */
function embeddingTable(g: Graph, gather: NodeProto): Constant {
  const table = g.constant(gather.input![0])!;
  const next = g.consumersOf(gather.output![0]).map((i) => g.nodes[i]);
  if (next.length !== 1 || next[0].opType !== 'DequantizeLinear') return table;
  const [, scaleName, zeroName] = next[0].input ?? [];
  const scale = g.constant(scaleName);
  const zero = zeroName ? g.constant(zeroName) : null;
  if (!scale || scale.values.length !== 1)
    throw new OnnxWeightError('the embedding is dequantized after its Gather with more than one scale, which is not supported');
  return { dims: table.dims, values: dequantizeLinear(table.values as IntArray, table.dims, asFloat(scale), zero?.values as IntArray | undefined) };
}

/** Orders a q/k/v triple by the attention that consumes it (scores q·k, then probabilities · v). */
function attentionRoles(
  g: Graph,
  qkv: ProjectionNode[],
  byOutput: Map<string, ProjectionNode>,
  where: string,
): [ProjectionNode, ProjectionNode, ProjectionNode] {
  const members = new Set(qkv);
  const only = (tensor: string | undefined): ProjectionNode | undefined => {
    if (!tensor) return undefined;
    const up = [...upstreamProjections(g, tensor, byOutput)].filter((p) => members.has(p));
    return up.length === 1 ? up[0] : undefined;
  };
  for (const node of g.nodes) {
    const inputs = node.input ?? [];
    // Fused attention ops take (query, key, value) as their first three inputs.
    if (/^(GroupQueryAttention|MultiHeadAttention)$/.test(node.opType ?? '')) {
      const [q, k, v] = inputs.slice(0, 3).map(only);
      if (q && k && v) return [q, k, v];
    }
  }
  let q: ProjectionNode | undefined, k: ProjectionNode | undefined, v: ProjectionNode | undefined;
  for (const node of g.nodes) {
    if (node.opType !== 'MatMul' || g.constant(node.input![1])) continue;
    const a = only(node.input![0]);
    const b = only(node.input![1]);
    if (a && b && a !== b) [q, k] = [a, b];
    else if (!a && b && upstreamProjections(g, node.input![0], byOutput).size >= 2) v = b;
  }
  if (!q || !k || !v || new Set([q, k, v]).size !== 3) throw new OnnxWeightError(`${where}: cannot tell q, k and v apart`);
  return [q, k, v];
}
