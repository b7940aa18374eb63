/**
 * Loads a causal LM in the transformers.js layout (config.json, tokenizer.json, tokenizer_config.json,
 * onnx/model*.onnx) from a local model folder or, only when allowed, the hub. Runs in the page, a worker
 * and Node alike; Node's folder handling and thread settings live in load-node.ts.
 */
import { AutoConfig, AutoModelForCausalLM, AutoTokenizer, env } from '@huggingface/transformers';
import type { PretrainedConfig, ProgressInfo } from '@huggingface/transformers';
import type { Env, InferenceSession } from 'onnxruntime-common';
import type { Device, Dtype } from '../model/language-model.ts';
import { DTYPE_FILES } from '../model/dtypes.ts';
import { ModelLoadError, checkExternalData, checkModelFiles, registrySizer, type FileSizer } from '../hub/model-files.ts';
import { pickDevice } from '../model/device.ts';
import { OrtLanguageModel } from './ort-model.ts';
import { DEFAULT_SCORING, type ScoringSettings } from './ort-scorer.ts';

/** Bytes of one file loaded so far. */
export interface LoadProgress {
  file: string;
  loaded: number;
  total: number;
}

export interface LoadOptions {
  /** Hub id, or a folder name under localModelPath. */
  id: string;
  /** Where local model folders live (a URL path in the page, a directory in Node); searched first. */
  localModelPath?: string;
  /** Whether the hub may be contacted; offline loading never tries the network. */
  allowRemote: boolean;
  /** A hub mirror (same URL layout as huggingface.co). */
  remoteHost?: string;
  /** Where ONNX Runtime's .wasm files are served from, in the page (see ort-wasm-paths.ts). */
  wasmPaths?: Env.WasmPrefixOrFilePaths;
  /** Default: WebGPU when an adapter exists, else WASM; the CPU in Node. */
  device?: Device;
  dtype: Dtype;
  sessionOptions?: InferenceSession.SessionOptions;
  scoring?: Partial<Omit<ScoringSettings, 'contextLength'>>;
  /** How to size the model's files before loading; default: ask transformers.js (see registrySizer). */
  sizer?: FileSizer;
  onProgress?: (progress: LoadProgress) => void;
  signal?: AbortSignal;
}

/**
 * ONNX Runtime's QDQ fusions turn DequantizeLinear -> MatMul into an integer kernel that also quantizes the
 * activations to 8 bits (up to 0.2 off in stories260K's q8 logits), so a quantized model would no longer
 * compute the exact int8-weight math the jax-js engine computes for fine-tuned scoring: base, ICL and FT
 * would be measured differently. This config entry turns off only those fusions; the rest stays optimized.
 */
export function exactQuantizedMath(dtype: Dtype, options: InferenceSession.SessionOptions = {}): InferenceSession.SessionOptions {
  if (dtype !== 'q8' && dtype !== 'q4') return options;
  const extra = (options.extra ?? {}) as { session?: Record<string, string> };
  return { ...options, extra: { ...extra, session: { ...extra.session, disable_quant_qdq: '1' } } };
}

/** ORT's load errors repeat the path and may name a C++ function; the reason is what follows them. */
function ortReason(err: unknown): string {
  const message = String((err as Error)?.message ?? err);
  let reason = message.includes('failed:') ? message.slice(message.indexOf('failed:') + 7) : message;
  if (/^\S+\.cc:\d+ /.test(reason) && reason.includes(') ')) reason = reason.slice(reason.lastIndexOf(') ') + 2);
  const firstLine = reason.trim().split('\n')[0];
  return firstLine.length > 200 ? `${firstLine.slice(0, 200)}...` : firstLine;
}

async function stage<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof ModelLoadError) throw err;
    throw new ModelLoadError(`${what}: ${ortReason(err)}`);
  }
}

export async function loadModel(options: LoadOptions): Promise<OrtLanguageModel> {
  const { id, dtype, allowRemote, signal, onProgress } = options;
  env.allowRemoteModels = allowRemote;
  env.allowLocalModels = options.localModelPath !== undefined;
  if (options.localModelPath !== undefined) env.localModelPath = options.localModelPath;
  if (options.remoteHost !== undefined) env.remoteHost = options.remoteHost;
  if (options.wasmPaths !== undefined && env.backends.onnx.wasm) env.backends.onnx.wasm.wasmPaths = options.wasmPaths;
  const device = options.device ?? (await pickDevice());

  const location = { id, localModelPath: options.localModelPath, allowRemote };
  const sizer = options.sizer ?? registrySizer(location);
  await checkModelFiles(location, dtype, sizer);
  signal?.throwIfAborted();

  const hub = {
    local_files_only: !allowRemote,
    progress_callback: (info: ProgressInfo) => {
      if (info.status === 'progress') onProgress?.({ file: info.file, loaded: info.loaded, total: info.total });
    },
  };
  const config: PretrainedConfig = await stage(`${id}: config.json is not valid`, () => AutoConfig.from_pretrained(id, hub));
  await stage(`${id}: config.json is not valid`, () => checkExternalData(location, config, dtype, sizer));
  const tokenizer = await stage(`${id}: cannot read the tokenizer (tokenizer.json, tokenizer_config.json)`, () =>
    AutoTokenizer.from_pretrained(id, hub),
  );
  signal?.throwIfAborted();
  const model = await stage(`${id}: ${DTYPE_FILES[dtype]} cannot be loaded by ONNX Runtime`, () =>
    AutoModelForCausalLM.from_pretrained(id, { ...hub, config, dtype, device, session_options: exactQuantizedMath(dtype, options.sessionOptions) }),
  );
  try {
    signal?.throwIfAborted();
    return new OrtLanguageModel({ id, device, dtype, tokenizer, model, scoring: { ...DEFAULT_SCORING, ...options.scoring } });
  } catch (err) {
    await model.dispose();
    if (signal?.aborted) throw err;
    throw new ModelLoadError(`${id}: ${(err as Error).message}`);
  }
}
