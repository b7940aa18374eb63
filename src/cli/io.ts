/** File reading and writing for the CLI, with the size limit checked before a byte is parsed. */
import { readFile, stat, writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { formatBytes } from '../data/bytes.ts';
import { DATASET_LIMITS, parseDataset, type Dataset } from '../data/format.ts';

export async function readTextFile(path: string, maxBytes: number): Promise<string> {
  const info = await stat(path).catch(() => {
    throw new Error(`cannot read ${path}: no such file`);
  });
  if (!info.isFile()) throw new Error(`cannot read ${path}: not a file`);
  if (info.size > maxBytes) throw new Error(`${path}: file too large (${formatBytes(info.size)}, limit ${formatBytes(maxBytes)})`);
  return readFile(path, 'utf8');
}

export async function readDatasetFile(path: string): Promise<Dataset> {
  const source = await readTextFile(path, DATASET_LIMITS.maxBytes);
  try {
    return parseDataset(source);
  } catch (err) {
    throw new Error(`${path}: ${(err as Error).message}`);
  }
}

export async function writeTextFile(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}
