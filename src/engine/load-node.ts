/** Node-only: a model folder on disk read into the jax-js engine (see load.ts). */
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Dtype } from '../model/language-model.ts';
import { DTYPE_FILES } from '../model/dtypes.ts';
import { externalDataBeside } from '../onnx/external-data-node.ts';
import { engineFromFiles, type EngineModel } from './load.ts';

export type { EngineModel } from './load.ts';

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
  const path = join(folder, DTYPE_FILES[dtype]);
  const onnx = await readOrExplain(path);
  return engineFromFiles({ id: basename(folder), dtype, localModelPath: dirname(folder) + '/', configText, onnx, external: externalDataBeside(path) });
}
