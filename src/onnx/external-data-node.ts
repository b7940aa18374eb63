/** Node only: an ONNX file's external data read from disk beside it, on first use. */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import type { ExternalData } from './onnx-weights.ts';

export function externalDataBeside(onnxPath: string): ExternalData {
  const folder = dirname(onnxPath);
  const read = new Map<string, Uint8Array | undefined>();
  return (location) => {
    // As in ONNX Runtime: a location is a path under the model's folder, never outside it.
    const relative = normalize(location);
    if (isAbsolute(relative) || relative.split(sep).includes('..')) return undefined;
    if (!read.has(relative)) {
      try {
        read.set(relative, readFileSync(join(folder, relative)));
      } catch {
        read.set(relative, undefined);
      }
    }
    return read.get(relative);
  };
}
