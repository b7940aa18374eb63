/**
 * Where a transformers.js model folder keeps an ONNX file's external data: config.json's
 * `transformers.js_config.use_external_data_format` (a chunk count, true, or either per file) names
 * `<file>_data`, `<file>_data_1`, ... beside the file, as transformers.js's model loader resolves it, so
 * glon fetches for fine-tuning exactly the files ONNX Runtime is given for scoring.
 */
import type { ExternalData } from './onnx-weights.ts';

function chunkCount(setting: unknown, fullName: string, fileName: string): number {
  if (setting === null || setting === undefined || setting === false) return 0;
  if (typeof setting === 'object') {
    const perFile = setting as Record<string, unknown>;
    return Number(perFile[fullName] ?? perFile[fileName] ?? 0);
  }
  return Number(setting);
}

/**
 * The external data files of `onnxFile` (a path such as "onnx/model_fp16.onnx"), as paths in the same
 * folder. transformers.js also looks the setting up by the file's name without its dtype suffix (`fileName`).
 */
export function externalDataChunks(config: unknown, onnxFile: string, fileName = 'model'): string[] {
  const jsConfig = (config as { 'transformers.js_config'?: { use_external_data_format?: unknown } } | null)?.['transformers.js_config'];
  const fullName = onnxFile.slice(onnxFile.lastIndexOf('/') + 1);
  const count = chunkCount(jsConfig?.use_external_data_format, fullName, fileName);
  if (!Number.isInteger(count) || count < 0) throw new Error(`config.json: use_external_data_format for ${fullName} is not a chunk count`);
  const folder = onnxFile.slice(0, onnxFile.lastIndexOf('/') + 1);
  return Array.from({ length: count }, (_, i) => `${folder}${fullName}_data${i === 0 ? '' : `_${i}`}`);
}

/** Files already read, by path in the model folder, looked up by the `location` the ONNX file names (relative to itself). */
export function externalDataFrom(files: ReadonlyMap<string, Uint8Array>, onnxFile: string): ExternalData {
  const folder = onnxFile.slice(0, onnxFile.lastIndexOf('/') + 1);
  return (location) => files.get(folder + location);
}
