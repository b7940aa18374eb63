/** File reading and writing for the CLI, with the size limit checked before a byte is parsed. */
import { readFile, stat, writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { formatBytes } from '../util/bytes.ts';
import { DATASET_LIMITS, parseDataset, type Dataset } from '../data/format.ts';

export async function readTextFile(path: string, maxBytes: number): Promise<string> {
  const info = await stat(path).catch(() => {
    throw new Error(`cannot read ${path}: no such file`);
  });
  if (!info.isFile()) throw new Error(`cannot read ${path}: not a file`);
  if (info.size > maxBytes) throw new Error(`${path}: file too large (${formatBytes(info.size)}, limit ${formatBytes(maxBytes)})`);
  return readFile(path, 'utf8');
}

/** A versioned file read and parsed; what is wrong with it is one line that starts with its path. */
export async function readFormatFile<T>(path: string, maxBytes: number, parse: (source: string) => T): Promise<T> {
  const source = await readTextFile(path, maxBytes);
  try {
    return parse(source);
  } catch (err) {
    throw new Error(`${path}: ${(err as Error).message}`);
  }
}

export function readDatasetFile(path: string): Promise<Dataset> {
  return readFormatFile(path, DATASET_LIMITS.maxBytes, parseDataset);
}

export async function writeTextFile(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}
