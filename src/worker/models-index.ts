/**
 * `models/index.json`: which model folders the app serves itself, with each file's size. The dev and
 * preview servers generate it from the models folder and the build writes it beside the embedded models
 * (vite/serve-models.ts), so the page lists local models and their dtypes without probing URLs.
 */
import { z } from 'zod';
import type { FileSizer } from '../hub/model-files.ts';

export const MODELS_INDEX_FORMAT = 'glon.models/1';
export const MODELS_INDEX_FILE = 'index.json';

const entry = z.strictObject({
  /** Folder under models/, a hub id such as HuggingFaceTB/SmolLM2-135M-Instruct or a plain name. */
  id: z.string().min(1),
  /** Size in bytes of every file in the folder, by path relative to it ("onnx/model.onnx"). */
  files: z.record(z.string(), z.number().int().nonnegative()),
});

const index = z.strictObject({ format: z.literal(MODELS_INDEX_FORMAT), models: z.array(entry) });

export type LocalModelFiles = z.infer<typeof entry>;
export type ModelsIndex = z.infer<typeof index>;

export function parseModelsIndex(value: unknown): ModelsIndex {
  const parsed = index.safeParse(value);
  if (!parsed.success) throw new Error(`models/${MODELS_INDEX_FILE} is not a glon models index: ${parsed.error.issues[0].message}`);
  return parsed.data;
}

/** Sizes a local model's files from the index instead of asking the server file by file. */
export function indexSizer(model: LocalModelFiles): FileSizer {
  return async (file) => model.files[file];
}
