/**
 * A small builder for ONNX models: initializers, nodes and graph inputs/outputs in, protobuf bytes out.
 * Encoding goes through onnx-proto (protobufjs types generated from onnx.proto), never by hand.
 */
import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';

const { onnx } = onnxProto;

export type ModelProto = OnnxTypes.IModelProto;
export type GraphProto = OnnxTypes.IGraphProto;
type TensorProto = OnnxTypes.ITensorProto;

export const DataType = onnx.TensorProto.DataType;
export type DataType = OnnxTypes.TensorProto.DataType;

/** protobuf refuses messages of 2 GiB and more; ONNX Runtime parses nothing larger either. */
const MAX_MODEL_BYTES = 2 ** 31 - 1;

export type TensorValues = Float32Array | Int8Array | Uint8Array | Int32Array | BigInt64Array | Uint16Array;

/** A float attribute whose value happens to be integral (plain numbers become INT when integral). */
export class FloatAttribute {
  constructor(readonly value: number) {}
}
export type AttributeValue = number | number[] | string | FloatAttribute;

/** One dimension of a graph input or output: a fixed size or a symbolic name ("batch_size"). */
export type Dim = number | string;

function defaultDataType(values: TensorValues): DataType {
  if (values instanceof Float32Array) return DataType.FLOAT;
  if (values instanceof Int8Array) return DataType.INT8;
  if (values instanceof Uint8Array) return DataType.UINT8;
  if (values instanceof Int32Array) return DataType.INT32;
  if (values instanceof BigInt64Array) return DataType.INT64;
  // Uint16Array is ambiguous (uint16 or float16 bits): the caller must say which.
  throw new Error('a Uint16Array tensor needs an explicit data type (UINT16 or FLOAT16)');
}

/** An initializer holding `values` (little-endian raw bytes, as every ONNX writer stores them). */
function tensor(name: string, values: TensorValues, dims: readonly number[], dataType = defaultDataType(values)): TensorProto {
  const count = dims.reduce((a, b) => a * b, 1);
  if (values.length !== count) {
    throw new Error(`tensor ${name}: ${values.length} values do not fill dims [${dims.join(', ')}]`);
  }
  return { name, dims: [...dims], dataType, rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) };
}

function attribute(name: string, value: AttributeValue): OnnxTypes.IAttributeProto {
  const type = onnx.AttributeProto.AttributeType;
  if (value instanceof FloatAttribute) return { name, type: type.FLOAT, f: value.value };
  if (typeof value === 'string') return { name, type: type.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) {
    return value.every(Number.isInteger) ? { name, type: type.INTS, ints: value } : { name, type: type.FLOATS, floats: value };
  }
  return Number.isInteger(value) ? { name, type: type.INT, i: value } : { name, type: type.FLOAT, f: value };
}

function valueInfo(name: string, elemType: DataType, shape: readonly Dim[]): OnnxTypes.IValueInfoProto {
  const dim = shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType, shape: { dim } } } };
}

export interface OpOptions {
  /** Output names; generated when absent. Give names for graph outputs. */
  outputs?: string[];
  /** Operator domain, e.g. 'com.microsoft' for MatMulNBits; '' (standard ONNX) by default. */
  domain?: string;
}

/** Collects a graph in the order it is built: every op's outputs can feed later ops. */
export class GraphBuilder {
  private readonly nodes: OnnxTypes.INodeProto[] = [];
  private readonly initializers: TensorProto[] = [];
  private readonly inputs: OnnxTypes.IValueInfoProto[] = [];
  private readonly outputs: OnnxTypes.IValueInfoProto[] = [];
  private count = 0;

  constructor(readonly name: string) {}

  private fresh(prefix: string): string {
    return `${prefix}_${++this.count}`;
  }

  input(name: string, elemType: DataType, shape: readonly Dim[]): string {
    this.inputs.push(valueInfo(name, elemType, shape));
    return name;
  }

  output(name: string, elemType: DataType, shape: readonly Dim[]): void {
    this.outputs.push(valueInfo(name, elemType, shape));
  }

  /** Adds an initializer and returns its name (generated when absent). */
  constant(values: TensorValues, dims: readonly number[], name = this.fresh('const'), dataType?: DataType): string {
    this.initializers.push(tensor(name, values, dims, dataType));
    return name;
  }

  /** int64 constant: shapes, axes, indices. A scalar when `dims` is []. */
  int64(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.constant(BigInt64Array.from(values, BigInt), dims);
  }

  /** float32 constant. A scalar when `dims` is []. */
  float(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.constant(Float32Array.from(values), dims);
  }

  /** Adds one node and returns its first output's name. */
  op(opType: string, inputs: readonly string[], attributes: Record<string, AttributeValue> = {}, options: OpOptions = {}): string {
    const outputs = options.outputs ?? [this.fresh(opType)];
    this.nodes.push({
      name: this.fresh(`${opType}_node`),
      opType,
      domain: options.domain ?? '',
      input: [...inputs],
      output: outputs,
      attribute: Object.entries(attributes).map(([key, value]) => attribute(key, value)),
    });
    return outputs[0];
  }

  build(): GraphProto {
    return { name: this.name, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs };
  }
}

export interface ModelOptions {
  /** Opset per domain; '' is standard ONNX. */
  opsets: Record<string, number>;
  irVersion: number;
  producer: string;
}

export function modelProto(graph: GraphProto, options: ModelOptions): ModelProto {
  return {
    irVersion: options.irVersion,
    producerName: options.producer,
    opsetImport: Object.entries(options.opsets).map(([domain, version]) => ({ domain, version })),
    graph,
  };
}

export function encodeModel(model: ModelProto): Uint8Array {
  const writer = onnx.ModelProto.encode(model);
  if (writer.len > MAX_MODEL_BYTES) {
    throw new Error(`the ONNX model would be ${(writer.len / 2 ** 30).toFixed(2)} GiB; one protobuf file holds less than 2 GiB`);
  }
  return writer.finish();
}
