/**
 * Node only (CLI, tests): loads a model from a folder on disk, or from the hub by id when allowed, on
 * the CPU with two threads. The folder's JSON files are parsed here first because transformers.js
 * reports a broken one without saying which.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Dtype } from '../model/language-model.ts';
import { CONFIG_FILES } from '../model/dtypes.ts';
import { ModelLoadError, type FileSizer } from '../hub/model-files.ts';
import { loadModel, type LoadOptions } from './load.ts';
import type { OrtLanguageModel } from './ort-model.ts';

export interface NodeLoadOptions extends Pick<LoadOptions, 'onProgress' | 'signal' | 'scoring'> {
  /** A model folder (transformers.js layout) or a hub id. */
  model: string;
  dtype: Dtype;
  allowRemote?: boolean;
}

const SESSION_OPTIONS = { intraOpNumThreads: 2, interOpNumThreads: 1 };

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

function diskSizer(dir: string): FileSizer {
  return async (file) => {
    try {
      const info = await stat(join(dir, file));
      return info.isFile() ? info.size : undefined;
    } catch {
      return undefined;
    }
  };
}

/** Missing files are left to loadModel, which names them and lists the dtypes present. */
async function checkJsonFiles(dir: string): Promise<void> {
  for (const file of CONFIG_FILES) {
    let text: string;
    try {
      text = await readFile(join(dir, file), 'utf8');
    } catch {
      continue;
    }
    try {
      JSON.parse(text);
    } catch (err) {
      throw new ModelLoadError(`${join(dir, file)} is not valid JSON (${(err as Error).message})`);
    }
  }
}

export async function loadModelNode(options: NodeLoadOptions): Promise<OrtLanguageModel> {
  const { model, dtype, onProgress, signal, scoring } = options;
  const common = { dtype, device: 'cpu' as const, sessionOptions: SESSION_OPTIONS, onProgress, signal, scoring };
  const dir = resolve(model);
  if (await isDirectory(dir)) {
    await checkJsonFiles(dir);
    return loadModel({ ...common, id: basename(dir), localModelPath: dirname(dir), allowRemote: false, sizer: diskSizer(dir) });
  }
  if (!options.allowRemote)
    throw new ModelLoadError(
      `model "${model}" is not available offline: there is no folder ${dir} (pass --allow-remote to download it from the hub)`,
    );
  return loadModel({ ...common, id: model, allowRemote: true });
}
