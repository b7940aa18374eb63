/**
 * The models the Model step offers: the folders the app serves (listed by models/index.json) and the
 * models downloaded from a hub into this browser's cache, each with the dtypes whose files it holds.
 */
import type { Dtype } from '../model/language-model.ts';
import { cachedHubModels, openModelCache } from '../hub/hub-download.ts';
import { availableDtypes, filesOfDtype } from '../hub/model-files.ts';
import { MODELS_INDEX_FILE, indexSizer, parseModelsIndex, type LocalModelFiles } from './models-index.ts';
import type { LocalModel } from './protocol.ts';

/** The app's models/ folder, where transformers.js and the engine read a served model's files. */
export const MODELS_PATH = `${import.meta.env.BASE_URL}models/`;

export async function localModels(): Promise<LocalModelFiles[]> {
  const response = await fetch(MODELS_PATH + MODELS_INDEX_FILE);
  if (!response.ok) throw new Error(`cannot list the app's models: ${MODELS_PATH}${MODELS_INDEX_FILE} answered ${response.status}`);
  return parseModelsIndex(await response.json()).models;
}

async function describeLocal(files: LocalModelFiles): Promise<LocalModel> {
  const dtypes = await availableDtypes(indexSizer(files));
  return { id: files.id, dtypes, bytes: bytesPerDtype(dtypes, files.files) };
}

/** Bytes per dtype: its ONNX file and everything it needs (external data included). */
function bytesPerDtype(dtypes: readonly Dtype[], sizes: Record<string, number>): LocalModel['bytes'] {
  const paths = Object.keys(sizes);
  return Object.fromEntries(dtypes.map((d) => [d, filesOfDtype(d, paths).reduce((sum, file) => sum + (sizes[file] ?? 0), 0)]));
}

/** Models downloaded from a hub into this browser, which load with the network off. */
async function downloadedModels(served: readonly LocalModelFiles[]): Promise<LocalModel[]> {
  if (typeof caches === 'undefined') return [];
  const cached = await cachedHubModels(await openModelCache());
  return cached
    .filter((m) => !served.some((s) => s.id === m.id))
    .map((m) => ({ id: m.id, dtypes: m.dtypes, bytes: bytesPerDtype(m.dtypes, m.files), hub: m.endpoint }));
}

export async function listModels(): Promise<LocalModel[]> {
  const served = await localModels();
  return [...(await Promise.all(served.map(describeLocal))), ...(await downloadedModels(served))];
}
