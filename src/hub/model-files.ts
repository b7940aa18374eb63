/**
 * Whether a model folder or hub id holds the files a causal LM needs in the transformers.js layout.
 * Checked before transformers.js sees the model, so a missing file is reported by name instead of
 * surfacing later as an unrelated-looking error.
 */
import { ModelRegistry, env } from '@huggingface/transformers';
import type { PretrainedConfig } from '@huggingface/transformers';
import { CONFIG_FILES, DTYPES, DTYPE_FILES } from '../model/dtypes.ts';
import { externalDataChunks } from '../onnx/external-data.ts';
import type { Dtype } from '../model/language-model.ts';

export function requiredFiles(dtype: Dtype): string[] {
  return [...CONFIG_FILES, DTYPE_FILES[dtype]];
}

/**
 * Of the paths in a model folder, the ones loading `dtype` reads: its required files and the external data
 * chunks transformers.js names after its ONNX file (`onnx/model_fp16.onnx_data`, `..._data_1`, ...).
 */
export function filesOfDtype(dtype: Dtype, paths: Iterable<string>): string[] {
  const data = new RegExp(`^${DTYPE_FILES[dtype].replace(/[.]/g, '\\.')}_data(_\\d+)?$`);
  return [...requiredFiles(dtype), ...[...paths].filter((path) => data.test(path))];
}

export class ModelLoadError extends Error {
  override name = 'ModelLoadError';
}

/** Where transformers.js looks for a model: a local folder (relative to localModelPath) and/or the hub. */
export interface ModelLocation {
  id: string;
  localModelPath?: string;
  allowRemote: boolean;
}

/** Size in bytes of a model file, undefined when it does not exist (NaN when the server does not say). */
export type FileSizer = (file: string) => Promise<number | undefined>;

/**
 * Asks transformers.js (a local URL in the page, or the hub). It memoizes answers per model id for the
 * life of the process, so Node, where folders change under tests, sizes files on disk instead.
 */
export function registrySizer(location: ModelLocation): FileSizer {
  return async (file) => {
    const meta = await ModelRegistry.get_file_metadata(location.id, file, { local_files_only: !location.allowRemote });
    return meta.exists ? (meta.size ?? Number.NaN) : undefined;
  };
}

/** The dtypes whose ONNX file exists for this model. */
export async function availableDtypes(sizer: FileSizer): Promise<Dtype[]> {
  const sizes = await Promise.all(DTYPES.map((dtype) => sizer(DTYPE_FILES[dtype])));
  return DTYPES.filter((_, i) => sizes[i] !== undefined);
}

/** How a model's location reads in an error: its folder when local only. */
function describe({ id, localModelPath, allowRemote }: ModelLocation): string {
  if (allowRemote) return `${id} (local folder or hub)`;
  return localModelPath ? `${localModelPath.replace(/\/+$/, '')}/${id}` : id;
}

/** Throws a ModelLoadError naming the first required file that is missing or empty. */
export async function checkModelFiles(location: ModelLocation, dtype: Dtype, sizer: FileSizer): Promise<void> {
  const where = describe(location);
  for (const file of requiredFiles(dtype)) {
    const size = await sizer(file);
    if (size === undefined) {
      if (file === DTYPE_FILES[dtype]) {
        const have = await availableDtypes(sizer);
        const hint = have.length ? `; available dtypes: ${have.join(', ')}` : '; no ONNX model file found';
        throw new ModelLoadError(`${where}: missing ${file} (dtype ${dtype})${hint}`);
      }
      // Without config.json the model is most likely absent altogether.
      const offline = file === 'config.json' && !location.allowRemote ? ' (offline: the hub was not contacted)' : '';
      throw new ModelLoadError(`${where}: missing ${file}${offline}`);
    }
    if (size === 0) throw new ModelLoadError(`${where}: ${file} is empty`);
  }
}

/** Throws a ModelLoadError naming an external data file that config.json announces for the dtype's ONNX file but is missing. */
export async function checkExternalData(location: ModelLocation, config: unknown, dtype: Dtype, sizer: FileSizer): Promise<void> {
  for (const chunk of externalDataChunks(config, DTYPE_FILES[dtype])) {
    const size = await sizer(chunk);
    if (size === undefined) throw new ModelLoadError(`${describe(location)}: missing ${chunk}, the external data of ${DTYPE_FILES[dtype]} (config.json)`);
    if (size === 0) throw new ModelLoadError(`${describe(location)}: ${chunk} is empty`);
  }
}

/**
 * Every file the dtypes need: config and tokenizer, and the ONNX files transformers.js itself would load for
 * each (external data chunks included), each ONNX file after its data so that a present .onnx means a whole set.
 */
export async function hubFilesFor(id: string, config: PretrainedConfig, dtypes: readonly Dtype[]): Promise<string[]> {
  const allowRemote = env.allowRemoteModels;
  env.allowRemoteModels = false; // the config is given: nothing to look up
  try {
    const onnx = await Promise.all(dtypes.map((dtype) => ModelRegistry.get_model_files(id, { config, dtype })));
    const files = [...new Set([...CONFIG_FILES, ...onnx.flat()])];
    const graph = (file: string) => /\.onnx$/.test(file);
    return [...files.filter((f) => !graph(f)), ...files.filter(graph)];
  } finally {
    env.allowRemoteModels = allowRemote;
  }
}
