/** A copy of stories260K whose final norm holds a NaN: every logit, and so every log-prob, is NaN. */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { MODELS_DIR } from './models-dir.ts';

const { onnx } = onnxProto;

export function nanModel(dir: string): string {
  const copy = join(dir, 'stories260K-nan');
  cpSync(join(MODELS_DIR, 'stories260K'), copy, { recursive: true });
  const file = join(copy, 'onnx/model.onnx');
  const model = onnx.ModelProto.decode(readFileSync(file));
  const norm = model.graph!.initializer!.find((t) => t.name === 'model.norm.weight')!;
  const values = new Float32Array(new Uint8Array(norm.rawData!).buffer);
  values[0] = NaN;
  norm.rawData = new Uint8Array(values.buffer);
  writeFileSync(file, onnx.ModelProto.encode(model).finish());
  return copy;
}
