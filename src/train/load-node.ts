/** Node-only: a model folder (transformers.js layout) read into the jax-js engine and its tokenizer. */
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { parseLlamaConfig } from '../model/llama-config.ts';
import { DTYPE_FILES } from '../model/model-files.ts';
import type { Dtype } from '../model/language-model.ts';
import { readOnnxWeights } from '../model/onnx-weights.ts';
import { loadEngineWeights, type EngineWeights } from './llama.ts';
import { engineTokenizer } from './tokenizer.ts';
import type { EngineTokenizer } from './jax-language-model.ts';

export interface EngineModel {
  id: string;
  dtype: Dtype;
  weights: EngineWeights;
  tokenizer: EngineTokenizer;
  /** Bytes of the ONNX file the weights came from. */
  onnxBytes: number;
}

async function readOrExplain(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch {
    throw new Error(`cannot read ${path}: no such file`);
  }
}

export async function loadEngineModel(dir: string, dtype: Dtype = 'fp32'): Promise<EngineModel> {
  const folder = resolve(dir);
  const configText = (await readOrExplain(join(folder, 'config.json'))).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(configText);
  } catch (err) {
    throw new Error(`${join(folder, 'config.json')}: not JSON: ${(err as Error).message}`);
  }
  const config = parseLlamaConfig(json);
  const onnx = await readOrExplain(join(folder, DTYPE_FILES[dtype]));
  const weights = loadEngineWeights(config, readOnnxWeights(onnx, config));
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
  env.localModelPath = dirname(folder) + '/';
  const tokenizer = await AutoTokenizer.from_pretrained(basename(folder), { local_files_only: true });
  return { id: basename(folder), dtype, weights, tokenizer: engineTokenizer(tokenizer), onnxBytes: onnx.length };
}
