/**
 * A model folder (transformers.js layout) read into the jax-js engine and its tokenizer. The files reach
 * `engineFromFiles` however the caller reads them: from disk (load-node.ts) or, in the page and the lab
 * worker, fetched from the same models/ URL the ONNX runtime loads from (`fetchEngineModel`).
 */
import { AutoTokenizer, env } from '@huggingface/transformers';
import type { Dtype } from '../model/language-model.ts';
import { parseLlamaConfig } from '../model/llama-config.ts';
import { DTYPE_FILES } from '../model/dtypes.ts';
import { externalDataChunks, externalDataFrom } from '../onnx/external-data.ts';
import { readOnnxWeights, type ExternalData } from '../onnx/onnx-weights.ts';
import type { EngineTokenizer } from './jax-language-model.ts';
import { loadEngineWeights, type EngineWeights } from './llama.ts';
import { engineTokenizer } from './tokenizer.ts';

export interface EngineModel {
  id: string;
  dtype: Dtype;
  weights: EngineWeights;
  tokenizer: EngineTokenizer;
  /** Bytes of the ONNX file the weights came from. */
  onnxBytes: number;
}

export interface EngineFiles {
  /** The folder's name under `localModelPath`. */
  id: string;
  dtype: Dtype;
  /** Where model folders live (a directory in Node, a URL path in the page); the tokenizer is read from there. */
  localModelPath: string;
  configText: string;
  onnx: Uint8Array;
  /** The ONNX file's external data, if it has any. */
  external?: ExternalData;
}

export async function engineFromFiles(files: EngineFiles): Promise<EngineModel> {
  const where = `${files.localModelPath.replace(/\/+$/, '')}/${files.id}`;
  let json: unknown;
  try {
    json = JSON.parse(files.configText);
  } catch (err) {
    throw new Error(`${where}/config.json: not JSON: ${(err as Error).message}`);
  }
  const config = parseLlamaConfig(json);
  const weights = loadEngineWeights(config, readOnnxWeights(files.onnx, config, files.external));
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
  env.localModelPath = files.localModelPath;
  const tokenizer = await AutoTokenizer.from_pretrained(files.id, { local_files_only: true });
  return { id: files.id, dtype: files.dtype, weights, tokenizer: engineTokenizer(tokenizer), onnxBytes: files.onnx.length };
}

/** Opens one of a model's files by its path in the folder ("config.json", "onnx/model.onnx"). */
export type ModelFileReader = (file: string, signal?: AbortSignal) => Promise<Response>;

async function readOk(read: ModelFileReader, where: string, file: string, signal?: AbortSignal): Promise<Response> {
  const response = await read(file, signal);
  if (!response.ok) throw new Error(`cannot read ${where}/${file}: ${response.status === 404 ? 'not found' : `the server answered ${response.status}`}`);
  return response;
}

/**
 * The model `id` (its tokenizer looked up by transformers.js under `localModelPath`, then in its browser
 * cache), with config, weights and their external data opened by `read`: fetched from the app's models/,
 * or from the cache.
 */
export async function fetchEngineModel(read: ModelFileReader, model: Pick<EngineFiles, 'id' | 'dtype' | 'localModelPath'>, signal?: AbortSignal): Promise<EngineModel> {
  const configText = await (await readOk(read, model.id, 'config.json', signal)).text();
  const file = DTYPE_FILES[model.dtype];
  const onnx = new Uint8Array(await (await readOk(read, model.id, file, signal)).arrayBuffer());
  let chunks: string[] = [];
  try {
    chunks = externalDataChunks(JSON.parse(configText), file);
  } catch {
    // engineFromFiles reports a config.json that is not JSON.
  }
  const data = new Map<string, Uint8Array>();
  for (const chunk of chunks) data.set(chunk, new Uint8Array(await (await readOk(read, model.id, chunk, signal)).arrayBuffer()));
  signal?.throwIfAborted();
  return engineFromFiles({ ...model, configText, onnx, external: externalDataFrom(data, file) });
}
