/** The ONNX writer's building blocks, checked by running what it writes in ONNX Runtime. */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { DataType, FloatAttribute, GraphBuilder, encodeModel, modelProto } from '../../src/onnx/onnx-writer.ts';

async function run(g: GraphBuilder, feeds: Record<string, ort.Tensor> = {}): Promise<Record<string, ort.Tensor>> {
  const bytes = encodeModel(modelProto(g.build(), { opsets: { '': 17 }, irVersion: 8, producer: 'glon-test' }));
  const session = await ort.InferenceSession.create(bytes);
  const out = await session.run(feeds);
  await session.release();
  return out;
}

describe('GraphBuilder', () => {
  it('writes each kind of attribute so that ONNX Runtime reads it back', async () => {
    const g = new GraphBuilder('attributes');
    const x = g.input('x', DataType.FLOAT, ['rows', 3]);
    // alpha = 2 is integral but must be a FLOAT attribute; a plain 2 would be written as INT and rejected.
    const leaky = g.op('LeakyRelu', [x], { alpha: new FloatAttribute(2) });
    const padded = g.op('Pad', [leaky, g.int64([0, 1, 0, 1])], { mode: 'reflect' });
    g.op('Transpose', [padded], { perm: [1, 0] }, { outputs: ['y'] });
    g.op('Constant', [], { value_floats: [0.5, 1.5] }, { outputs: ['c'] });
    g.output('y', DataType.FLOAT, [5, 'rows']);
    g.output('c', DataType.FLOAT, [2]);
    const { y, c } = await run(g, { x: new ort.Tensor('float32', Float32Array.of(-1, 2, -3, 4, -5, 6), [2, 3]) });
    // LeakyRelu: [[-2, 2, -6], [4, -10, 6]]; reflect-padded by one column on each side, then transposed.
    expect(y.dims).toEqual([5, 2]);
    expect(Array.from(y.data as Float32Array)).toEqual([2, -10, -2, 4, 2, -10, -6, 6, 2, -10]);
    expect(Array.from(c.data as Float32Array)).toEqual([0.5, 1.5]);
  });

  it('stores initializers of every integer and float type as raw little-endian bytes', async () => {
    const g = new GraphBuilder('types');
    const half = Uint16Array.of(0x3c00, 0xc000, 0x3800); // 1, -2, 0.5 in float16
    const tensors: [string, string][] = [
      ['int8', g.constant(Int8Array.of(-128, 0, 127), [3])],
      ['uint8', g.constant(Uint8Array.of(0, 1, 255), [3])],
      ['int32', g.constant(Int32Array.of(-70000, 0, 70000), [3])],
      ['int64', g.int64([-(2 ** 40), 0, 2 ** 40])],
      ['float16', g.constant(half, [3], 'h', DataType.FLOAT16)],
      ['float', g.float([0.25, -1e-30, 3e38])],
    ];
    for (const [name, tensor] of tensors) {
      g.op('Cast', [tensor], { to: DataType.DOUBLE }, { outputs: [name] });
      g.output(name, DataType.DOUBLE, [3]);
    }
    const out = await run(g);
    const values = (name: string) => Array.from(out[name].data as Float64Array);
    expect(values('int8')).toEqual([-128, 0, 127]);
    expect(values('uint8')).toEqual([0, 1, 255]);
    expect(values('int32')).toEqual([-70000, 0, 70000]);
    expect(values('int64')).toEqual([-(2 ** 40), 0, 2 ** 40]);
    expect(values('float16')).toEqual([1, -2, 0.5]);
    expect(values('float')).toEqual(Array.from(Float32Array.of(0.25, -1e-30, 3e38)));
  });

  it('names the tensor whose values do not fill its shape, and asks for the type of 16-bit data', () => {
    const g = new GraphBuilder('bad');
    expect(() => g.constant(new Float32Array(5), [2, 3], 'w')).toThrow('tensor w: 5 values do not fill dims [2, 3]');
    expect(() => g.constant(new Uint16Array(2), [2])).toThrow('a Uint16Array tensor needs an explicit data type (UINT16 or FLOAT16)');
  });
});
